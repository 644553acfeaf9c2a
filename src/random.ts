/** The one place that draws randomness: ids, tokens, secrets. All from the CSPRNG. */
import { randomBytes, randomUUID } from 'node:crypto';

export type Environment = 'test' | 'live';

/** `<kind>-<test|live>-<uuid v4>`, the shape of every Stytch id. */
export function newId(kind: string, env: Environment): string {
  return `${kind}-${env}-${randomUUID()}`;
}

/** URL-safe base64 without padding of `bytes` random bytes (33 bytes -> 44 characters). */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
