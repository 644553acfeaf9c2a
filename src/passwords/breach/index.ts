/**
 * Breached-password detection, selected by POSTERN_BREACH_CHECK: `offline` (a local corpus:
 * the shipped table plus an optional larger one), `online` (HIBP's range API) or `off`.
 * See docs/breach-detection.md.
 */
import type { BreachConfig } from '../../config/index.js';
import { openCorpus, openShippedCorpus, type Corpus } from './corpus.js';
import { BreachCheckUnavailable } from './errors.js';
import { rangeApiCount } from './online.js';
import { sha1Hex } from './sha1.js';

export { BreachCheckUnavailable, BreachCorpusError } from './errors.js';
export { SHIPPED_CORPUS_PATH } from './shipped.js';

export interface BreachChecker {
  readonly mode: BreachConfig['mode'];
  /**
   * Offline: rejects with BreachCorpusError when a corpus is missing or malformed. Online:
   * rejects with BreachCheckUnavailable only when fail-closed and the range API failed.
   */
  isBreached(password: string): Promise<boolean>;
  /** Loads the corpora now, so a bad deployment fails at start rather than at the first sign-up. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface BreachCheckerOptions {
  /** Told about each online lookup that failed open (answered "not breached"), for logging. */
  onLookupError?: (err: unknown) => void;
}

export function createBreachChecker(config: BreachConfig, options: BreachCheckerOptions = {}): BreachChecker {
  if (config.mode === 'off') {
    return { mode: 'off', isBreached: () => Promise.resolve(false), ready: async () => {}, close: async () => {} };
  }
  // Online mode keeps the shipped table as a floor: the most common passwords are refused
  // without a request, and still refused while HIBP is unreachable and lookups fail open.
  const paths = config.mode === 'offline' && config.corpusPath !== undefined ? [config.corpusPath] : [];
  const corpora = lazyCorpora(paths);
  const aborter = new AbortController();
  let closed = false;

  const online = async (password: string): Promise<boolean> => {
    try {
      const count = await rangeApiCount(sha1Hex(password), { baseUrl: config.hibpBaseUrl, timeoutMs: config.timeoutMs, signal: aborter.signal });
      return count > 0;
    } catch (err) {
      if (config.failClosed) throw new BreachCheckUnavailable('the breached-password lookup failed', { cause: err });
      try {
        options.onLookupError?.(err);
      } catch {
        // A failing logger must not turn a fail-open lookup into an error.
      }
      return false;
    }
  };

  return {
    mode: config.mode,
    async isBreached(password) {
      if (closed) throw new Error('breach checker is closed');
      for (const corpus of await corpora.get()) {
        if (await corpus.contains(password)) return true;
      }
      return config.mode === 'online' ? online(password) : false;
    },
    async ready() {
      await corpora.get();
    },
    async close() {
      closed = true;
      aborter.abort();
      await corpora.close();
    },
  };
}

/** Opened at first use and kept; a failed open is retried by the next call. */
function lazyCorpora(paths: string[]): { get(): Promise<Corpus[]>; close(): Promise<void> } {
  let opening: Promise<Corpus[]> | undefined;
  return {
    get() {
      opening ??= openAll(paths).catch((err: unknown) => {
        opening = undefined;
        throw err;
      });
      return opening;
    },
    async close() {
      const open = opening;
      opening = undefined;
      const list = await open?.catch(() => []);
      await Promise.all((list ?? []).map((corpus) => corpus.close()));
    },
  };
}

async function openAll(paths: string[]): Promise<Corpus[]> {
  const shipped = await openShippedCorpus();
  const extra: Corpus[] = [];
  try {
    for (const path of paths) extra.push(await openCorpus(path));
  } catch (err) {
    await Promise.all(extra.map((corpus) => corpus.close()));
    throw err;
  }
  return [shipped, ...extra];
}
