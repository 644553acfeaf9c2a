/**
 * HIBP's k-anonymity range API through the `hibp` package: only the first 5 hex digits of the
 * SHA-1 leave the machine, and with `Add-Padding` the response is padded with zero-count lines
 * so that its size does not hint at the prefix either.
 */
import { pwnedPasswordRange } from 'hibp';

export interface RangeApiOptions {
  /** The API or a mirror of it; `/range/<prefix>` is appended (a path prefix is kept). */
  baseUrl: string;
  timeoutMs: number;
  /** Aborts lookups still in flight when the checker closes. */
  signal: AbortSignal;
}

const SUFFIX = /^[0-9A-Fa-f]{35}$/;

/** The count the range API lists for this uppercase 40-hex hash; 0 for padding or absence. */
export async function rangeApiCount(hashHex: string, options: RangeApiOptions): Promise<number> {
  const prefix = hashHex.slice(0, 5);
  const suffix = hashHex.slice(5);
  const range = await pwnedPasswordRange(prefix, {
    baseUrl: options.baseUrl,
    addPadding: true,
    // hibp turns this into an AbortSignal on fetch, which also bounds reading the body.
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    userAgent: 'postern',
  });
  // hibp parses any 200 body; a captive portal or a broken mirror must be a failed lookup
  // (then fail-open or fail-closed applies), not a silent "not breached".
  let count = 0;
  for (const [key, value] of Object.entries(range)) {
    if (key.trim() === '') continue; // a blank CRLF line, which hibp keeps as "\r"
    if (!SUFFIX.test(key) || !Number.isSafeInteger(value) || value < 0) {
      throw new Error(`range API answered a line that is not SUFFIX:COUNT (${JSON.stringify(key.slice(0, 40))})`);
    }
    if (key.toUpperCase() === suffix) count = value;
  }
  return count;
}
