import { AuthError } from '../errors.js';
import { isReservedClaim } from './jwt.js';

type Claims = Record<string, unknown>;

const MAX_BYTES = 4096;

function isPlainObject(value: unknown): value is Claims {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges `patch` into `base`: nested objects merge, `null` deletes, anything else replaces. */
function merge(base: Claims, patch: Claims): Claims {
  const out: Claims = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__') continue;
    if (value === null) {
      delete out[key];
    } else if (isPlainObject(value) && isPlainObject(out[key])) {
      out[key] = merge(out[key], value);
    } else if (isPlainObject(value)) {
      out[key] = merge({}, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * A session's claims after applying a caller's `session_custom_claims`. Registered JWT names
 * and Stytch's namespace are dropped (spec Decision 8), so a caller can never override `sub`
 * or the session claim. Throws `custom_claims_too_large` past 4 KB of UTF-8 JSON.
 */
export function applyCustomClaims(existing: Claims, patch: Claims | undefined): Claims {
  if (patch === undefined) return existing;
  const allowed: Claims = {};
  for (const [key, value] of Object.entries(patch)) if (!isReservedClaim(key)) allowed[key] = value;
  const merged = merge(existing, allowed);
  if (Buffer.byteLength(JSON.stringify(merged), 'utf8') > MAX_BYTES) {
    throw new AuthError('custom_claims_too_large', 'Custom claims may not exceed 4 kilobytes.');
  }
  return merged;
}
