/**
 * md_5, sha_1 and sha_512: a bare hex digest of prepend_salt + password + append_salt.
 *
 * These are fast, unstretched hashes: we accept them only so that users can be moved off
 * them. A successful login rehashes to argon2id (see needsRehash).
 *
 * Stored form: `$postern-<alg>$<prepend>$<append>$<hex>`, the salts as unpadded base64url of
 * their UTF-8 bytes (so a salt containing `$` cannot break the parse) and the digest in
 * lowercase hex. Salts are literal strings (Decision 15): "abc" means the bytes 61 62 63.
 */
import { createHash } from 'node:crypto';
import type { ErrorType } from '../../errors.js';
import { LIMITS, type SaltConfig } from './types.js';
import {
  decodeBase64Url,
  decodeHex,
  encodeBase64Url,
  fail,
  isWellFormed,
  safeEqual,
  utf8,
} from './encoding.js';

export type DigestHashType = 'md_5' | 'sha_1' | 'sha_512';

interface DigestSpec {
  algorithm: 'md5' | 'sha1' | 'sha512';
  name: string;
  bytes: number;
  prefix: string;
  error: ErrorType;
}

const SPECS: Record<DigestHashType, DigestSpec> = {
  md_5: { algorithm: 'md5', name: 'MD5', bytes: 16, prefix: 'postern-md5', error: 'invalid_md_5_hash' },
  sha_1: { algorithm: 'sha1', name: 'SHA-1', bytes: 20, prefix: 'postern-sha1', error: 'invalid_sha_1_hash' },
  sha_512: {
    algorithm: 'sha512',
    name: 'SHA-512',
    bytes: 64,
    prefix: 'postern-sha512',
    error: 'invalid_sha_512_hash',
  },
};

function checkSalt(value: unknown, error: ErrorType, which: string): Buffer {
  // Absent and empty both mean "no salt" (clients send "" for an unused side).
  if (value === undefined || value === null) return Buffer.alloc(0);
  if (typeof value !== 'string' || !isWellFormed(value)) {
    fail(error, `The ${which} salt must be a string of valid Unicode text.`);
  }
  const bytes = utf8(value);
  if (bytes.length > LIMITS.digestSaltBytes) {
    fail(error, `The ${which} salt must be at most ${LIMITS.digestSaltBytes} bytes of UTF-8.`);
  }
  return bytes;
}

export function importDigest(type: DigestHashType, hash: string, config: SaltConfig | undefined): string {
  const spec = SPECS[type];
  const digest = decodeHex(hash);
  if (digest === undefined || digest.length !== spec.bytes) {
    fail(spec.error, `An ${spec.name} hash must be ${spec.bytes * 2} hexadecimal characters.`);
  }
  const prepend = checkSalt(config?.prependSalt, 'invalid_prepend_salt', 'prepend');
  const append = checkSalt(config?.appendSalt, 'invalid_append_salt', 'append');
  return `$${spec.prefix}$${encodeBase64Url(prepend)}$${encodeBase64Url(append)}$${digest.toString('hex')}`;
}

interface ParsedDigest {
  spec: DigestSpec;
  prepend: Buffer;
  append: Buffer;
  digest: Buffer;
}

function parse(stored: string): ParsedDigest | undefined {
  const [empty, prefix, pre, app, hex, ...rest] = stored.split('$');
  if (empty !== '' || rest.length > 0 || pre === undefined || app === undefined) return undefined;
  const spec = Object.values(SPECS).find((s) => s.prefix === prefix);
  if (spec === undefined || hex === undefined || !/^[0-9a-f]*$/.test(hex)) return undefined;
  const prepend = decodeBase64Url(pre);
  const append = decodeBase64Url(app);
  const digest = decodeHex(hex);
  if (prepend === undefined || append === undefined || digest?.length !== spec.bytes) return undefined;
  if (prepend.length > LIMITS.digestSaltBytes || append.length > LIMITS.digestSaltBytes) return undefined;
  return { spec, prepend, append, digest };
}

export function isDigest(stored: string): boolean {
  return /^\$postern-(?:md5|sha1|sha512)\$/.test(stored);
}

export function verifyDigest(stored: string, password: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === undefined) return Promise.resolve(false);
  // Microseconds of work: no need to leave the event loop.
  const computed = createHash(parsed.spec.algorithm)
    .update(parsed.prepend)
    .update(utf8(password))
    .update(parsed.append)
    .digest();
  return Promise.resolve(safeEqual(computed, parsed.digest));
}
