/**
 * scrypt, stored in the PHC form passlib writes: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`
 * (standard base64 without padding). A PHC input is stored as received once checked; a raw
 * base64 hash with scrypt_config (salt in base64, as Stytch documents) is converted to it.
 *
 * Bounds (Decision 15): N a power of two from 2 to 2^20, and 128·N·r·p ≤ 256 MiB, which
 * bounds both the memory (128·N·r) and the work (∝ N·r·p) of one verify. They are applied
 * again at verify time, so a stored value can never ask for more.
 */
import { scrypt, type ScryptOptions } from 'node:crypto';
import type { ErrorType } from '../../errors.js';
import { LIMITS, type ScryptConfig } from './types.js';
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

export interface ScryptHash {
  log2N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

export interface Problem {
  error: ErrorType;
  message: string;
}

const problem = (error: ErrorType, message: string): Problem => ({ error, message });

const S = LIMITS.scrypt;

function problemOf(s: ScryptHash): Problem | undefined {
  if (!isIntIn(s.log2N, S.log2N.min, S.log2N.max)) {
    return problem('invalid_scrypt_n_parameter', `N must be a power of two from 2 to 2^${S.log2N.max}.`);
  }
  if (!isIntIn(s.r, 1, 2 ** 30) || !isIntIn(s.p, 1, 2 ** 30)) {
    return problem('invalid_scrypt_parameters', 'r and p must be positive integers.');
  }
  if (128 * 2 ** s.log2N * s.r * s.p > S.maxCostBytes) {
    return problem('invalid_scrypt_parameters', `128·N·r·p must be at most ${S.maxCostBytes} (256 MiB).`);
  }
  if (s.salt.length < S.saltBytes.min || s.salt.length > S.saltBytes.max) {
    return problem('invalid_scrypt_salt_length', `The scrypt salt must be ${S.saltBytes.min} to ${S.saltBytes.max} bytes.`);
  }
  if (s.hash.length < S.keyBytes.min || s.hash.length > S.keyBytes.max) {
    return problem('invalid_base64_scrypt_hash', `The scrypt hash must be ${S.keyBytes.min} to ${S.keyBytes.max} bytes.`);
  }
  return undefined;
}

/**
 * Parses and bounds a `$scrypt$` PHC string (a Problem says what is wrong). Exported for the
 * hash pool's synchronous verifier.
 */
export function parseScryptPhc(text: string): ScryptHash | Problem {
  const [empty, id, params, saltText, hashText, ...rest] = text.split('$');
  if (empty !== '' || id !== 'scrypt' || rest.length > 0 || saltText === undefined || hashText === undefined) {
    return problem('invalid_hash', 'A scrypt PHC string looks like $scrypt$ln=…,r=…,p=…$salt$hash.');
  }
  const n = parsePhcParams(params ?? '', ['ln', 'r', 'p']);
  if (n === undefined) return problem('invalid_scrypt_parameters', 'The PHC parameters must be ln=…,r=…,p=….');
  const salt = decodePhcBase64(saltText);
  if (salt === undefined) return problem('invalid_base64_scrypt_salt', 'The scrypt salt is not valid base64.');
  const hash = decodePhcBase64(hashText);
  if (hash === undefined) return problem('invalid_base64_scrypt_hash', 'The scrypt hash is not valid base64.');
  const parsed = { log2N: n.ln, r: n.r, p: n.p, salt, hash };
  return problemOf(parsed) ?? parsed;
}

function formatPhc(s: ScryptHash): string {
  return `$scrypt$ln=${s.log2N},r=${s.r},p=${s.p}$${encodePhcBase64(s.salt)}$${encodePhcBase64(s.hash)}`;
}

export function importScrypt(hash: string, config: ScryptConfig | undefined): string {
  if (hash.startsWith('$')) {
    const parsed = parseScryptPhc(hash);
    if ('error' in parsed) fail(parsed.error, parsed.message);
    return hash;
  }
  const bytes = decodeBase64(hash);
  if (bytes === undefined) fail('invalid_base64_scrypt_hash', 'The scrypt hash must be base64 (or a PHC string).');
  const saltText: unknown = config?.salt;
  const salt = typeof saltText === 'string' ? decodeBase64(saltText) : undefined;
  if (salt === undefined) fail('invalid_base64_scrypt_salt', 'scrypt_config.salt must be base64.');
  const n: unknown = config?.nParameter;
  if (!isIntIn(n, 2, 2 ** S.log2N.max) || (n & (n - 1)) !== 0) {
    fail('invalid_scrypt_n_parameter', `n_parameter must be a power of two from 2 to 2^${S.log2N.max}.`);
  }
  const r: unknown = config?.rParameter;
  const p: unknown = config?.pParameter;
  if (!isIntIn(r, 1, 2 ** 30) || !isIntIn(p, 1, 2 ** 30)) {
    fail('invalid_scrypt_parameters', 'r_parameter and p_parameter must be positive integers.');
  }
  const keyLength: unknown = config?.keyLength;
  if (keyLength !== undefined && keyLength !== bytes.length) {
    fail('scrypt_key_length_mismatch', `key_length does not match the hash, which is ${bytes.length} bytes.`);
  }
  const parsed: ScryptHash = { log2N: Math.log2(n), r, p, salt, hash: bytes };
  const wrong = problemOf(parsed);
  if (wrong !== undefined) fail(wrong.error, wrong.message);
  return formatPhc(parsed);
}

export function isScrypt(stored: string): boolean {
  return stored.startsWith('$scrypt$');
}

/** node:crypto's scrypt options for a parsed hash (also used by the hash pool's synchronous verifier). */
export function scryptOptions(s: ScryptHash): ScryptOptions {
  const N = 2 ** s.log2N;
  // OpenSSL refuses to run above `maxmem` (Node's default is 32 MiB, too small for N=2^15,
  // r=8): allow what these parameters need (V: 128·r·(N+2), B: 128·r·p) plus slack.
  const maxmem = 128 * s.r * (N + 2) + 128 * s.r * s.p + 1024 * 1024;
  return { N, r: s.r, p: s.p, maxmem };
}

export async function verifyScrypt(stored: string, password: string): Promise<boolean> {
  const s = parseScryptPhc(stored);
  if ('error' in s) return false;
  const computed = await new Promise<Buffer>((resolve, reject) => {
    // The async form runs on libuv's pool, so the event loop stays free.
    scrypt(utf8(password), s.salt, s.hash.length, scryptOptions(s), (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
  return safeEqual(computed, s.hash);
}
