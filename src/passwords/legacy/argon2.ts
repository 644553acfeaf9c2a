/**
 * argon2i / argon2id, in PHC form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
 *
 * Imports arrive either as a PHC string (stored as received once parsed and bounded) or as a
 * raw hex hash plus argon_2_config, which is converted to the PHC form. The config salt is
 * the literal salt text: its UTF-8 bytes are the argon2 salt (Stytch documents it as "the
 * salt value" with no encoding; a system whose salts are not UTF-8 text must send PHC).
 * A raw hash carries no version, so it is taken as argon2 1.3 (v=19), what every current
 * library writes.
 *
 * Postern's own password hashes are argon2id PHC strings too, so verification parses only the
 * structure here: the import bounds apply to imported hashes, while our own parameters come
 * from configuration and may exceed them.
 *
 * A hash made with a pepper (POSTERN_PEPPER, argon2's secret input K) names the pepper's key in
 * the PHC string format's own optional argon2 parameter `keyid` (binary, at most 8 bytes,
 * base64): `$argon2id$v=19$m=…,t=…,p=…,keyid=YQ$salt$hash`. Only the hash pool holds the
 * peppers, so this module's verifyArgon2 never verifies such a hash, and an import may not
 * carry a keyid (the other system's secret is not ours).
 */
import { hashRaw } from '@node-rs/argon2';
import { LIMITS, type Argon2Config } from './types.js';
import {
  decodeHex,
  decodePhcBase64,
  encodePhcBase64,
  fail,
  isIntIn,
  isWellFormed,
  parsePhcParams,
  safeEqual,
  utf8,
} from './encoding.js';

export type Argon2Variant = 'argon2i' | 'argon2id';

export interface Argon2Phc {
  variant: Argon2Variant;
  /** 16 = argon2 1.0 (0x10), 19 = argon2 1.3 (0x13). */
  version: 16 | 19;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  salt: Buffer;
  hash: Buffer;
  /**
   * The pepper key id (`keyid`), when the hash was made with a pepper: the id's bytes as a
   * latin1 string (our ids are ASCII).
   */
  keyId?: string | undefined;
}

// @node-rs/argon2 declares Algorithm and Version as ambient const enums, which tsx erases
// to `undefined`; the numeric values are used instead (see src/passwords/hashing.ts).
const ALGORITHM = { argon2i: 1, argon2id: 2 } as const;
const VERSION = { 16: 0, 19: 1 } as const;

/** PHC's bound for argon2's `keyid`. */
export const ARGON2_KEY_ID_MAX_BYTES = 8;

/**
 * A ceiling for verifying any stored argon2 string: the widest parameters Postern's own
 * configuration can produce (src/config: 4 GiB, t ≤ 100, p ≤ 16). Not the import bounds, but
 * it keeps a corrupt stored value from asking the native code for terabytes, which would
 * abort the process rather than throw.
 */
const STORED_CEILING = { memoryKiB: 4194304, iterations: 100, parallelism: 16 } as const;

/**
 * Parses the PHC syntax only (no bounds at all); `undefined` when malformed. `m,t,p` may be
 * followed by `,keyid=<1 to 8 bytes in base64>` (a peppered hash), nothing else.
 */
export function parseArgon2Phc(stored: string): Argon2Phc | undefined {
  const [empty, id, v, params, saltText, hashText, ...rest] = stored.split('$');
  if (empty !== '' || rest.length > 0 || (id !== 'argon2i' && id !== 'argon2id')) return undefined;
  if ((v !== 'v=19' && v !== 'v=16') || params === undefined) return undefined;
  if (saltText === undefined || hashText === undefined) return undefined;
  const [m, t, par, keyIdParam, ...more] = params.split(',');
  if (more.length > 0) return undefined;
  const p = parsePhcParams(`${m},${t},${par}`, ['m', 't', 'p']);
  const keyId = keyIdParam === undefined ? undefined : parseKeyId(keyIdParam);
  const salt = decodePhcBase64(saltText);
  const hash = decodePhcBase64(hashText);
  if (p === undefined || keyId === null || salt === undefined || hash === undefined) return undefined;
  const version = v === 'v=19' ? 19 : 16;
  return { variant: id, version, memoryKiB: p.m, iterations: p.t, parallelism: p.p, salt, hash, keyId };
}

/** `keyid=<base64>` → the id; null when malformed. */
function parseKeyId(param: string): string | null {
  if (!param.startsWith('keyid=')) return null;
  const bytes = decodePhcBase64(param.slice('keyid='.length));
  if (bytes === undefined || bytes.length < 1 || bytes.length > ARGON2_KEY_ID_MAX_BYTES) return null;
  return bytes.toString('latin1');
}

/**
 * `phc` (an argon2 PHC string without a keyid, as the argon2 library writes it) with the
 * pepper key id added as the `keyid` parameter.
 */
export function withArgon2KeyId(phc: string, keyId: string): string {
  const parsed = parseArgon2Phc(phc);
  const bytes = Buffer.from(keyId, 'latin1');
  if (parsed === undefined || parsed.keyId !== undefined || bytes.length < 1 || bytes.length > ARGON2_KEY_ID_MAX_BYTES) {
    throw new Error('withArgon2KeyId: not an argon2 PHC string without a keyid, or a key id over 8 bytes');
  }
  return formatPhc({ ...parsed, keyId });
}

/**
 * What argon2 itself requires, up to the ceiling above. Exported for the hash pool's
 * synchronous verifier (hash-pool-sync.ts), which applies the same ceiling.
 */
export function withinStoredCeiling(a: Argon2Phc): boolean {
  return (
    isIntIn(a.iterations, 1, STORED_CEILING.iterations) &&
    isIntIn(a.parallelism, 1, STORED_CEILING.parallelism) &&
    isIntIn(a.memoryKiB, 8 * a.parallelism, STORED_CEILING.memoryKiB) &&
    a.salt.length >= 8 &&
    a.hash.length >= 4
  );
}

function formatPhc(a: Argon2Phc): string {
  const keyId = a.keyId === undefined ? '' : `,keyid=${encodePhcBase64(Buffer.from(a.keyId, 'latin1'))}`;
  return (
    `$${a.variant}$v=${a.version}$m=${a.memoryKiB},t=${a.iterations},p=${a.parallelism}${keyId}` +
    `$${encodePhcBase64(a.salt)}$${encodePhcBase64(a.hash)}`
  );
}

const A = LIMITS.argon2;

interface WorkFactors {
  iterations: number;
  memoryKiB: number;
  threads: number;
}

/** The Decision 15 bounds, shared by both input forms; checked before anything is stored. */
function checkBounds(iterations: unknown, memory: unknown, threads: unknown): WorkFactors {
  if (!isIntIn(iterations, A.iterations.min, A.iterations.max)) {
    fail(
      'invalid_argon_2_iteration_amount',
      `The argon2 iteration amount must be an integer from ${A.iterations.min} to ${A.iterations.max}.`,
    );
  }
  if (!isIntIn(threads, A.threads.min, A.threads.max)) {
    fail('invalid_argon_2_threads', `argon2 threads must be an integer from ${A.threads.min} to ${A.threads.max}.`);
  }
  // argon2 itself needs 8 KiB per lane.
  if (!isIntIn(memory, 8 * threads, A.memoryKiB.max)) {
    fail(
      'invalid_argon_2_memory',
      `argon2 memory must be an integer number of KiB from 8 per thread to ${A.memoryKiB.max}.`,
    );
  }
  return { iterations, memoryKiB: memory, threads };
}

function checkSaltLength(salt: Buffer): void {
  if (salt.length < A.saltBytes.min || salt.length > A.saltBytes.max) {
    fail('invalid_argon_2_salt', `The argon2 salt must be ${A.saltBytes.min} to ${A.saltBytes.max} bytes.`);
  }
}

function keyLengthError(): never {
  return fail(
    'invalid_argon_2_key_length',
    `The argon2 key length must be an integer from ${A.keyBytes.min} to ${A.keyBytes.max} bytes.`,
  );
}

export function importArgon2(
  variant: Argon2Variant,
  hash: string,
  config: Argon2Config | undefined,
): string {
  if (hash.startsWith('$')) return importPhc(variant, hash);
  const bytes = decodeHex(hash);
  if (bytes === undefined) {
    fail('invalid_hash', 'An argon2 hash must be a PHC string or the raw hash in hexadecimal.');
  }
  const work = checkBounds(config?.iterationAmount, config?.memory, config?.threads);
  const saltText: unknown = config?.salt;
  if (typeof saltText !== 'string' || !isWellFormed(saltText)) {
    fail('invalid_argon_2_salt', 'The argon2 salt must be given as a string of valid Unicode text.');
  }
  const salt = utf8(saltText);
  checkSaltLength(salt);
  const keyLength: unknown = config?.keyLength;
  if (keyLength !== undefined && !isIntIn(keyLength, A.keyBytes.min, A.keyBytes.max)) keyLengthError();
  if (keyLength !== undefined && keyLength !== bytes.length) {
    fail('argon_2_key_length_mismatch', `key_length does not match the hash, which is ${bytes.length} bytes.`);
  }
  if (bytes.length < A.keyBytes.min || bytes.length > A.keyBytes.max) keyLengthError();
  return formatPhc({
    variant,
    version: 19,
    memoryKiB: work.memoryKiB,
    iterations: work.iterations,
    parallelism: work.threads,
    salt,
    hash: bytes,
  });
}

function importPhc(variant: Argon2Variant, hash: string): string {
  const phc = parseArgon2Phc(hash);
  if (phc === undefined) {
    fail('invalid_hash', 'Not a valid argon2 PHC string ($argon2i$ or $argon2id$, v=19 or v=16, m, t, p).');
  }
  if (phc.keyId !== undefined) {
    fail('invalid_hash', 'An imported argon2 hash may not carry a keyid: it was made with a secret Postern does not hold.');
  }
  if (phc.variant !== variant) {
    fail('invalid_hash', `hash_type ${variant === 'argon2i' ? 'argon_2i' : 'argon_2id'} needs a $${variant}$ hash.`);
  }
  checkBounds(phc.iterations, phc.memoryKiB, phc.parallelism);
  checkSaltLength(phc.salt);
  if (phc.hash.length < A.keyBytes.min || phc.hash.length > A.keyBytes.max) keyLengthError();
  return hash;
}

export function isArgon2(stored: string): boolean {
  return stored.startsWith('$argon2i$') || stored.startsWith('$argon2id$');
}

/**
 * Recomputes the raw hash with the stored parameters (on libuv's pool, off the event loop)
 * and compares it in constant time with timingSafeEqual. A peppered hash (keyid) never
 * verifies here: only the hash pool holds the peppers.
 */
export async function verifyArgon2(stored: string, password: string): Promise<boolean> {
  const phc = parseArgon2Phc(stored);
  if (phc === undefined || phc.keyId !== undefined || !withinStoredCeiling(phc)) return false;
  const computed = await hashRaw(utf8(password), {
    algorithm: ALGORITHM[phc.variant],
    version: VERSION[phc.version],
    memoryCost: phc.memoryKiB,
    timeCost: phc.iterations,
    parallelism: phc.parallelism,
    outputLen: phc.hash.length,
    salt: phc.salt,
  });
  return safeEqual(computed, phc.hash);
}
