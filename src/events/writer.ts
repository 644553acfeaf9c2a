/**
 * The authentication audit trail's writer. A request only appends its event to a memory buffer;
 * the buffer goes to the `auth_events` table in multi-row inserts every `flushIntervalMs` or
 * every `batchSize` events, and on close. So a password route costs its hash and no extra
 * commit, and a thousand logins a second cost a handful of inserts.
 *
 * Bounded: past `maxBuffered` waiting events (the database is down or too slow) the oldest
 * are dropped and counted, never the process's memory. A failed flush is logged and retried
 * with backoff; it never throws into a request. Each attempt is also one log line, written
 * when it is answered, so a dropped or crash-lost row is still in the log.
 */
import type { Clock } from '../clock.js';
import type { Store } from '../storage/store.js';
import type { AuthEvent } from './auth-event.js';

/** Where the HTTP layer hands its events. */
export interface AuthEventSink {
  record(event: AuthEvent): void;
}

export interface AuthEventWriterOptions {
  /** Events older than this many days are deleted (checked on write, at most once per `pruneIntervalMs`). */
  retentionDays: number;
  flushIntervalMs?: number;
  batchSize?: number;
  maxBuffered?: number;
  pruneIntervalMs?: number;
  /** Told of failed flushes, failed prunes and dropped events; must not throw. */
  onProblem?: (problem: { err?: unknown; dropped?: number; pending?: number }, message: string) => void;
}

const DAY = 86_400_000;
const MAX_BACKOFF_MS = 30_000;

export class AuthEventWriter implements AuthEventSink {
  private buffer: AuthEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failures = 0;
  private dropped = 0;
  private lastPrune = -Infinity;
  private closed = false;
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly pruneIntervalMs: number;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: AuthEventWriterOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.batchSize = options.batchSize ?? 250;
    this.maxBuffered = options.maxBuffered ?? 10_000;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 3_600_000;
  }

  /** Queues the event; it reaches the table within `flushIntervalMs` unless the database fails. */
  record(event: AuthEvent): void {
    if (this.closed) {
      this.dropped++;
      this.reportDropped('auth events arrived after the writer closed and were not stored');
      return;
    }
    this.buffer.push(event);
    this.trim();
    if (this.buffer.length >= this.batchSize && this.failures === 0) void this.flush();
    else this.schedule(this.flushIntervalMs);
  }

  /** Writes everything buffered now; resolves when done (or failed: the events wait for a retry). */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Writes what is buffered (one last try) and stops; what cannot be written is reported, not thrown. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    if (this.buffer.length > 0) await this.flush();
    if (this.buffer.length > 0) {
      this.dropped += this.buffer.length;
      this.buffer = [];
      this.reportDropped('auth events could not be stored before shutdown');
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
    // Pending events never keep a process alive by themselves; close() flushes them.
    this.timer.unref();
  }

  /** Drops the oldest events past the bound. */
  private trim(): void {
    const excess = this.buffer.length - this.maxBuffered;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
  }

  private async drain(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.batchSize);
      try {
        await this.store.insertAuthEvents(batch);
      } catch (err) {
        // Back at the front, in order, for the next try; the bound still holds.
        this.buffer = batch.concat(this.buffer);
        this.trim();
        this.failures++;
        this.problem({ err, pending: this.buffer.length }, 'auth events could not be written; retrying');
        this.reportDropped('auth events were dropped: the buffer was full while the database failed');
        this.schedule(Math.min(MAX_BACKOFF_MS, this.flushIntervalMs * 2 ** this.failures));
        return;
      }
      this.failures = 0;
    }
    this.reportDropped('auth events were dropped: the buffer was full');
    await this.prune();
  }

  private async prune(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastPrune < this.pruneIntervalMs) return;
    this.lastPrune = now;
    try {
      await this.store.pruneAuthEvents(now - this.options.retentionDays * DAY);
    } catch (err) {
      this.problem({ err }, 'old auth events could not be pruned');
    }
  }

  private reportDropped(message: string): void {
    if (this.dropped === 0) return;
    const dropped = this.dropped;
    this.dropped = 0;
    this.problem({ dropped }, message);
  }

  private problem(details: { err?: unknown; dropped?: number; pending?: number }, message: string): void {
    try {
      this.options.onProblem?.(details, message);
    } catch {
      // A broken reporter must not break the writer.
    }
  }
}
