/**
 * Hashing and verification that compute on the calling thread, for the hash pool's workers.
 *
 * Why not just call hashPassword / verifyStoredHash inside the worker: their async forms
 * (@node-rs/argon2 `hash`/`hashRaw`, @node-rs/bcrypt `hash`, node:crypto `scrypt`/`pbkdf2`)
 * queue the computation on libuv's threadpool, and that pool is one per process, shared by
 * every worker thread and by the main thread. It has 4 threads by default, and WebCrypto
 * (jose's RS256 signing for session JWTs), fs and dns.lookup use it too. Hashing there would
 * put JWT signing in line behind password hashes, which is exactly what the pool exists to
 * prevent. A worker thread may block, so here every algorithm runs synchronously and the
 * libuv threadpool is never touched (docs/hashing.md has the measurements).
 *
 * The formats and their checks belong to src/passwords/legacy/, which this module reuses: each
 * legacy file exports its parser (shape, canonical padding bits, work-factor bounds), and only
 * the computation is done here, synchronously. The tests compare this module with
 * verifyStoredHash on every fixture and on malformed inputs.
 *
 * The pepper (POSTERN_PEPPER) is applied here, as argon2's secret input; docs/hashing.md says
 * why that and not an HMAC before hashing.
 */
import { hashRawSync, hashSync as argon2HashSync } from '@node-rs/argon2';
import { hashSync as bcryptHashSync } from '@node-rs/bcrypt';
import { createHash, pbkdf2Sync, scryptSync } from 'node:crypto';
import type { Argon2Params } from '../config/index.js';
import { isArgon2, parseArgon2Phc, withArgon2KeyId, withinStoredCeiling } from './legacy/argon2.js';
import { exceedsBcryptInput, isBcrypt, parseBcrypt } from './legacy/bcrypt.js';
import { isDigest, verifyDigest } from './legacy/digest.js';
import { safeEqual, utf8 } from './legacy/encoding.js';
import { isPbkdf2, parsePbkdf2 } from './legacy/pbkdf2.js';
import { encodePhpass64, isPhpass, parsePhpass } from './legacy/phpass.js';
import { isScrypt, parseScryptPhc, scryptOptions } from './legacy/scrypt.js';

/** A pepper as the workers hold it: the key id written into hashes, and the secret bytes. */
export interface WorkerPepper {
  id: string;
  secret: Uint8Array;
}

/** Peppers by key id. */
export type PepperSecrets = ReadonlyMap<string, Uint8Array>;

const NO_PEPPERS: PepperSecrets = new Map();

// @node-rs/argon2 declares Algorithm and Version as ambient const enums, which tsx erases to
// `undefined`; the numeric values are used instead (as in hashing.ts and legacy/argon2.ts).
const ARGON2_ALGORITHM = { argon2i: 1, argon2id: 2 } as const;
const ARGON2_VERSION = { 16: 0, 19: 1 } as const;

/**
 * The same argon2id PHC string hashPassword makes, computed on this thread. With a pepper, the
 * pepper is argon2's secret input and its key id is written into the string (`keyid`).
 */
export function hashPasswordBlocking(password: string, params: Argon2Params, pepper?: WorkerPepper): string {
  const phc = argon2HashSync(password, {
    algorithm: ARGON2_ALGORITHM.argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
    ...(pepper === undefined ? {} : { secret: pepper.secret }),
  });
  return pepper === undefined ? phc : withArgon2KeyId(phc, pepper.id);
}

type Verifier = (stored: string, password: string, peppers: PepperSecrets) => boolean | Promise<boolean>;

/** In the order of legacy/index.ts, so a string is routed to the same format there and here. */
const VERIFIERS: readonly (readonly [(stored: string) => boolean, Verifier])[] = [
  [isArgon2, verifyArgon2Blocking],
  [isBcrypt, verifyBcryptBlocking],
  [isScrypt, verifyScryptBlocking],
  [isPhpass, verifyPhpassBlocking],
  // Microseconds of hashing done synchronously inside an already-resolved promise: it never
  // reaches the threadpool, so the legacy function is used as it is.
  [isDigest, verifyDigest],
  [isPbkdf2, verifyPbkdf2Blocking],
];

/**
 * verifyStoredHash's contract (any stored form, `false` for anything malformed or failing,
 * never a throw), computed on the calling thread; a peppered argon2 hash verifies with the
 * pepper its key id names, and never when that key is not in `peppers`. The promise only
 * carries the result: no part of the work is left to libuv's threadpool.
 */
export async function verifyStoredHashBlocking(stored: string, password: string, peppers: PepperSecrets = NO_PEPPERS): Promise<boolean> {
  if (typeof stored !== 'string' || typeof password !== 'string') return false;
  const verifier = VERIFIERS.find(([matches]) => matches(stored))?.[1];
  if (verifier === undefined) return false;
  try {
    return (await verifier(stored, password, peppers)) === true;
  } catch {
    // A failure inside a hash function is a failed verify, never an exception.
    return false;
  }
}

/**
 * As legacy verifyArgon2 (recompute the raw hash with the stored parameters, compare in constant
 * time), within the same ceiling, plus the pepper. A hash naming a key that is not configured
 * costs the same work (computed without a secret) and is false: the caller is told about the
 * missing key by the pool, which sees the key id before the job is sent.
 */
function verifyArgon2Blocking(stored: string, password: string, peppers: PepperSecrets): boolean {
  const phc = parseArgon2Phc(stored);
  if (phc === undefined || !withinStoredCeiling(phc)) return false;
  const secret = phc.keyId === undefined ? undefined : peppers.get(phc.keyId);
  const computed = hashRawSync(utf8(password), {
    algorithm: ARGON2_ALGORITHM[phc.variant],
    version: ARGON2_VERSION[phc.version],
    memoryCost: phc.memoryKiB,
    timeCost: phc.iterations,
    parallelism: phc.parallelism,
    outputLen: phc.hash.length,
    salt: phc.salt,
    ...(secret === undefined ? {} : { secret }),
  });
  const keyKnown = phc.keyId === undefined || secret !== undefined;
  return safeEqual(computed, phc.hash) && keyKnown;
}

/**
 * As legacy verifyBcrypt: recompute with the stored cost and salt and compare the digests
 * ourselves. parseBcrypt refuses anything but the exact shape, canonical padding bits and a
 * cost within bounds. A password over bcrypt's 72 input bytes is never verified (bcrypt could
 * not tell it from a wrong one sharing those bytes).
 */
function verifyBcryptBlocking(stored: string, password: string): boolean {
  const parsed = parseBcrypt(stored);
  if (typeof parsed === 'string' || exceedsBcryptInput(password)) return false;
  const computed = bcryptHashSync(utf8(password), parsed.cost, parsed.salt);
  return safeEqual(Buffer.from(computed.slice(-31), 'ascii'), parsed.digest);
}

/** As legacy verifyScrypt, with the same parser, bounds and memory allowance. */
function verifyScryptBlocking(stored: string, password: string): boolean {
  const parsed = parseScryptPhc(stored);
  if ('error' in parsed) return false;
  const computed = scryptSync(utf8(password), parsed.salt, parsed.hash.length, scryptOptions(parsed));
  return safeEqual(computed, parsed.hash);
}

/**
 * As legacy verifyPhpass, without its slicing: that yields to the event loop every 2048 md5
 * rounds because it runs on the main thread; a worker may simply block.
 */
function verifyPhpassBlocking(stored: string, password: string): boolean {
  const parsed = parsePhpass(stored);
  if (typeof parsed === 'string') return false;
  const rounds = 2 ** parsed.log2Rounds;
  const pw = utf8(password);
  let h = createHash('md5').update(parsed.salt).update(pw).digest();
  for (let i = 0; i < rounds; i++) h = createHash('md5').update(h).update(pw).digest();
  return safeEqual(Buffer.from(encodePhpass64(h), 'ascii'), parsed.encoded);
}

/** As legacy verifyPbkdf2, with its parser (which applies the verify-time bounds). */
function verifyPbkdf2Blocking(stored: string, password: string): boolean {
  const h = parsePbkdf2(stored);
  if (h === undefined) return false;
  return safeEqual(pbkdf2Sync(utf8(password), h.salt, h.iterations, h.hash.length, h.digest), h.hash);
}
