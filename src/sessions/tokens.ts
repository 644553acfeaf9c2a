import { createHash } from 'node:crypto';
import { AuthError } from '../errors.js';
import { randomToken } from '../random.js';

// 33 random bytes = 264 bits, 44 URL-safe base64 characters: the shape of Stytch's tokens.
const TOKEN_BYTES = 33;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{44}$/;

export function newSessionToken(): string {
  return randomToken(TOKEN_BYTES);
}

/**
 * Session tokens are stored only as SHA-256 digests, so a copy of the database cannot be used
 * to act as anyone. A plain hash suffices (no salt, no slow hash): the token is 264 random
 * bits, not a guessable secret, and lookups must go by digest.
 */
export function digestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Throws `invalid_session_token` for a string that cannot be one of our tokens. */
export function assertTokenShape(token: string): void {
  if (!TOKEN_SHAPE.test(token)) throw new AuthError('invalid_session_token');
}
