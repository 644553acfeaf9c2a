/**
 * Runs scoreLocally in a small pool of worker threads, so scoring never blocks the event loop,
 * and enforces a per-call deadline by terminating a worker that overruns it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StrengthResult } from './strength-rule.js';

export interface ScoreRequest {
  id: number;
  password: string;
  userInputs: string[];
}

export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; result: StrengthResult }
  | { kind: 'error'; id: number; message: string };

export interface ScoreOptions {
  /** Overrides the scorer's deadline for this call. */
  deadlineMs?: number;
}

export interface StrengthScorer {
  /** Rejects with a StrengthError whose code is 'STRENGTH_TIMEOUT' when the deadline passes. */
  score(password: string, userInputs: string[], options?: ScoreOptions): Promise<StrengthResult>;
  /** Terminates the workers; pending and later calls reject with code 'STRENGTH_CLOSED'. */
  close(): Promise<void>;
}

export type StrengthErrorCode = 'STRENGTH_TIMEOUT' | 'STRENGTH_CLOSED' | 'STRENGTH_FAILED';

export class StrengthError extends Error {
  constructor(
    readonly code: StrengthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StrengthError';
  }
}

/** Default deadline: the bounded rule's worst case is ~100 ms, so this only trips on a sick host. */
export const DEFAULT_DEADLINE_MS = 2000;

/**
 * The worker entry next to this module: `.ts` when running from source under tsx, `.js` when
 * compiled to dist/.
 */
function workerUrl(): URL {
  const here = import.meta.url;
  const extensions = here.endsWith('.ts') ? ['.ts', '.js'] : ['.js', '.ts'];
  for (const ext of extensions) {
    const url = new URL(`./strength-worker${ext}`, here);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`strength-worker not found next to ${here}`);
}

/**
 * Starts the worker. A `.ts` worker (running from source) is loaded through tsx's API: Node 20
 * does not apply the `--import tsx` loader hooks that workers inherit through execArgv
 * (tsx issue #354, node issue #47747), so the plain path would fail on the `.ts` extension.
 */
function spawn(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(url.href);
  return new Worker(`import(${api}).then((tsx) => tsx.tsImport(${entry}, ${entry}));`, { eval: true });
}

interface Job {
  request: ScoreRequest;
  resolve: (result: StrengthResult) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

interface Slot {
  /** Undefined after the worker failed to boot; restarted by the next call to score(). */
  worker: Worker | undefined;
  /** False until the worker has loaded zxcvbn; a booting worker is never killed for a deadline. */
  ready: boolean;
  job: Job | undefined;
}

class WorkerPool implements StrengthScorer {
  private readonly url = workerUrl();
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    size: number,
    private readonly deadlineMs: number,
  ) {
    this.slots = Array.from({ length: size }, () => ({ worker: this.startWorker(), ready: false, job: undefined }));
  }

  score(password: string, userInputs: string[], options?: ScoreOptions): Promise<StrengthResult> {
    if (this.closed) return Promise.reject(new StrengthError('STRENGTH_CLOSED', 'strength scorer is closed'));
    for (const slot of this.slots) slot.worker ??= this.startWorker();
    return new Promise((resolve, reject) => {
      const job: Job = { request: { id: this.nextId++, password, userInputs }, resolve, reject, timer: undefined };
      job.timer = setTimeout(() => this.expire(job), options?.deadlineMs ?? this.deadlineMs);
      this.queue.push(job);
      this.pump();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new StrengthError('STRENGTH_CLOSED', 'strength scorer is closed');
    for (const job of this.queue.splice(0)) this.settle(job, error);
    for (const slot of this.slots) if (slot.job !== undefined) this.settle(slot.job, error);
    await Promise.all(this.slots.flatMap((slot) => (slot.worker === undefined ? [] : [slot.worker.terminate()])));
  }

  private startWorker(): Worker {
    const worker = spawn(this.url);
    // An idle pool must not keep the process alive; pump() refs a worker while it has a job.
    worker.unref();
    worker.on('message', (message: WorkerMessage) => {
      const slot = this.slotOf(worker);
      if (slot !== undefined) this.onMessage(slot, message);
    });
    worker.on('error', (err) => {
      this.onFailure(worker, new StrengthError('STRENGTH_FAILED', err.message, { cause: err }));
    });
    worker.on('exit', (code) => {
      this.onFailure(worker, new StrengthError('STRENGTH_FAILED', `strength worker exited with code ${code}`));
    });
    return worker;
  }

  private slotOf(worker: Worker): Slot | undefined {
    return this.slots.find((slot) => slot.worker === worker);
  }

  private onMessage(slot: Slot, message: WorkerMessage): void {
    if (message.kind === 'ready') {
      slot.ready = true;
    } else {
      const job = slot.job;
      if (job === undefined || job.request.id !== message.id) return;
      slot.job = undefined;
      slot.worker?.unref();
      if (message.kind === 'result') this.settle(job, message.result);
      else this.settle(job, new StrengthError('STRENGTH_FAILED', message.message));
    }
    this.pump();
  }

  /**
   * A worker died unasked. One that had booted is replaced at once. One that failed to boot would
   * fail again, so it is not restarted until the next call, and if no worker is left the queue
   * is failed rather than left to time out.
   */
  private onFailure(worker: Worker, error: StrengthError): void {
    const slot = this.slotOf(worker);
    if (slot === undefined || this.closed) return;
    if (slot.ready) {
      this.replace(slot, error);
      return;
    }
    slot.worker = undefined;
    if (this.slots.every((s) => s.worker === undefined)) {
      for (const job of this.queue.splice(0)) this.settle(job, error);
    }
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.worker === undefined || !slot.ready || slot.job !== undefined) continue;
      const job = this.queue.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
  }

  /** The deadline passed: drop the job if still queued, or kill the worker running it. */
  private expire(job: Job): void {
    const error = new StrengthError('STRENGTH_TIMEOUT', 'password strength scoring timed out');
    const queued = this.queue.indexOf(job);
    if (queued !== -1) {
      this.queue.splice(queued, 1);
      this.settle(job, error);
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    if (slot !== undefined) this.replace(slot, error);
  }

  /** Fails the slot's job (if any) with `error`, and swaps in a fresh worker. */
  private replace(slot: Slot, error: StrengthError): void {
    const job = slot.job;
    const old = slot.worker;
    slot.job = undefined;
    slot.ready = false;
    slot.worker = this.startWorker();
    void old?.terminate();
    if (job !== undefined) this.settle(job, error);
  }

  private settle(job: Job, outcome: StrengthResult | Error): void {
    clearTimeout(job.timer);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }
}

export function createStrengthScorer(opts?: { workers?: number; deadlineMs?: number }): StrengthScorer {
  const workers = Math.max(1, Math.floor(opts?.workers ?? 1));
  return new WorkerPool(workers, opts?.deadlineMs ?? DEFAULT_DEADLINE_MS);
}
