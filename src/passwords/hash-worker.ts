/**
 * Worker-thread entry of the hash pool (hash-pool.ts). Each worker computes one hash at a time
 * on its own thread, synchronously (hash-pool-sync.ts says why not on libuv's threadpool).
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { hashPasswordBlocking, verifyStoredHashBlocking } from './hash-pool-sync.js';
import type { HashReply, HashRequest, HashWorkerData } from './hash-pool-protocol.js';

function parentPortOrThrow(): MessagePort {
  if (parentPort === null) throw new Error('hash-worker must run in a worker thread');
  return parentPort;
}

const port = parentPortOrThrow();
const init = workerData as HashWorkerData;
const currentPepper = init.peppers[0];
const pepperSecrets = new Map(init.peppers.map((p) => [p.id, p.secret]));

lowerOwnPriority(init.nice);

/**
 * Raises this thread's nice value, on Linux, where a thread id names one thread for
 * setpriority(2). A worker then still gets every otherwise idle cycle (the scheduler is work
 * conserving, so the pool's throughput is unchanged), but when the event loop thread, or a
 * libuv thread signing a JWT, wakes up, it preempts the hash instead of waiting for a time
 * slice. Elsewhere, or if refused, the worker just keeps the default priority.
 */
function lowerOwnPriority(nice: number): void {
  if (nice <= 0 || process.platform !== 'linux') return;
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>".
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // No /proc, or a sandbox that forbids setpriority: correctness does not depend on it.
  }
}

/**
 * Requests are run strictly one after another, in arrival order: the pool relies on that to
 * know, when a worker dies, which of the requests it had been sent was the one running.
 */
let chain: Promise<void> = Promise.resolve();

port.on('message', (request: HashRequest) => {
  chain = chain.then(() => run(request));
});

async function run(request: HashRequest): Promise<void> {
  const started = performance.now();
  let reply: HashReply;
  try {
    if (init.exitOnPassword !== undefined && request.password === init.exitOnPassword) {
      // The pool's test hook for a worker that dies mid-job (only set by tests).
      process.exit(70);
    }
    const value =
      request.op === 'hash'
        ? hashPasswordBlocking(request.password, init.argon2, currentPepper)
        : await verifyStoredHashBlocking(request.stored, request.password, pepperSecrets);
    reply = { kind: 'done', id: request.id, value, ms: performance.now() - started };
  } catch (err) {
    reply = { kind: 'failed', id: request.id, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
}

const ready: HashReply = { kind: 'ready' };
port.postMessage(ready);
