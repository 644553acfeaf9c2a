/**
 * Server-side probe, loaded by every benchmark server child (Postern, the empty Fastify
 * route, better-auth). The parent (bench/run.ts) talks to it over the fork IPC channel:
 *
 *   { probe: 'mark' }  -> starts a measurement window (CPU and event-loop delay reset)
 *   { probe: 'read' }  -> { cpuCores, eldP50Ms, eldP99Ms, eldMaxMs, rssMiB, wallMs }
 *
 * CPU is process.cpuUsage() (every thread of the process: the event loop, libuv's thread
 * pool where argon2 and scrypt run, worker threads) divided by wall time, so 2.0 means two
 * cores busy. Event-loop delay comes from monitorEventLoopDelay, whose samples include its
 * own timer interval; RESOLUTION_MS is subtracted so that an idle loop reads about 0.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export const ELD_RESOLUTION_MS = 10;

export interface ProbeReading {
  cpuCores: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  rssMiB: number;
  wallMs: number;
}

export type ProbeRequest = { probe: 'mark' | 'read'; id: number };
export type ProbeReply = { probeReply: number; reading?: ProbeReading };

/** What a server child sends once it listens. */
export interface ReadyMessage {
  ready: true;
  port: number;
  [key: string]: unknown;
}

export function installProbe(): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('bench servers must be started with an IPC channel (child_process.fork)');
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  eld.enable();
  let cpu = process.cpuUsage();
  let start = process.hrtime.bigint();
  const ms = (ns: number) => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);
  process.on('message', (msg: ProbeRequest) => {
    if (!msg || typeof msg !== 'object' || !('probe' in msg)) return;
    if (msg.probe === 'mark') {
      eld.reset();
      cpu = process.cpuUsage();
      start = process.hrtime.bigint();
      send({ probeReply: msg.id } satisfies ProbeReply);
      return;
    }
    const used = process.cpuUsage(cpu);
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const reading: ProbeReading = {
      cpuCores: (used.user + used.system) / 1000 / wallMs,
      eldP50Ms: ms(eld.percentile(50)),
      eldP99Ms: ms(eld.percentile(99)),
      eldMaxMs: ms(eld.max),
      rssMiB: process.memoryUsage.rss() / 2 ** 20,
      wallMs,
    };
    send({ probeReply: msg.id, reading } satisfies ProbeReply);
  });
  // The parent going away (crash, Ctrl-C) must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
}
