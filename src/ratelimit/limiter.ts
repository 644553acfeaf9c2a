/**
 * Request rate limits with fixed windows (as Stytch counts them: the window starts on the
 * clock's minute, not at the first request). Counters live in the database or in Redis, so
 * every instance of Postern shares them.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { AuthError } from '../errors.js';
import type { Store } from '../storage/store.js';

export interface CounterBackend {
  /** Counts one hit on `key` in the window starting at `windowStart`; returns the window's count. */
  hit(key: string, windowStart: number, windowMs: number): Promise<number>;
  close(): Promise<void>;
}

export interface RateLimitRule {
  /** Counter namespace, e.g. `email` or `ip`. */
  name: string;
  limit: number;
  windowMs: number;
}

/** Counters in the database (SQLite or PostgreSQL): one atomic upsert per hit. */
export class StoreCounters implements CounterBackend {
  private hits = 0;
  constructor(private readonly store: Store) {}

  async hit(key: string, windowStart: number, windowMs: number): Promise<number> {
    const count = await this.store.hitRateLimit(key, windowStart);
    // Now and then forget finished windows, so the table holds only the current ones.
    if (++this.hits % 1000 === 0) await this.store.pruneRateLimits(windowStart - windowMs);
    return count;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class RateLimiter {
  constructor(
    private readonly backend: CounterBackend,
    private readonly clock: Clock,
  ) {}

  /** Counts a request by `subject` under `rule`; throws 429 `too_many_requests` past the limit. */
  async check(rule: RateLimitRule, subject: string): Promise<void> {
    if (rule.limit <= 0) return;
    const now = this.clock.now();
    const windowStart = now - (now % rule.windowMs);
    // Keyed by a digest: counters hold no email addresses, and any input (NUL bytes, huge
    // strings) becomes a fixed-size key every backend can store.
    const key = `${rule.name}:${createHash('sha256').update(subject, 'utf8').digest('base64url')}`;
    const count = await this.backend.hit(key, windowStart, rule.windowMs);
    if (count > rule.limit) {
      throw new AuthError('too_many_requests', undefined, { retryAfterSeconds: (windowStart + rule.windowMs - now) / 1000 });
    }
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
