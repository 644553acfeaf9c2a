/**
 * The password-hash pool: every password hash and verify of the server runs here, on worker
 * threads of its own, behind a bounded queue.
 *
 * Why a pool of its own: the async hashing functions (@node-rs/argon2, node:crypto scrypt and
 * pbkdf2, @node-rs/bcrypt) all run on libuv's threadpool, 4 threads shared with WebCrypto
 * (session JWT signing), fs and dns. A burst of logins would fill it, and JWT signing, JWKS
 * and session authenticate would queue behind hashes. Here the workers hash synchronously on
 * their own threads (hash-pool-sync.ts), leaving libuv's threadpool to everything else.
 *
 * Why a bounded queue: past a point, queueing only converts overload into timeouts. When the
 * queue is full, work is refused at once with HashPoolBusy (HTTP 429 `too_many_requests` with
 * a Retry-After), so the server answers fast instead of queueing without bound.
 *
 * docs/hashing.md has the design, defaults and measurements.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Argon2Params, PepperKey } from '../config/index.js';
import { AuthError } from '../errors.js';
import type { HashReply, HashRequest, HashWorkerData } from './hash-pool-protocol.js';
import { siblingModuleUrl, spawnModuleWorker } from './hash-pool-spawn.js';
import { parseArgon2Phc } from './legacy/argon2.js';
import { needsRehash } from './legacy/index.js';

/**
 * What the password services need from the pool; a narrow type so that they can be handed
 * something else in a unit test.
 */
export interface PasswordHasher {
  /** A new argon2id hash of `password` with the configured parameters. */
  hash(password: string): Promise<string>;
  /** Whether `password` matches `stored`, in any stored form (verifyStoredHash's contract). */
  verify(stored: string, password: string): Promise<boolean>;
  /**
   * Whether a stored hash that just verified should be replaced by a fresh one: weaker
   * parameters, a legacy format, or a pepper other than the current one (or none).
   */
  needsRehash(stored: string): boolean;
}

export interface HashPoolOptions {
  /** Parameters of new hashes (verification always uses the parameters stored in the hash). */
  argon2: Argon2Params;
  /**
   * Password peppers, current first: new hashes use the first; a stored hash verifies with the
   * one its key id names. Default: none.
   */
  peppers?: readonly PepperKey[] | undefined;
  /**
   * Called (with the key id only) when a stored hash names a pepper that is not configured:
   * that verify is false, after the same work as any other.
   */
  onUnknownPepperKey?: ((keyId: string) => void) | undefined;
  /** Worker threads; default: os.availableParallelism(). */
  workers?: number | undefined;
  /** Jobs that may wait for a worker; default: DEFAULT_QUEUE_PER_WORKER × workers. */
  maxQueue?: number | undefined;
  /** Nice value of the worker threads on Linux (0 to 19; 0 leaves them alone); default 10. */
  workerNice?: number | undefined;
  /** For tests only: a worker exits, as if it crashed, when asked to work on this password. */
  testHooks?: { exitOnPassword?: string } | undefined;
}

/**
 * Queue slots per worker. The worst wait in the queue is maxQueue × hash time / workers, so
 * this is 64 hash times: about 0.6 s at the OWASP-floor parameters (8–9 ms of CPU per hash),
 * about 2.3 s at four times that cost. Enough to absorb a burst from every connection a
 * load balancer normally keeps open, short enough that a queued client is still waiting.
 */
export const DEFAULT_QUEUE_PER_WORKER = 64;

/** Low enough a priority that the event loop and libuv's threads preempt a hash at once. */
export const DEFAULT_WORKER_NICE = 10;

/** One worker per core: the hash bound is every core hashing; fewer workers would lower it. */
export function defaultHashWorkers(): number {
  return Math.max(1, availableParallelism());
}

export interface HashPoolStats {
  /** Worker threads (configured). */
  workers: number;
  /** Workers computing a job now. */
  busy: number;
  /** Jobs handed to workers and not yet answered (at most two per worker). */
  inFlight: number;
  /** Jobs waiting for a worker. */
  queued: number;
  maxQueue: number;
  /** Jobs refused with HashPoolBusy since the pool started. */
  rejected: number;
  /** Jobs answered since the pool started. */
  completed: number;
  /** Recent mean time of one job, as measured in the workers (ms); the Retry-After estimate uses it. */
  meanJobMs: number;
}

/**
 * The queue is full. An AuthError of type `too_many_requests` carrying `retryAfterSeconds`, so
 * the HTTP error handler answers it like a rate limit: 429 with a `Retry-After` header, with
 * no knowledge of the pool.
 */
export class HashPoolBusy extends AuthError {
  readonly code = 'HASH_POOL_BUSY';
  declare readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('too_many_requests', `The server is busy hashing passwords; retry after ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
    });
    this.name = 'HashPoolBusy';
  }
}

export type HashPoolErrorCode = 'HASH_POOL_CLOSED' | 'HASH_WORKER_FAILED';

/** A failure of the pool itself: a server error, not the client's. */
export class HashPoolError extends Error {
  constructor(
    readonly code: HashPoolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HashPoolError';
  }
}

interface Job {
  request: HashRequest;
  /**
   * Known to cost at most one hash at the configured parameters: a new hash, or the verify of
   * an argon2 hash no costlier than ours. Only behind such a job may another wait on a worker.
   */
  standard: boolean;
  resolve: (value: string | boolean) => void;
  reject: (err: Error) => void;
}

interface Slot {
  /** Undefined after the worker failed to boot; restarted by the next call. */
  worker: Worker | undefined;
  /** False until the worker has loaded its modules. */
  ready: boolean;
  /** Jobs sent to this worker, in order; the first is the one computing. */
  jobs: Job[];
}

/**
 * Until a job has been timed, the Retry-After estimate assumes this per job: about three times
 * the OWASP-floor hash on a current core, so that the first estimates err on the long side.
 */
const PRIOR_JOB_MS = 25;
/** Weight of the newest timing in the running mean: about the last ten jobs count. */
const MEAN_WEIGHT = 0.1;

export class HashPool implements PasswordHasher {
  private readonly url = siblingModuleUrl(import.meta.url, 'hash-worker');
  private readonly workerData: HashWorkerData;
  private readonly standardCost: number;
  private readonly argon2: Argon2Params;
  private readonly currentPepperId: string | null;
  private readonly pepperIds: ReadonlySet<string>;
  private readonly onUnknownPepperKey: (keyId: string) => void;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly maxQueue: number;
  private readonly bootWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private nextId = 1;
  private rejected = 0;
  private completed = 0;
  private timed = 0;
  private meanJobMs = PRIOR_JOB_MS;
  private closing: Promise<void> | undefined;

  constructor(options: HashPoolOptions) {
    const workers = options.workers ?? defaultHashWorkers();
    const maxQueue = options.maxQueue ?? DEFAULT_QUEUE_PER_WORKER * workers;
    const nice = options.workerNice ?? DEFAULT_WORKER_NICE;
    if (!Number.isSafeInteger(workers) || workers < 1) throw new RangeError('workers must be an integer ≥ 1');
    if (!Number.isSafeInteger(maxQueue) || maxQueue < 0) throw new RangeError('maxQueue must be an integer ≥ 0');
    if (!Number.isSafeInteger(nice) || nice < 0 || nice > 19) throw new RangeError('workerNice must be an integer from 0 to 19');
    const { memoryKiB, iterations, parallelism } = options.argon2;
    const peppers = options.peppers ?? [];
    this.argon2 = { memoryKiB, iterations, parallelism };
    this.currentPepperId = peppers[0]?.id ?? null;
    this.pepperIds = new Set(peppers.map((p) => p.id));
    this.onUnknownPepperKey = options.onUnknownPepperKey ?? (() => {});
    this.workerData = {
      argon2: { memoryKiB, iterations, parallelism },
      // Plain copies: the config's secret is a non-enumerable property.
      peppers: peppers.map((p) => ({ id: p.id, secret: new Uint8Array(p.secret) })),
      nice,
      exitOnPassword: options.testHooks?.exitOnPassword,
    };
    this.standardCost = memoryKiB * iterations;
    this.maxQueue = maxQueue;
    this.slots = Array.from({ length: workers }, () => ({ worker: undefined, ready: false, jobs: [] }));
    for (const slot of this.slots) slot.worker = this.startWorker();
  }

  /** A new argon2id hash (PHC string) of `password` with the configured parameters. */
  async hash(password: string): Promise<string> {
    if (typeof password !== 'string') throw new TypeError('password must be a string');
    const value = await this.submit({ op: 'hash', password }, true);
    if (typeof value !== 'string') throw new HashPoolError('HASH_WORKER_FAILED', 'the hash worker sent no hash');
    return value;
  }

  /**
   * verifyStoredHash, on the pool: true when `password` matches `stored` in any stored form
   * (argon2 and every imported legacy form); false for a mismatch or a malformed value.
   * Rejects only with HashPoolBusy (queue full) or HashPoolError (closed, worker failure).
   */
  async verify(stored: string, password: string): Promise<boolean> {
    if (typeof stored !== 'string' || typeof password !== 'string') return false;
    const phc = stored.startsWith('$argon2') ? parseArgon2Phc(stored) : undefined;
    const standard = phc !== undefined && phc.memoryKiB * phc.iterations <= this.standardCost;
    const value = await this.submit({ op: 'verify', stored, password }, standard);
    // Told after the work, which the worker does in full (without a secret, then false), so
    // the answer costs what a wrong password costs.
    if (phc?.keyId !== undefined && !this.pepperIds.has(phc.keyId)) this.onUnknownPepperKey(phc.keyId);
    return value === true;
  }

  needsRehash(stored: string): boolean {
    return needsRehash(stored, this.argon2, this.currentPepperId);
  }

  /**
   * Resolves once every worker has started; rejects if one fails to start (a start-up check:
   * a broken install fails the boot, not the first login).
   */
  ready(): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    if (this.slots.every((slot) => slot.ready)) return Promise.resolve();
    for (const slot of this.slots) slot.worker ??= this.startWorker();
    return new Promise((resolve, reject) => {
      this.bootWaiters.push({ resolve, reject });
      this.refreshRefs();
    });
  }

  stats(): HashPoolStats {
    let busy = 0;
    let inFlight = 0;
    for (const slot of this.slots) {
      if (slot.jobs.length > 0) busy++;
      inFlight += slot.jobs.length;
    }
    return {
      workers: this.slots.length,
      busy,
      inFlight,
      queued: this.queue.length,
      maxQueue: this.maxQueue,
      rejected: this.rejected,
      completed: this.completed,
      meanJobMs: this.meanJobMs,
    };
  }

  /**
   * Fails every queued and running job with HASH_POOL_CLOSED and terminates the workers. A
   * worker in the middle of a native hash stops when that hash returns (at most one hash time).
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const error = closedError();
    const pending = [...this.queue.splice(0), ...this.slots.flatMap((slot) => slot.jobs.splice(0))];
    for (const job of pending) job.reject(error);
    for (const waiter of this.bootWaiters.splice(0)) waiter.reject(error);
    const workers = this.slots.flatMap((slot) => (slot.worker === undefined ? [] : [slot.worker]));
    for (const slot of this.slots) slot.worker = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private submit(request: { op: 'hash'; password: string } | { op: 'verify'; stored: string; password: string }, standard: boolean): Promise<string | boolean> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    for (const slot of this.slots) slot.worker ??= this.startWorker();
    if (this.queue.length >= this.maxQueue && !this.hasRoomOnAWorker()) {
      this.rejected++;
      return Promise.reject(new HashPoolBusy(this.retryAfterSeconds()));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { ...request, id: this.nextId++ }, standard, resolve, reject });
      this.pump();
      this.refreshRefs();
    });
  }

  /** Whether pump() would hand a new job to a worker straight away, so it never waits in the queue. */
  private hasRoomOnAWorker(): boolean {
    return this.queue.length === 0 && this.slots.some((slot) => this.canTake(slot));
  }

  /**
   * A worker takes a job when it has none, or when its only job is standard: the second job
   * then waits in the worker's own message port and starts the moment the first ends, without
   * a round trip through this event loop (which, on a busy server, can take a while to get to
   * the reply). That keeps every core hashing. Behind a costly job (a legacy verify can take
   * seconds) nothing waits: another worker will take the next job.
   */
  private canTake(slot: Slot): boolean {
    if (slot.worker === undefined || !slot.ready) return false;
    return slot.jobs.length === 0 || (slot.jobs.length === 1 && slot.jobs[0]?.standard === true);
  }

  private pump(): void {
    if (this.closing !== undefined) return;
    // Idle workers first, so a job goes where it starts at once; then the second places.
    for (const wantIdle of [true, false]) {
      for (const slot of this.slots) {
        const job = this.queue[0];
        if (job === undefined) return;
        if ((slot.jobs.length === 0) !== wantIdle || !this.canTake(slot)) continue;
        this.queue.shift();
        slot.jobs.push(job);
        slot.worker?.postMessage(job.request);
      }
    }
  }

  private startWorker(): Worker {
    const worker = spawnModuleWorker(this.url, { workerData: this.workerData });
    // refreshRefs() holds the process open while the worker has work, and only then.
    worker.unref();
    worker.on('message', (reply: HashReply) => this.onReply(worker, reply));
    worker.on('error', (err) => this.onWorkerGone(worker, err));
    worker.on('exit', (code) => this.onWorkerGone(worker, new Error(`hash worker exited with code ${code}`)));
    return worker;
  }

  private onReply(worker: Worker, reply: HashReply): void {
    const slot = this.slots.find((s) => s.worker === worker);
    if (slot === undefined) return;
    if (reply.kind === 'ready') {
      slot.ready = true;
      if (this.slots.every((s) => s.ready)) for (const waiter of this.bootWaiters.splice(0)) waiter.resolve();
      this.pump();
      this.refreshRefs();
      return;
    }
    const job = slot.jobs[0];
    if (job === undefined || job.request.id !== reply.id) return;
    slot.jobs.shift();
    // The freed place is refilled before anything else runs.
    this.pump();
    this.refreshRefs();
    this.completed++;
    if (reply.kind === 'done') {
      // The first timing replaces the prior outright.
      this.meanJobMs += (reply.ms - this.meanJobMs) * (this.timed++ === 0 ? 1 : MEAN_WEIGHT);
      job.resolve(reply.value);
    } else {
      job.reject(new HashPoolError('HASH_WORKER_FAILED', reply.message));
    }
  }

  /**
   * A worker died unasked (an 'error' and an 'exit' may both arrive; the second finds no slot).
   * Its first job was the one computing, so that job fails; the one waiting behind it had not
   * started and goes back to the head of the queue. A worker that had booted is replaced at
   * once. One that failed to boot would fail again: it is restarted only by the next call, and
   * if no worker is left the queue is failed rather than left waiting.
   */
  private onWorkerGone(worker: Worker, cause: Error): void {
    if (this.closing !== undefined) return;
    const slot = this.slots.find((s) => s.worker === worker);
    if (slot === undefined) return;
    const [running, ...notStarted] = slot.jobs.splice(0);
    const wasReady = slot.ready;
    slot.ready = false;
    slot.worker = undefined;
    void worker.terminate();
    this.queue.unshift(...notStarted);
    const error = new HashPoolError('HASH_WORKER_FAILED', `hash worker failed: ${cause.message}`, { cause });
    running?.reject(error);
    if (wasReady) {
      slot.worker = this.startWorker();
    } else {
      for (const waiter of this.bootWaiters.splice(0)) waiter.reject(error);
      if (this.slots.every((s) => s.worker === undefined)) for (const job of this.queue.splice(0)) job.reject(error);
    }
    this.pump();
    this.refreshRefs();
  }

  /**
   * Idle workers must not keep the process alive; a worker with work to do (or, while
   * booting, with work or a ready() waiting for it) must, or a pending promise could be
   * dropped at exit.
   */
  private refreshRefs(): void {
    const waiting = this.queue.length > 0 || this.bootWaiters.length > 0;
    for (const slot of this.slots) {
      if (slot.jobs.length > 0 || (waiting && !slot.ready)) slot.worker?.ref();
      else slot.worker?.unref();
    }
  }

  /**
   * When a job accepted now would be answered: everything ahead of it shared over the workers,
   * at the recent mean job time; at least 1 s, since Retry-After counts whole seconds.
   */
  private retryAfterSeconds(): number {
    let ahead = this.queue.length;
    for (const slot of this.slots) ahead += slot.jobs.length;
    return Math.max(1, Math.ceil((ahead * this.meanJobMs) / this.slots.length / 1000));
  }
}

function closedError(): HashPoolError {
  return new HashPoolError('HASH_POOL_CLOSED', 'the hash pool is closed');
}
