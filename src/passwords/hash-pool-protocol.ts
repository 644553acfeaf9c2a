/**
 * Messages between the hash pool (hash-pool.ts) and its workers (hash-worker.ts). Kept apart
 * from both so that the worker does not load the pool's module, nor the pool the worker's.
 */
import type { Argon2Params } from '../config/index.js';

/** Given to each worker as workerData. */
export interface HashWorkerData {
  argon2: Argon2Params;
  /**
   * Password peppers, current first (new hashes use the first). Secrets reach the workers only
   * here, as bytes in workerData: never in a message, a log line or an error.
   */
  peppers: Array<{ id: string; secret: Uint8Array }>;
  /** Nice value the worker gives its own thread (Linux); 0 leaves the priority alone. */
  nice: number;
  /** Test hook: the worker exits, as if it crashed, when asked to work on this password. */
  exitOnPassword?: string | undefined;
}

export type HashRequest =
  | { id: number; op: 'hash'; password: string }
  | { id: number; op: 'verify'; stored: string; password: string };

export type HashReply =
  | { kind: 'ready' }
  /** `ms`: the computation's own duration, measured in the worker, for the pool's estimates. */
  | { kind: 'done'; id: number; value: string | boolean; ms: number }
  | { kind: 'failed'; id: number; message: string };
