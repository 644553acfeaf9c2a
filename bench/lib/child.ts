/**
 * Parent side of the benchmark servers: forks a server script (TypeScript, through tsx) with
 * an IPC channel, waits for its `ready` message, reads its probe (bench/lib/probe.ts) and
 * stops it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { ProbeReading, ProbeReply, ProbeRequest, ReadyMessage } from './probe.js';

const START_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 10_000;

export class ServerChild {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: ProbeReply) => void>();

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
    readonly ready: ReadyMessage,
  ) {
    proc.on('message', (msg: ProbeReply) => {
      if (msg && typeof msg === 'object' && 'probeReply' in msg) {
        this.waiting.get(msg.probeReply)?.(msg);
        this.waiting.delete(msg.probeReply);
      }
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.ready.port}`;
  }

  static async start(name: string, script: URL, args: string[], env: NodeJS.ProcessEnv): Promise<ServerChild> {
    // Extra node flags for the servers only, e.g. BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
    const extra = (env.BENCH_SERVER_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f !== '');
    const proc = fork(script, args, { execArgv: ['--import', 'tsx', ...extra], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`${name}: not ready within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      proc.on('message', (msg: ReadyMessage) => {
        if (msg && typeof msg === 'object' && msg.ready === true) {
          clearTimeout(timer);
          resolve(msg);
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name}: exited before it was ready (code ${code}, signal ${signal})`));
      });
    });
    return new ServerChild(name, proc, ready);
  }

  private ask(probe: ProbeRequest['probe']): Promise<ProbeReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: no probe reply within ${PROBE_TIMEOUT_MS} ms`));
      }, PROBE_TIMEOUT_MS);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.proc.send({ probe, id } satisfies ProbeRequest);
    });
  }

  /** Starts a measurement window in the server (CPU and event-loop delay). */
  async mark(): Promise<void> {
    await this.ask('mark');
  }

  /** The server's CPU and event-loop delay since the last mark. */
  async read(): Promise<ProbeReading> {
    const reply = await this.ask('read');
    if (!reply.reading) throw new Error(`${this.name}: empty probe reply`);
    return reply.reading;
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
}
