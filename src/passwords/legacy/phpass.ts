/**
 * Portable phpass hashes (`$P$` from WordPress, `$H$` from phpBB: the same algorithm), stored
 * exactly as received. Written here over node:crypto's md5 because no npm package handled
 * UTF-8 and `$H$` correctly (see the design notes, stack.md); proven against passlib's vectors.
 *
 * Layout, 34 characters: `$P$`, one character whose index in ITOA64 is log2 of the md5
 * rounds, 8 salt characters, then 22 characters encoding the 16-byte md5 result.
 *   h = md5(salt + password); repeat 2^count times: h = md5(h + password)
 *
 * The rounds are bounded (LIMITS.phpassLog2) and run in slices that yield to the event loop,
 * because md5 here is synchronous: 2^16 rounds would otherwise block other requests ~0.1 s.
 */
import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { LIMITS } from './types.js';
import { fail, safeEqual, utf8 } from './encoding.js';

// phpass's alphabet: note the order differs from bcrypt's.
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHAPE = /^\$[PH]\$[./0-9A-Za-z]{31}$/;
/** md5 rounds between two yields to the event loop (a few milliseconds). */
const ROUNDS_PER_SLICE = 2048;

export interface ParsedPhpass {
  log2Rounds: number;
  salt: Buffer;
  /** The 22 encoded digest characters, as ASCII bytes. */
  encoded: Buffer;
}

type ParseResult = ParsedPhpass | 'prefix' | 'format';

/** Parses and bounds a stored phpass string; exported for the hash pool's synchronous verifier. */
export function parsePhpass(stored: string): ParseResult {
  if (!stored.startsWith('$P$') && !stored.startsWith('$H$')) return 'prefix';
  if (!SHAPE.test(stored)) return 'format';
  const log2Rounds = ITOA64.indexOf(stored.charAt(3));
  if (log2Rounds < LIMITS.phpassLog2.min || log2Rounds > LIMITS.phpassLog2.max) return 'format';
  // 22 characters carry 132 bits for 128: the last holds only the top 2 bits of the last
  // byte. A different last character is not something phpass writes and could never match.
  if (ITOA64.indexOf(stored.charAt(33)) > 3) return 'format';
  return {
    log2Rounds,
    salt: Buffer.from(stored.slice(4, 12), 'ascii'),
    encoded: Buffer.from(stored.slice(12), 'ascii'),
  };
}

export function importPhpass(hash: string): string {
  const parsed = parsePhpass(hash);
  if (parsed === 'prefix') fail('invalid_phpass_hash_prefix', 'A phpass hash must start with $P$ or $H$.');
  if (parsed === 'format') {
    fail(
      'invalid_phpass_hash_format',
      `A phpass hash is 34 characters: $P$ or $H$, a rounds character for 2^${LIMITS.phpassLog2.min}` +
        ` to 2^${LIMITS.phpassLog2.max} rounds, 8 salt and 22 hash characters.`,
    );
  }
  return hash;
}

export function isPhpass(stored: string): boolean {
  return stored.startsWith('$P$') || stored.startsWith('$H$');
}

/**
 * phpass's base64: little-endian 24-bit groups, 6 bits at a time from the low end; a final
 * partial group of n bytes yields n + 1 characters (16 bytes give 22 characters).
 */
export function encodePhpass64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const left = bytes.length - i;
    const value = (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16);
    const chars = left >= 3 ? 4 : left + 1;
    for (let k = 0; k < chars; k++) out += ITOA64.charAt((value >> (6 * k)) & 0x3f);
  }
  return out;
}

export async function verifyPhpass(stored: string, password: string): Promise<boolean> {
  const parsed = parsePhpass(stored);
  if (typeof parsed === 'string') return false;
  const pw = utf8(password);
  let h = createHash('md5').update(parsed.salt).update(pw).digest();
  const rounds = 2 ** parsed.log2Rounds;
  for (let done = 0; done < rounds; ) {
    const sliceEnd = Math.min(rounds, done + ROUNDS_PER_SLICE);
    for (; done < sliceEnd; done++) h = createHash('md5').update(h).update(pw).digest();
    if (done < rounds) await yieldToEventLoop();
  }
  return safeEqual(Buffer.from(encodePhpass64(h), 'ascii'), parsed.encoded);
}
