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
