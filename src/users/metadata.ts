import { AuthError } from '../errors.js';

const MAX_KEYS = 20;
const MAX_BYTES = 4096;

/** Checks a trusted/untrusted metadata object against Stytch's limits (20 keys, 4 KB). */
export function assertMetadata(value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthError('metadata_invalid_format', 'Metadata must be a JSON object.');
  }
  if (Object.keys(value).length > MAX_KEYS) {
    throw new AuthError('metadata_too_many_keys', `Metadata may have at most ${MAX_KEYS} top-level keys.`);
  }
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_BYTES) {
    throw new AuthError('metadata_too_large', 'Metadata may not exceed 4 kilobytes.');
  }
}

/**
 * Applies an update to stored metadata (Stytch's rules): top-level keys of `patch` replace
 * the stored ones, nested objects and arrays wholesale; a `null` value deletes the key. The
 * result must still satisfy the limits.
 */
export function mergeMetadata(current: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  assertMetadataPatch(patch);
  // A Map and fromEntries keep every key an own data property, `__proto__` included.
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  const result = Object.fromEntries(merged);
  assertMetadata(result);
  return result;
}

/** An update's metadata must be a JSON object; the limits apply to the merged result. */
export function assertMetadataPatch(patch: unknown): asserts patch is Record<string, unknown> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new AuthError('metadata_invalid_format', 'Metadata must be a JSON object.');
  }
}
