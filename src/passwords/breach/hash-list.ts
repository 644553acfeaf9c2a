/**
 * HIBP's hash list ordered by hash (`HASH:COUNT` per line, 40 hex digits: the single-file output
 * of HIBP's downloader, 30+ GB), searched on disk: bisection over byte offsets with positioned
 * reads, so a lookup costs about log2(size / window) small reads and no memory for the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { BreachCorpusError } from './errors.js';

/** Longer than any `HASH:COUNT\r\n` line; a bigger gap between newlines means a foreign file. */
const MAX_LINE = 128;
const LINE = /^([0-9A-Fa-f]{40}):(\d+)\r?$/;

export interface HashListOptions {
  /** Once the candidate span is this small it is read and scanned whole. */
  windowBytes?: number;
}

export interface HashList {
  /** The count on the line for this uppercase 40-hex hash, or 0 when there is no such line. */
  count(hashHex: string): Promise<number>;
  close(): Promise<void>;
}

export async function openHashList(file: string, options: HashListOptions = {}): Promise<HashList> {
  const windowBytes = Math.max(1, options.windowBytes ?? 4096);
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    await checkFirstLine(handle, size, file);
    return {
      count: (hashHex) => search(handle, size, hashHex, windowBytes, file),
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Refuses NTLM lists and other files up front rather than bisecting garbage. */
async function checkFirstLine(handle: FileHandle, size: number, file: string): Promise<void> {
  if (size === 0) return;
  const head = (await readAt(handle, 0, MAX_LINE)).toString('latin1');
  const first = head.split('\n')[0] ?? '';
  if (LINE.test(first)) return;
  const hint = /^[0-9A-Fa-f]{32}:/.test(first) ? ' (this looks like the NTLM list; use the SHA-1 one)' : '';
  throw new BreachCorpusError(`${file}: not an HIBP SHA-1 hash list: first line is not HASH:COUNT${hint}`);
}

/**
 * Invariant: if the target's line exists, it starts in [lo, hi), and lo is a line start. Each
 * step looks at the first line starting at or after the midpoint and keeps the half that can
 * still hold the target; the last small span is scanned line by line.
 */
async function search(handle: FileHandle, size: number, target: string, windowBytes: number, file: string): Promise<number> {
  let lo = 0;
  let hi = size;
  while (hi - lo > windowBytes) {
    const mid = lo + Math.floor((hi - lo) / 2);
    // Read from mid - 1 so that a line starting exactly at mid is found (its '\n' is at mid - 1).
    const want = 2 * MAX_LINE;
    const chunk = await readAt(handle, mid - 1, want);
    const nl = chunk.indexOf(0x0a);
    if (nl === -1 && chunk.length === want) throw new BreachCorpusError(`${file}: line longer than ${MAX_LINE} bytes`);
    const start = nl === -1 ? size : mid + nl;
    if (start >= hi) {
      hi = mid;
      continue;
    }
    const line = lineAt(chunk.subarray(nl + 1), chunk.length < want, file);
    if (line.hash === undefined) {
      // Tolerated only as the file's end (a doubled final newline); elsewhere the order is unknowable.
      if (start + line.bytes < size) throw new BreachCorpusError(`${file}: blank line at byte ${start}`);
      hi = start;
    } else if (line.hash === target) return line.count;
    else if (line.hash < target) lo = start;
    else hi = start;
  }
  const want = hi - lo + MAX_LINE;
  const span = await readAt(handle, lo, want);
  for (let offset = 0; lo + offset < hi && offset < span.length; ) {
    const line = lineAt(span.subarray(offset), span.length < want, file);
    if (line.hash === target) return line.count;
    if (line.hash !== undefined && line.hash > target) return 0;
    offset += line.bytes;
  }
  return 0;
}

interface Line {
  /** Undefined for a blank line. */
  hash: string | undefined;
  count: number;
  /** Length including the newline. */
  bytes: number;
}

/**
 * The line at the start of `buf`. Without a newline in `buf` the line is only complete when
 * `buf` reaches the end of the file; otherwise a cut-off count could be misread as a shorter one.
 */
function lineAt(buf: Buffer, reachesEof: boolean, file: string): Line {
  const nl = buf.indexOf(0x0a);
  if (nl === -1 && !reachesEof) throw new BreachCorpusError(`${file}: line longer than ${MAX_LINE} bytes`);
  const end = nl === -1 ? buf.length : nl;
  const text = buf.subarray(0, end).toString('latin1');
  const bytes = nl === -1 ? buf.length : nl + 1;
  if (text === '' || text === '\r') return { hash: undefined, count: 0, bytes };
  const match = LINE.exec(text);
  if (!match) throw new BreachCorpusError(`${file}: malformed line ${JSON.stringify(text.slice(0, 60))}`);
  return { hash: match[1]!.toUpperCase(), count: Number(match[2]), bytes };
}
