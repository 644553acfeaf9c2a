/**
 * pbkdf_2: a base64 PBKDF2-HMAC hash with pbkdf_2_config {salt (base64), iteration_amount,
 * key_length, algorithm "sha256" (default) | "sha512"}; the config is required.
 *
 * Stored form: `$postern-pbkdf2-<sha256|sha512>$i=<iterations>$<salt>$<hash>`, salt and hash
 * in standard base64 without padding; the key length is the hash's length. The prefix is our
 * own (passlib's `$pbkdf2-sha256$` uses a different base64 alphabet), so no string can be read
 * as the wrong format.
 */
import { pbkdf2 } from 'node:crypto';
import { LIMITS, type Pbkdf2Config } from './types.js';
import {
  decodeBase64,
  decodePhcBase64,
  encodePhcBase64,
  fail,
  isIntIn,
  parsePhcParams,
  safeEqual,
  utf8,
} from './encoding.js';

type Digest = 'sha256' | 'sha512';

export interface Pbkdf2Hash {
  digest: Digest;
  iterations: number;
  salt: Buffer;
  hash: Buffer;
}

const P = LIMITS.pbkdf2;

const inBounds = (h: Pbkdf2Hash): boolean =>
  isIntIn(h.iterations, P.iterations.min, P.iterations.max) &&
  isIntIn(h.salt.length, P.saltBytes.min, P.saltBytes.max) &&
  isIntIn(h.hash.length, P.keyBytes.min, P.keyBytes.max);

function format(h: Pbkdf2Hash): string {
  return `$postern-pbkdf2-${h.digest}$i=${h.iterations}$${encodePhcBase64(h.salt)}$${encodePhcBase64(h.hash)}`;
}

/**
 * Parses and bounds a stored `$postern-pbkdf2-…$` string; `undefined` when malformed or out of
 * bounds. Exported for the hash pool's synchronous verifier.
 */
export function parsePbkdf2(stored: string): Pbkdf2Hash | undefined {
  const [empty, id, params, saltText, hashText, ...rest] = stored.split('$');
  if (empty !== '' || rest.length > 0 || saltText === undefined || hashText === undefined) return undefined;
  const digest = id === 'postern-pbkdf2-sha256' ? 'sha256' : id === 'postern-pbkdf2-sha512' ? 'sha512' : undefined;
  const i = parsePhcParams(params ?? '', ['i']);
  const salt = decodePhcBase64(saltText);
  const hash = decodePhcBase64(hashText);
  if (digest === undefined || i === undefined || salt === undefined || hash === undefined) return undefined;
  const parsed: Pbkdf2Hash = { digest, iterations: i.i, salt, hash };
  // Bounds again at verify time: a stored value can never ask for more work than an import.
  return inBounds(parsed) ? parsed : undefined;
}

export function importPbkdf2(hash: string, config: Pbkdf2Config | undefined): string {
  const bytes = decodeBase64(hash);
  if (bytes === undefined || bytes.length < P.keyBytes.min || bytes.length > P.keyBytes.max) {
    fail('invalid_pbkdf_2_hash', `The PBKDF2 hash must be base64 of ${P.keyBytes.min} to ${P.keyBytes.max} bytes.`);
  }
  // "Defaults to sha256": absent, and the empty string a client sends for an unset field.
  const algorithm: unknown = config?.algorithm;
  if (algorithm !== undefined && algorithm !== '' && algorithm !== 'sha256' && algorithm !== 'sha512') {
    fail('invalid_pbkdf_2_algorithm', 'pbkdf_2_config.algorithm must be "sha256" or "sha512".');
  }
  const saltText: unknown = config?.salt;
  const salt = typeof saltText === 'string' ? decodeBase64(saltText) : undefined;
  if (salt === undefined || salt.length < P.saltBytes.min || salt.length > P.saltBytes.max) {
    fail('invalid_pbkdf_2_salt', `pbkdf_2_config.salt must be base64 of ${P.saltBytes.min} to ${P.saltBytes.max} bytes.`);
  }
  const iterations: unknown = config?.iterationAmount;
  if (!isIntIn(iterations, P.iterations.min, P.iterations.max)) {
    fail(
      'invalid_pbkdf_2_iteration_amount',
      `pbkdf_2_config.iteration_amount must be an integer from ${P.iterations.min} to ${P.iterations.max}.`,
    );
  }
  const keyLength: unknown = config?.keyLength;
  if (keyLength !== undefined && keyLength !== bytes.length) {
    fail('pbkdf_2_key_length_mismatch', `key_length does not match the hash, which is ${bytes.length} bytes.`);
  }
  const digest: Digest = algorithm === 'sha512' ? 'sha512' : 'sha256';
  return format({ digest, iterations, salt, hash: bytes });
}

export function isPbkdf2(stored: string): boolean {
  return stored.startsWith('$postern-pbkdf2-');
}

export async function verifyPbkdf2(stored: string, password: string): Promise<boolean> {
  const h = parsePbkdf2(stored);
  if (h === undefined) return false;
  const computed = await new Promise<Buffer>((resolve, reject) => {
    // Up to 10M HMAC rounds: the async form keeps them on libuv's pool, off the event loop.
    pbkdf2(utf8(password), h.salt, h.iterations, h.hash.length, h.digest, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
  return safeEqual(computed, h.hash);
}
