/**
 * Legacy (migrated) password hashes: POST /v1/passwords/migrate imports them with importHash,
 * login verifies any stored hash with verifyStoredHash, and needsRehash says when a
 * successful login should replace the stored hash with a fresh argon2id one.
 *
 * Stored forms (the value of passwords.hash), each self-describing by its prefix:
 *   bcrypt   `$2a$` `$2b$` `$2y$` modular crypt, as received
 *   argon2   `$argon2i$` / `$argon2id$` PHC (raw hex + config is converted to PHC)
 *   scrypt   `$scrypt$ln=…,r=…,p=…$salt$hash` PHC (raw base64 + config is converted to PHC)
 *   phpass   `$P$` / `$H$`, as received
 *   md5/sha  `$postern-md5$…`, `$postern-sha1$…`, `$postern-sha512$…`
 *   pbkdf2   `$postern-pbkdf2-sha256$…`, `$postern-pbkdf2-sha512$…`
 * Passwords are hashed as the UTF-8 bytes received: no trimming, normalization or folding.
 */
import { importArgon2, isArgon2, parseArgon2Phc, verifyArgon2 } from './argon2.js';
import { importBcrypt, isBcrypt, verifyBcrypt } from './bcrypt.js';
import { importDigest, isDigest, verifyDigest } from './digest.js';
import { fail } from './encoding.js';
import { importPbkdf2, isPbkdf2, verifyPbkdf2 } from './pbkdf2.js';
import { importPhpass, isPhpass, verifyPhpass } from './phpass.js';
import { importScrypt, isScrypt, verifyScrypt } from './scrypt.js';
import { HASH_TYPES, isHashType, LIMITS, type MigrateHashInput } from './types.js';

export { HASH_TYPES, LIMITS, isHashType };
export type {
  Argon2Config,
  HashType,
  MigrateHashInput,
  Pbkdf2Config,
  SaltConfig,
  ScryptConfig,
} from './types.js';

/**
 * Validates a migrate request's hash (throwing AuthError with the spec's invalid_* type) and
 * returns the string to store in passwords.hash. No hashing happens here, so out-of-bound
 * work factors are refused before any work is spent on them. Configs for other hash types
 * than the one named are ignored.
 */
export function importHash(input: MigrateHashInput): string {
  const { hashType, hash } = input;
  if (!isHashType(hashType)) {
    fail('invalid_hash_type', `hash_type must be one of ${HASH_TYPES.join(', ')}.`);
  }
  if (typeof hash !== 'string' || hash.length === 0) fail('invalid_hash', 'hash must be a non-empty string.');
  if (hash.length > LIMITS.hashChars) fail('invalid_hash', `hash must be at most ${LIMITS.hashChars} characters.`);
  switch (hashType) {
    case 'bcrypt':
      return importBcrypt(hash);
    case 'md_5':
      return importDigest('md_5', hash, input.md5Config);
    case 'sha_1':
      return importDigest('sha_1', hash, input.sha1Config);
    case 'sha_512':
      return importDigest('sha_512', hash, input.sha512Config);
    case 'argon_2i':
      return importArgon2('argon2i', hash, input.argon2Config);
    case 'argon_2id':
      return importArgon2('argon2id', hash, input.argon2Config);
    case 'scrypt':
      return importScrypt(hash, input.scryptConfig);
    case 'pbkdf_2':
      return importPbkdf2(hash, input.pbkdf2Config);
    case 'phpass':
      return importPhpass(hash);
  }
}

type Verifier = (stored: string, password: string) => Promise<boolean>;

const VERIFIERS: readonly (readonly [(stored: string) => boolean, Verifier])[] = [
  [isArgon2, verifyArgon2],
  [isBcrypt, verifyBcrypt],
  [isScrypt, verifyScrypt],
  [isPhpass, verifyPhpass],
  [isDigest, verifyDigest],
  [isPbkdf2, verifyPbkdf2],
];

/**
 * Verifies a password against any stored hash: Postern's own argon2id PHC strings and every
 * imported form. A malformed or unknown stored value, or any failure inside a hash function,
 * is simply `false`: this never throws, so no caller can turn an exception into a bypass.
 */
export async function verifyStoredHash(stored: string, password: string): Promise<boolean> {
  if (typeof stored !== 'string' || typeof password !== 'string') return false;
  const verifier = VERIFIERS.find(([matches]) => matches(stored))?.[1];
  if (verifier === undefined) return false;
  try {
    return (await verifier(stored, password)) === true;
  } catch {
    return false;
  }
}

/**
 * True unless `stored` is an argon2id (v=19) hash at least as strong as `params`, with at
 * least the 16-byte salt and 32-byte output our own hashes have, made with the current pepper
 * (`pepperKeyId`, null when none is configured). Every legacy form, argon2i, weaker argon2id
 * hashes, and hashes without the current pepper should be replaced after the next successful
 * login.
 */
export function needsRehash(
  stored: string,
  params: { memoryKiB: number; iterations: number; parallelism: number },
  pepperKeyId: string | null = null,
): boolean {
  const phc = typeof stored === 'string' ? parseArgon2Phc(stored) : undefined;
  if (phc === undefined) return true;
  return !(
    (phc.keyId ?? null) === pepperKeyId &&
    phc.variant === 'argon2id' &&
    phc.version === 19 &&
    phc.memoryKiB >= params.memoryKiB &&
    phc.iterations >= params.iterations &&
    phc.parallelism >= params.parallelism &&
    phc.salt.length >= 16 &&
    phc.hash.length >= 32
  );
}
