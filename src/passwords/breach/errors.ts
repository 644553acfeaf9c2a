/** Failures of a breach lookup that the caller must tell apart from "not breached". */

/**
 * Online mode with POSTERN_BREACH_FAIL=closed: the range API could not answer (error status,
 * network failure, timeout, unreadable body). The HTTP layer maps it to 503 `server_unavailable`
 * rather than accepting a password it could not check.
 */
export class BreachCheckUnavailable extends Error {
  readonly code = 'BREACH_CHECK_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BreachCheckUnavailable';
  }
}

/** A local corpus that is missing or not in a layout we can read: a deployment mistake. */
export class BreachCorpusError extends Error {
  readonly code = 'BREACH_CORPUS_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BreachCorpusError';
  }
}
