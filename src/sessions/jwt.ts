/**
 * Session JWTs in Stytch's shape (spec §5.1–5.2): RS256, a 5-minute lifetime capped at the
 * session's expiry, the session claim, and custom claims at the top level.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, errors } from 'jose';
import { rfc3339 } from '../clock.js';
import { AuthError } from '../errors.js';
import type { SigningKey } from './keys.js';
import type { Session } from './session.js';

export const SESSION_CLAIM = 'https://stytch.com/session';
const JWT_LIFETIME_S = 300;
/** Tolerated clock difference between instances for `nbf`/`iat`. */
const SKEW_S = 60;
const REGISTERED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']);

/** Names a custom claim may never take: the SDKs would read them as registered or Stytch claims. */
export function isReservedClaim(name: string): boolean {
  return REGISTERED.has(name) || name.startsWith('https://stytch.com/');
}

export const issuerOf = (projectId: string): string => `stytch.com/${projectId}`;

export interface SessionJwtInput {
  projectId: string;
  session: Session;
  roles: string[];
  now: number;
}

export async function mintSessionJwt(key: SigningKey, input: SessionJwtInput): Promise<string> {
  const { session } = input;
  const iat = Math.floor(input.now / 1000);
  // Null prototype: a custom claim named "__proto__" becomes a plain member, not a prototype.
  const payload = Object.create(null) as Record<string, unknown>;
  Object.assign(payload, {
    aud: [input.projectId],
    iss: issuerOf(input.projectId),
    sub: session.userId,
    iat,
    nbf: iat,
    exp: Math.min(iat + JWT_LIFETIME_S, Math.floor(session.expiresAt / 1000)),
    [SESSION_CLAIM]: {
      id: session.id,
      started_at: rfc3339(session.startedAt),
      last_accessed_at: rfc3339(session.lastAccessedAt),
      expires_at: rfc3339(session.expiresAt),
      attributes: { user_agent: session.attributes.userAgent, ip_address: session.attributes.ipAddress },
      authentication_factors: session.factors.map((f) => ({
        type: f.type,
        delivery_method: f.deliveryMethod,
        last_authenticated_at: rfc3339(f.lastAuthenticatedAt),
        ...(f.emailFactor && { email_factor: { email_id: f.emailFactor.emailId, email_address: f.emailFactor.emailAddress } }),
      })),
      roles: input.roles,
    },
  });
  // Reserved names are filtered when claims are set; skipping them again here means a bug
  // there can never let a custom claim replace iss/aud/sub or the session claim.
  for (const [name, value] of Object.entries(session.customClaims)) {
    if (!isReservedClaim(name)) payload[name] = value;
  }
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

export interface PublishedKey {
  kid: string;
  publicJwk: Record<string, unknown>;
}

export interface VerifiedSessionJwt {
  sessionId: string;
  userId: string;
  /** The whole verified payload. */
  claims: Record<string, unknown>;
}

/**
 * Checks signature, issuer, audience and `nbf`/`iat` — but not `exp`: Stytch accepts an
 * expired-by-exp JWT at sessions/authenticate while its session is alive, which the caller
 * checks in the store.
 *
 * compactVerify rather than jwtVerify: jwtVerify always enforces `exp`, and bending it with
 * `currentDate` would also move the `nbf` check. compactVerify does exactly the signature part
 * (with the RS256 allowlist, against the one key the kid names) and the claims are checked
 * below, explicitly.
 */
export async function verifySessionJwt(
  jwt: string,
  projectId: string,
  publicKeys: readonly PublishedKey[],
  now: number,
): Promise<VerifiedSessionJwt> {
  const { header, payload, sessionId, userId } = parse(jwt);
  // Checked before any key is touched: `none` and HS256 (the public key as an HMAC secret)
  // never reach a verifier.
  if (header.alg !== 'RS256' || header.typ !== 'JWT') throw unauthorized();
  const published = publicKeys.find((k) => k.kid === header.kid);
  if (!published) throw unauthorized();
  try {
    await compactVerify(jwt, publicKeyOf(published.publicJwk), { algorithms: ['RS256'] });
  } catch (err) {
    if (err instanceof errors.JOSEError) throw unauthorized(err);
    throw err;
  }
  // `payload` was decoded from the same segment compactVerify just verified.
  const nowS = Math.floor(now / 1000);
  const { iss, aud, iat, nbf, exp } = payload;
  const audOk = Array.isArray(aud) ? aud.includes(projectId) : aud === projectId;
  if (iss !== issuerOf(projectId) || !audOk) throw unauthorized();
  if (typeof iat !== 'number' || typeof nbf !== 'number' || typeof exp !== 'number') throw unauthorized();
  if (iat > nowS + SKEW_S || nbf > nowS + SKEW_S) throw unauthorized();
  return { sessionId, userId, claims: payload };
}

/** The `kid` of a compact JWT's header, or null; reads no signature, decides nothing. */
export function peekKid(jwt: string): string | null {
  const [head] = jwt.split('.', 1);
  const header = head === undefined ? null : decodeSegment(head);
  return typeof header?.kid === 'string' ? header.kid : null;
}

function unauthorized(cause?: unknown): AuthError {
  return new AuthError('unauthorized_credentials', undefined, { cause });
}

function unparseable(): AuthError {
  return new AuthError('unable_to_parse_session_jwt');
}

function parse(jwt: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  sessionId: string;
  userId: string;
} {
  const parts = jwt.split('.');
  if (parts.length !== 3 || !parts.every(isBase64url)) throw unparseable();
  const header = decodeSegment(parts[0] ?? '');
  const payload = decodeSegment(parts[1] ?? '');
  if (!header || !payload) throw unparseable();
  const session = payload[SESSION_CLAIM];
  if (!isObject(session) || typeof session.id !== 'string' || typeof payload.sub !== 'string') throw unparseable();
  return { header, payload, sessionId: session.id, userId: payload.sub };
}

function isBase64url(segment: string): boolean {
  // A length of 4k+1 cannot come from any byte string.
  return /^[A-Za-z0-9_-]*$/.test(segment) && segment.length % 4 !== 1;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A base64url JSON object segment, or null when it is anything else. */
function decodeSegment(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Imported once per published JWK object: SigningKeys hands out the same objects until it
 * reloads, so verification on the hot path does not re-import. A KeyObject (not the JWK) goes
 * to jose, which would otherwise freeze the caller's object.
 */
const imported = new WeakMap<object, KeyObject>();

function publicKeyOf(jwk: Record<string, unknown>): KeyObject {
  let key = imported.get(jwk);
  if (!key) {
    const { kty, n, e } = jwk;
    if (kty !== 'RSA' || typeof n !== 'string' || typeof e !== 'string') throw new Error(`stored JWK ${String(jwk.kid)} is not an RSA key`);
    key = createPublicKey({ key: { kty, n, e }, format: 'jwk' });
    imported.set(jwk, key);
  }
  return key;
}
