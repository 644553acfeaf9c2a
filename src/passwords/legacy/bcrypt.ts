/**
 * bcrypt modular-crypt hashes (`$2a$`, `$2b$`, `$2y$`), stored exactly as received.
 *
 * The three idents run the same algorithm for every password we can receive (`$2y$` is PHP's
 * name for the fixed `$2b$`; `$2a$` differs from them only for passwords longer than 255
 * bytes, which bcrypt truncates to 72 anyway). `$2x$` (crypt_blowfish's buggy 8-bit variant)
 * and `$2$` are refused: they hash non-ASCII passwords differently.
 *
 * Length: bcrypt reads only the first 72 bytes of the password, so for a longer password it
 * cannot tell the right one from a wrong one sharing those bytes. Postern refuses to verify a
 * password over 72 bytes against a bcrypt hash at all (such a user resets by email or
 * session); it never makes new bcrypt hashes, and a successful login rehashes to argon2id,
 * which reads every byte.
 */
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { LIMITS } from './types.js';
import { fail, safeEqual, utf8 } from './encoding.js';

const SHAPE = /^\$2[aby]\$([0-9]{2})\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export interface ParsedBcrypt {
  cost: number;
  salt: Buffer;
  /** The 31 characters of the digest, as ASCII bytes. */
  digest: Buffer;
}

type ParseResult = ParsedBcrypt | 'format' | 'cost';

/**
 * Parses and bounds a stored bcrypt string (shape, canonical padding bits, cost); exported for
 * the hash pool's synchronous verifier.
 */
export function parseBcrypt(stored: string): ParseResult {
  const m = SHAPE.exec(stored);
  if (!m) return 'format';
  const [, costText = '', saltText = '', digestText = ''] = m;
  // 22 characters carry 132 bits for a 128-bit salt, 31 carry 186 for a 184-bit digest. A
  // string whose unused low bits are set is not what any bcrypt emits, and never verifies
  // (bcrypt re-encodes canonically and compares), so it is refused at import.
  if (BCRYPT_ALPHABET.indexOf(saltText.slice(-1)) % 16 !== 0) return 'format';
  if (BCRYPT_ALPHABET.indexOf(digestText.slice(-1)) % 4 !== 0) return 'format';
  const cost = Number(costText);
  if (cost < LIMITS.bcryptCost.min || cost > LIMITS.bcryptCost.max) return 'cost';
  return { cost, salt: decodeBcryptBase64(saltText), digest: Buffer.from(digestText, 'ascii') };
}

/** bcrypt's base64 is standard base64 (same bit order) written in another alphabet. */
function decodeBcryptBase64(text: string): Buffer {
  let std = '';
  for (const ch of text) std += STD_ALPHABET[BCRYPT_ALPHABET.indexOf(ch)] ?? '';
  return Buffer.from(std, 'base64');
}

export function importBcrypt(hash: string): string {
  const parsed = parseBcrypt(hash);
  if (parsed === 'format') {
    fail(
      'invalid_bcrypt_hash',
      'A bcrypt hash must look like $2a$, $2b$ or $2y$, a two-digit cost, then 53 bcrypt-base64 characters.',
    );
  }
  if (parsed === 'cost') {
    fail(
      'invalid_bcrypt_cost',
      `The bcrypt cost must be from ${LIMITS.bcryptCost.min} to ${LIMITS.bcryptCost.max}.`,
    );
  }
  return hash;
}

/** bcrypt ignores every byte past the 72nd: such a password cannot be verified exactly. */
export const BCRYPT_MAX_BYTES = 72;

export function exceedsBcryptInput(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES;
}

export function isBcrypt(stored: string): boolean {
  return /^\$2[aby]\$/.test(stored);
}

/**
 * Recomputes bcrypt with the stored cost and salt and compares the digests ourselves in
 * constant time, rather than trusting how the library compares (and how it treats idents).
 */
export async function verifyBcrypt(stored: string, password: string): Promise<boolean> {
  const parsed = parseBcrypt(stored);
  if (typeof parsed === 'string' || exceedsBcryptInput(password)) return false;
  const computed = await bcryptHash(utf8(password), parsed.cost, parsed.salt);
  return safeEqual(Buffer.from(computed.slice(-31), 'ascii'), parsed.digest);
}
