/**
 * Strict decoders and small helpers shared by the legacy-hash formats.
 *
 * Node's own decoders are lenient (Buffer.from(text, 'base64') skips characters it does not
 * know and ignores stray bits), so a corrupted or truncated hash could decode to *something*
 * and be stored, and then never verify. Everything here either decodes exactly or refuses.
 */
import { timingSafeEqual } from 'node:crypto';
import { AuthError, type ErrorType } from '../../errors.js';

export function fail(type: ErrorType, message: string): never {
  throw new AuthError(type, message);
}

const STD_B64 = /^[A-Za-z0-9+/]*$/;
const URL_B64 = /^[A-Za-z0-9_-]*$/;

/**
 * Base64 as clients send it on the wire: standard or URL alphabet (not mixed), padding
 * optional but correct when present, and canonical (unused trailing bits zero).
 */
export function decodeBase64(text: string): Buffer | undefined {
  const body = text.replace(/={1,2}$/, '');
  if (body !== text && text.length % 4 !== 0) return undefined;
  const alphabet = STD_B64.test(body) ? 'base64' : URL_B64.test(body) ? 'base64url' : undefined;
  return alphabet === undefined ? undefined : decodeCanonical(body, alphabet);
}

/** PHC strings use the standard alphabet without padding. */
export function decodePhcBase64(text: string): Buffer | undefined {
  return STD_B64.test(text) ? decodeCanonical(text, 'base64') : undefined;
}

export function encodePhcBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/** Unpadded base64url, for our own fields that may hold any byte (including `$`). */
export function decodeBase64Url(text: string): Buffer | undefined {
  return URL_B64.test(text) ? decodeCanonical(text, 'base64url') : undefined;
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function decodeCanonical(body: string, alphabet: 'base64' | 'base64url'): Buffer | undefined {
  if (body.length % 4 === 1) return undefined;
  const bytes = Buffer.from(body, alphabet);
  // Re-encoding must give the input back: rejects non-zero padding bits.
  const again = bytes.toString(alphabet).replace(/=+$/, '');
  return again === body ? bytes : undefined;
}

/** Hex of any case; `undefined` unless every character is a hex digit and the length even. */
export function decodeHex(text: string): Buffer | undefined {
  return /^(?:[0-9a-fA-F]{2})*$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}

/**
 * A JS string with a lone surrogate has no UTF-8 form: Buffer.from would silently put U+FFFD
 * in its place, so two different salts would hash alike. Salts like that are refused.
 */
export function isWellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/** The password bytes every format hashes: UTF-8, exactly as received. */
export function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** Constant-time equality; different lengths are unequal (lengths are not secret here). */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** A decimal without sign or leading zeros, as PHC strings write numbers. */
export function parseDecimal(text: string): number | undefined {
  return /^(?:0|[1-9][0-9]{0,9})$/.test(text) ? Number(text) : undefined;
}

/**
 * PHC parameters `a=1,b=2` with exactly the given names in that order (PHC fixes the order
 * per algorithm); anything else is `undefined`.
 */
export function parsePhcParams<K extends string>(
  text: string,
  names: readonly K[],
): Record<K, number> | undefined {
  const parts = text.split(',');
  if (parts.length !== names.length) return undefined;
  const out: Partial<Record<K, number>> = {};
  for (const [i, name] of names.entries()) {
    const part = parts[i];
    if (part === undefined || !part.startsWith(`${name}=`)) return undefined;
    const value = parseDecimal(part.slice(name.length + 1));
    if (value === undefined) return undefined;
    out[name] = value;
  }
  return out as Record<K, number>;
}
