/**
 * Input shape and bounds of the legacy-hash importer (POST /v1/passwords/migrate).
 *
 * The bounds exist so that one migrate call cannot make the server spend seconds or gigabytes
 * on a single later verify (docs: security.md "Imported hashes have bounded work factors";
 * spec §13 Decision 15). They are checked when a hash is imported, before anything is stored,
 * and again when a stored legacy hash is verified (argon2 excepted: Postern's own argon2id
 * hashes share that format and follow the server's configuration instead). Lowering a bound
 * later would make already imported hashes above it unverifiable (those users would need a
 * reset), so only ever raise them.
 */

export const HASH_TYPES = [
  'bcrypt',
  'md_5',
  'argon_2i',
  'argon_2id',
  'sha_1',
  'sha_512',
  'scrypt',
  'phpass',
  'pbkdf_2',
] as const;

export type HashType = (typeof HASH_TYPES)[number];

export function isHashType(value: unknown): value is HashType {
  return typeof value === 'string' && (HASH_TYPES as readonly string[]).includes(value);
}

/** md_5 / sha_1 / sha_512: the digest is of prepend_salt + password + append_salt. */
export interface SaltConfig {
  prependSalt?: string;
  appendSalt?: string;
}

export interface Argon2Config {
  /** The literal salt text; its UTF-8 bytes are the argon2 salt. */
  salt?: string;
  iterationAmount?: number;
  /** KiB, as in argon2's `m` parameter. */
  memory?: number;
  threads?: number;
  keyLength?: number;
}

export interface ScryptConfig {
  /** Base64 (standard or URL alphabet, padding optional). */
  salt?: string;
  nParameter?: number;
  rParameter?: number;
  pParameter?: number;
  keyLength?: number;
}

export interface Pbkdf2Config {
  /** Base64 (standard or URL alphabet, padding optional). */
  salt?: string;
  iterationAmount?: number;
  keyLength?: number;
  /** "sha256" (the default, also when empty) or "sha512". */
  algorithm?: string;
}

export interface MigrateHashInput {
  /** Validated: anything outside HASH_TYPES is `invalid_hash_type`. */
  hashType: string;
  /** Empty is `invalid_hash`. */
  hash: string;
  md5Config?: SaltConfig;
  sha1Config?: SaltConfig;
  sha512Config?: SaltConfig;
  argon2Config?: Argon2Config;
  scryptConfig?: ScryptConfig;
  pbkdf2Config?: Pbkdf2Config;
}

export const LIMITS = {
  /** Longest `hash` accepted at all; every real format is far shorter (argon2 raw: 256 hex). */
  hashChars: 1024,
  /** md_5/sha_1/sha_512 salts, in UTF-8 bytes. Real systems use a few dozen at most. */
  digestSaltBytes: 256,
  /** bcrypt: 4 is the algorithm's minimum; 16 (about 4 s of one core) is Decision 15's cap. */
  bcryptCost: { min: 4, max: 16 },
  /** argon2 per Decision 15; memory is also at least 8 KiB per lane, as argon2 requires. */
  argon2: {
    iterations: { min: 1, max: 10 },
    memoryKiB: { max: 262144 },
    threads: { min: 1, max: 8 },
    /** Salt bytes: 8 is argon2's minimum. */
    saltBytes: { min: 8, max: 64 },
    /**
     * Output bytes. Below 16 a random password would match with a probability an online
     * attacker could afford (a 4-byte output: 1 in 2^32), so such hashes are refused.
     */
    keyBytes: { min: 16, max: 128 },
  },
  scrypt: {
    /** log2 N: N must be a power of two > 1 and at most 2^20 (Decision 15). */
    log2N: { min: 1, max: 20 },
    /**
     * 128·N·r bytes is scrypt's memory and N·r·p its work; bounding 128·N·r·p by 256 MiB caps
     * both (one such verify takes under a second of one core here).
     */
    maxCostBytes: 256 * 1024 * 1024,
    saltBytes: { min: 1, max: 64 },
    keyBytes: { min: 16, max: 128 },
  },
  pbkdf2: {
    /** Decision 15. 10M rounds of HMAC-SHA512 cost several seconds, off the event loop. */
    iterations: { min: 1, max: 10_000_000 },
    saltBytes: { min: 1, max: 64 },
    keyBytes: { min: 16, max: 64 },
  },
  /**
   * phpass: log2 of the md5 rounds. phpass itself allows 7..30; WordPress writes 13 and phpBB
   * 11. 16 (65,536 md5 calls, about 0.1 s here) keeps one verify cheap.
   */
  phpassLog2: { min: 7, max: 16 },
} as const;
