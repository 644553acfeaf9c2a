import { createHash } from 'node:crypto';

/**
 * SHA-1 of the password's UTF-8 bytes, exactly as HIBP hashes it: no trimming and no Unicode
 * normalization here, so that our hash and HIBP's agree for whatever string the caller passes.
 */
export function sha1(password: string): Buffer {
  return createHash('sha1').update(password, 'utf8').digest();
}

/** Uppercase hex: the spelling of the range API, range files and hash lists. */
export function sha1Hex(password: string): string {
  return sha1(password).toString('hex').toUpperCase();
}
