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
 * The formats and their checks belong to src/passwords/legacy/, which this module reuses
 * wherever it exports them: the importers double as the stored-form validators (for bcrypt,
 * scrypt and phpass they run exactly the checks the async verifiers run), and only the
 * extraction of fields from an already validated string is done here. The argon2 ceiling and
 * the pbkdf2 stored-form parse are not exported, so they are restated below; the tests compare
 * this module with verifyStoredHash on every fixture and on malformed inputs, so a drift
 * between the two shows up as a failing test.
 */
import { hashRawSync, hashSync as argon2HashSync } from '@node-rs/argon2';
import { hashSync as bcryptHashSync } from '@node-rs/bcrypt';
import { createHash, pbkdf2Sync, scryptSync } from 'node:crypto';
import type { Argon2Params } from '../config/index.js';
import { isArgon2, parseArgon2Phc, type Argon2Phc } from './legacy/argon2.js';
import { exceedsBcryptInput, importBcrypt, isBcrypt } from './legacy/bcrypt.js';
import { isDigest, verifyDigest } from './legacy/digest.js';
import { decodePhcBase64, isIntIn, parsePhcParams, safeEqual, utf8 } from './legacy/encoding.js';
import { isPbkdf2 } from './legacy/pbkdf2.js';
import { encodePhpass64, importPhpass, isPhpass } from './legacy/phpass.js';
import { importScrypt, isScrypt } from './legacy/scrypt.js';
import { LIMITS } from './legacy/types.js';

// @node-rs/argon2 declares Algorithm and Version as ambient const enums, which tsx erases to
// `undefined`; the numeric values are used instead (as in hashing.ts and legacy/argon2.ts).
const ARGON2_ALGORITHM = { argon2i: 1, argon2id: 2 } as const;
const ARGON2_VERSION = { 16: 0, 19: 1 } as const;

/** The same argon2id PHC string hashPassword makes, computed on this thread. */
export function hashPasswordBlocking(password: string, params: Argon2Params): string {
  return argon2HashSync(password, {
    algorithm: ARGON2_ALGORITHM.argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  });
}

type Verifier = (stored: string, password: string) => boolean | Promise<boolean>;

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
 * never a throw), computed on the calling thread. The promise only carries the result: no
 * part of the work is left to libuv's threadpool.
 */
export async function verifyStoredHashBlocking(stored: string, password: string): Promise<boolean> {
  if (typeof stored !== 'string' || typeof password !== 'string') return false;
  const verifier = VERIFIERS.find(([matches]) => matches(stored))?.[1];
  if (verifier === undefined) return false;
  try {
    return (await verifier(stored, password)) === true;
  } catch {
    // Includes the AuthError an importer throws for a malformed stored value.
    return false;
  }
}

/**
 * legacy/argon2.ts's STORED_CEILING (not exported): the widest parameters src/config allows.
 * It stops a corrupt stored value from asking the native code for terabytes, which would
 * abort the whole process, workers included, rather than throw.
 */
const ARGON2_CEILING = { memoryKiB: 4194304, iterations: 100, parallelism: 16 } as const;

function withinArgon2Ceiling(a: Argon2Phc): boolean {
  return (
    isIntIn(a.iterations, 1, ARGON2_CEILING.iterations) &&
    isIntIn(a.parallelism, 1, ARGON2_CEILING.parallelism) &&
    isIntIn(a.memoryKiB, 8 * a.parallelism, ARGON2_CEILING.memoryKiB) &&
    a.salt.length >= 8 &&
    a.hash.length >= 4
  );
}

/** As legacy verifyArgon2: recompute the raw hash with the stored parameters, compare in constant time. */
function verifyArgon2Blocking(stored: string, password: string): boolean {
  const phc = parseArgon2Phc(stored);
  if (phc === undefined || !withinArgon2Ceiling(phc)) return false;
  const computed = hashRawSync(utf8(password), {
    algorithm: ARGON2_ALGORITHM[phc.variant],
    version: ARGON2_VERSION[phc.version],
    memoryCost: phc.memoryKiB,
    timeCost: phc.iterations,
    parallelism: phc.parallelism,
    outputLen: phc.hash.length,
    salt: phc.salt,
  });
  return safeEqual(computed, phc.hash);
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** bcrypt's base64 is standard base64 in another alphabet. */
function decodeBcryptBase64(text: string): Buffer {
  let std = '';
  for (const ch of text) std += STD_ALPHABET[BCRYPT_ALPHABET.indexOf(ch)] ?? '';
  return Buffer.from(std, 'base64');
}

/**
 * As legacy verifyBcrypt: recompute with the stored cost and salt and compare the digests
 * ourselves. importBcrypt throws unless the string has the exact shape, canonical padding bits
 * and a cost within bounds, so the fixed offsets below are safe: `$2b$` 4, cost 2, `$` 1,
 * salt 22, digest 31. A password over bcrypt's 72 input bytes is never verified (bcrypt could
 * not tell it from a wrong one sharing those bytes).
 */
function verifyBcryptBlocking(stored: string, password: string): boolean {
  importBcrypt(stored);
  if (exceedsBcryptInput(password)) return false;
  // bcrypt cannot tell passwords apart past 72 bytes: never verify one (see legacy/bcrypt.ts).
  if (exceedsBcryptInput(password)) return false;
  const cost = Number(stored.slice(4, 6));
  const salt = decodeBcryptBase64(stored.slice(7, 29));
  const computed = bcryptHashSync(utf8(password), cost, salt);
  return safeEqual(Buffer.from(computed.slice(-31), 'ascii'), Buffer.from(stored.slice(29), 'ascii'));
}

/**
 * As legacy verifyScrypt. importScrypt on a `$scrypt$` string parses it and applies the same
 * bounds verifyScrypt applies (N, 128·N·r·p, salt and key lengths), throwing otherwise; after
 * that the fields are known to decode.
 */
function verifyScryptBlocking(stored: string, password: string): boolean {
  importScrypt(stored, undefined);
  const [, , params = '', saltText = '', hashText = ''] = stored.split('$');
  const n = parsePhcParams(params, ['ln', 'r', 'p']);
  const salt = decodePhcBase64(saltText);
  const hash = decodePhcBase64(hashText);
  if (n === undefined || salt === undefined || hash === undefined) return false;
  const N = 2 ** n.ln;
  // Node's default maxmem (32 MiB) is below what the accepted parameters may need; allow what
  // these need plus slack, exactly as legacy/scrypt.ts does.
  const maxmem = 128 * n.r * (N + 2) + 128 * n.r * n.p + 1024 * 1024;
  const computed = scryptSync(utf8(password), salt, hash.length, { N, r: n.r, p: n.p, maxmem });
  return safeEqual(computed, hash);
}

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * As legacy verifyPhpass, without its slicing: that yields to the event loop every 2048 md5
 * rounds because it runs on the main thread; a worker may simply block. importPhpass checks
 * the prefix, the 34-character shape, the rounds bound and the final character.
 */
function verifyPhpassBlocking(stored: string, password: string): boolean {
  importPhpass(stored);
  const rounds = 2 ** ITOA64.indexOf(stored.charAt(3));
  const pw = utf8(password);
  let h = createHash('md5').update(Buffer.from(stored.slice(4, 12), 'ascii')).update(pw).digest();
  for (let i = 0; i < rounds; i++) h = createHash('md5').update(h).update(pw).digest();
  return safeEqual(Buffer.from(encodePhpass64(h), 'ascii'), Buffer.from(stored.slice(12), 'ascii'));
}

const P = LIMITS.pbkdf2;

/**
 * As legacy verifyPbkdf2, whose stored-form parser is not exported (its importer takes the
 * wire form, not the stored one), so the parse and the verify-time bounds are restated here.
 */
function verifyPbkdf2Blocking(stored: string, password: string): boolean {
  const [empty, id, params, saltText, hashText, ...rest] = stored.split('$');
  if (empty !== '' || rest.length > 0 || saltText === undefined || hashText === undefined) return false;
  const digest = id === 'postern-pbkdf2-sha256' ? 'sha256' : id === 'postern-pbkdf2-sha512' ? 'sha512' : undefined;
  const i = parsePhcParams(params ?? '', ['i']);
  const salt = decodePhcBase64(saltText);
  const hash = decodePhcBase64(hashText);
  if (digest === undefined || i === undefined || salt === undefined || hash === undefined) return false;
  if (
    !isIntIn(i.i, P.iterations.min, P.iterations.max) ||
    !isIntIn(salt.length, P.saltBytes.min, P.saltBytes.max) ||
    !isIntIn(hash.length, P.keyBytes.min, P.keyBytes.max)
  ) {
    return false;
  }
  return safeEqual(pbkdf2Sync(utf8(password), salt, i.i, hash.length, digest), hash);
}
