/** The one place that reads the wall clock. Tests pass a FixedClock to control time. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = {
  // eslint-disable-next-line no-restricted-properties -- the one place that reads the wall clock
  now: () => Date.now(),
};

/** A clock that only moves when told to; for tests of expiry, JWT `exp` and lockout. */
export class FixedClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** RFC 3339, UTC, second precision: the form Stytch returns. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
