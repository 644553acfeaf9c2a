/**
 * The hash bound: raw hashes per second on every core, with no server in between.
 *
 *   node --import tsx bench/hash-bound.ts <seconds> [argon2|scrypt|rs256] [workers]
 *
 * One worker thread per core (or `workers` of them) runs the primitive in a tight loop for the given time after one
 * warm-up call; prints one JSON line `{ kind, workers, seconds, count, perSecond, cpuMsPerOp }`.
 * - argon2: argon2id through @node-rs/argon2 `hashSync` with the parameters Postern's own
 *   loadConfig reads from this environment (POSTERN_ARGON2_*), i.e. the server's.
 * - scrypt: better-auth's default password hash (its `hashPassword`: node:crypto scrypt,
 *   N=2^14, r=16, p=1, 64 bytes), for better-auth's own bound.
 * - rs256: one RS256 signature (2048-bit RSA, node:crypto) - the per-call cost every
 *   session authenticate pays for its fresh JWT.
 */
import os from 'node:os';
import { loadConfig } from '../src/config/index.js';
import { tsWorker } from './lib/ts-worker.js';

export type BoundKind = 'argon2' | 'scrypt' | 'rs256';

export interface BoundResult {
  kind: BoundKind;
  workers: number;
  seconds: number;
  count: number;
  perSecond: number;
  /** CPU time per operation: this process's CPU time (all threads) over the window ÷ count. */
  cpuMsPerOp: number;
  /** This process's CPU time from its start to the end of the window (start-up included). */
  processCpuMs: number;
}

export interface WorkerJob {
  kind: BoundKind;
  seconds: number;
  argon2: { memoryKiB: number; iterations: number; parallelism: number };
}

const seconds = Number(process.argv[2] ?? 5);
const kind = (process.argv[3] ?? 'argon2') as BoundKind;
if (!(seconds > 0 && seconds <= 120)) throw new Error('seconds must be in (0, 120]');
if (!['argon2', 'scrypt', 'rs256'].includes(kind)) throw new Error(`unknown kind ${kind}`);

const workers = Number(process.argv[4] ?? os.availableParallelism());
if (!(Number.isInteger(workers) && workers >= 1 && workers <= 64)) throw new Error('workers must be an integer from 1 to 64');
const job: WorkerJob = { kind, seconds, argon2: loadConfig(process.env).argon2 };
const cpuBefore = process.cpuUsage();
// Each worker reports { count, ms } for its timed loop only (after its warm-up call).
const results = await Promise.all(
  Array.from({ length: workers }, () => new Promise<{ count: number; ms: number }>((resolve, reject) => {
    const worker = tsWorker(new URL('./hash-bound-worker.ts', import.meta.url), { workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
  })),
);
const cpu = process.cpuUsage(cpuBefore);
const total = process.cpuUsage();
const count = results.reduce((sum, r) => sum + r.count, 0);
const elapsed = Math.max(...results.map((r) => r.ms)) / 1000;
const result: BoundResult = {
  kind,
  workers,
  seconds: elapsed,
  count,
  perSecond: results.reduce((sum, r) => sum + r.count / (r.ms / 1000), 0),
  // Includes each worker's start-up and warm-up call: a slight overestimate.
  cpuMsPerOp: (cpu.user + cpu.system) / 1000 / count,
  processCpuMs: (total.user + total.system) / 1000,
};
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
