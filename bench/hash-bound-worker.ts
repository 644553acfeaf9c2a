/** One core's share of bench/hash-bound.ts: the primitive in a loop, timed after a warm-up. */
import { generateKeyPairSync, sign } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { hashSync } from '@node-rs/argon2';
import { hashPassword as betterAuthHash } from 'better-auth/crypto';
import type { WorkerJob } from './hash-bound.js';

const ARGON2ID = 2; // @node-rs/argon2's const enum Algorithm.Argon2id, erased by tsx
const job = workerData as WorkerJob;
const password = 'plinth-mango-quasar-7x';

let op: () => unknown;
if (job.kind === 'argon2') {
  const opts = { algorithm: ARGON2ID, memoryCost: job.argon2.memoryKiB, timeCost: job.argon2.iterations, parallelism: job.argon2.parallelism };
  op = () => hashSync(password, opts);
} else if (job.kind === 'rs256') {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = Buffer.from('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLXRlc3QtMTIzIn0');
  op = () => sign('sha256', data, privateKey);
} else {
  op = () => betterAuthHash(password);
}

await op();
const start = performance.now();
const end = start + job.seconds * 1000;
let count = 0;
// Bounded by time and by count (no primitive here runs faster than 1 per 10 µs).
while (performance.now() < end && count < job.seconds * 100_000) {
  await op();
  count++;
}
parentPort!.postMessage({ count, ms: performance.now() - start });
