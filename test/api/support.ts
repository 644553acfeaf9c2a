/**
 * Shared helpers for the black-box API suites: expected wire shapes (spec §2–§5, §13 and the
 * implementation decisions), request shortcuts and a few fixtures. Not a test file itself.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { FixedClock, STRONG as HARNESS_STRONG, basicAuth, type TestServer } from '../helpers/server.js';

export type Res = Awaited<ReturnType<TestServer['request']>>;
/** A parsed JSON body (the harness types it loosely). */
export type Json = Res['body'];
export type Env = 'test' | 'live';

export const UUID4 = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
export const REQUEST_ID = /^request-id-test-[0-9a-f-]{36}$/;
export const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
export const SESSION_TOKEN = /^[A-Za-z0-9_-]{44}$/;
export const MINUTE = 60_000;
export const SESSION_CLAIM = 'https://stytch.com/session';

/** More strong passwords (zxcvbn score 4), for tests that need more than STRONG has. */
export const MORE_STRONG = ['walrus umbrella cactus 42?', 'nimble oyster fjord 88#', 'vortex lantern piccolo 3$', 'glacier tundra saxophone!9', 'Zanzibar kettle drum 55%'] as const;
/** The harness's strong passwords, typed as a tuple. */
export const STRONG = HARNESS_STRONG as [string, string, string];
/** A strong password that is nobody's. */
export const WRONG = 'wrong-but-strong pw 7731!';

/** A password of `n` code points, all astral (2 UTF-16 units each), random-looking and strong. */
export function longPassword(n: number): string {
  let out = '';
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += String.fromCodePoint(0x1f300 + (x % 0x200));
  }
  return out;
}

export function idPattern(kind: string, env: Env = 'test'): RegExp {
  return new RegExp(`^${kind}-${env}-${UUID4}$`);
}

/** RFC 3339 UTC with second precision, as Postern must render `ms`. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A FixedClock on a whole second, so timestamps can be compared exactly. */
export function wholeSecondClock(): FixedClock {
  return new FixedClock(Math.floor(Date.now() / 1000) * 1000);
}

let seq = 0;
export function newEmail(tag = 'user'): string {
  seq += 1;
  return `${tag}.${seq}.${randomUUID().slice(0, 8)}@example.com`;
}

export function authFor(p: { projectId: string; secret: string }): string {
  return basicAuth(p.projectId, p.secret);
}

function show(res: Res): string {
  return `HTTP ${res.status} ${JSON.stringify(res.body)}`;
}

/** Error envelope of spec §4.1 plus the decided error_url form. */
export function expectError(res: Res, status: number, type: string, message?: string): void {
  assert.equal(res.status, status, `expected ${status} ${type}, got ${show(res)}`);
  assert.equal(typeof res.body, 'object', `error body is not JSON: ${show(res)}`);
  assert.equal(res.body.error_type, type, show(res));
  assert.equal(res.body.status_code, status);
  assert.match(res.body.request_id, REQUEST_ID);
  assert.equal(typeof res.body.error_message, 'string');
  assert.ok(res.body.error_message.length > 0, 'error_message is empty');
  assert.equal(res.body.error_url, `https://stytch.com/docs/api/errors/${status}#${type}`);
  if (message !== undefined) assert.equal(res.body.error_message, message);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
}

/** Success envelope of spec §2 / §1.5 (Python): integer status_code, string request_id. */
export function expectOk(res: Res, status = 200): void {
  assert.equal(res.status, status, `expected ${status}, got ${show(res)}`);
  assert.equal(typeof res.body, 'object', `success body is not JSON: ${show(res)}`);
  assert.equal(res.body.status_code, status);
  assert.ok(Number.isInteger(res.body.status_code));
  assert.match(res.body.request_id, REQUEST_ID);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
}

export interface ExpectedUser {
  userId: string;
  email: string;
  emailId?: string;
  /** Known password id, or true for "some password-<env>-… id", or null. */
  passwordId?: string | true | null;
  createdAt?: number;
  lock?: { createdAt: number; expiresAt: number } | null;
  name?: { first_name: string; middle_name: string; last_name: string };
  trustedMetadata?: Record<string, unknown>;
  untrustedMetadata?: Record<string, unknown>;
  env?: Env;
}

/** The full User object of spec §3.1 as the decisions fix it for a password user. */
export function assertUser(u: Json, exp: ExpectedUser): void {
  const env = exp.env ?? 'test';
  assert.equal(typeof u, 'object');
  assert.ok(u !== null, 'user is null');
  assert.equal(u.user_id, exp.userId);
  assert.match(u.user_id, idPattern('user', env));
  assert.ok(Array.isArray(u.emails) && u.emails.length === 1, `emails: ${JSON.stringify(u.emails)}`);
  assert.deepEqual(Object.keys(u.emails[0]).sort(), ['email', 'email_id', 'verified']);
  assert.equal(u.emails[0].email, exp.email);
  assert.equal(u.emails[0].verified, false);
  assert.match(u.emails[0].email_id, idPattern('email', env));
  if (exp.emailId !== undefined) assert.equal(u.emails[0].email_id, exp.emailId);
  for (const list of ['phone_numbers', 'webauthn_registrations', 'providers', 'totps', 'crypto_wallets', 'biometric_registrations']) {
    assert.deepEqual(u[list], [], `${list} should be []`);
  }
  assert.equal(u.status, 'active');
  assert.deepEqual(u.roles, ['stytch_user']);
  assert.deepEqual(u.name, exp.name ?? { first_name: '', middle_name: '', last_name: '' });
  assert.match(u.created_at, TIMESTAMP);
  if (exp.createdAt !== undefined) assert.equal(u.created_at, iso(exp.createdAt));
  if (exp.passwordId === null) {
    assert.equal(u.password, null);
  } else {
    assert.deepEqual(Object.keys(u.password ?? {}).sort(), ['password_id', 'requires_reset']);
    assert.match(u.password.password_id, idPattern('password', env));
    assert.equal(u.password.requires_reset, false);
    if (typeof exp.passwordId === 'string') assert.equal(u.password.password_id, exp.passwordId);
  }
  assert.deepEqual(u.trusted_metadata, exp.trustedMetadata ?? {});
  assert.deepEqual(u.untrusted_metadata, exp.untrustedMetadata ?? {});
  assert.equal(u.external_id, null);
  const lock = exp.lock ?? null;
  assert.equal(u.is_locked, lock !== null, `is_locked should be ${lock !== null}`);
  assert.equal(u.lock_created_at, lock === null ? null : iso(lock.createdAt));
  assert.equal(u.lock_expires_at, lock === null ? null : iso(lock.expiresAt));
}

export interface ExpectedSession {
  userId: string;
  sessionId?: string;
  startedAt: number;
  lastAccessedAt?: number;
  expiresAt: number;
  /** The password factor: created_at and last_authenticated_at (= updated_at). */
  factorCreatedAt?: number;
  factorAt?: number;
  claims?: Record<string, unknown>;
  env?: Env;
}

/** The Session object of spec §3.2, compared exactly (needs a FixedClock). */
export function assertSession(sess: Json, exp: ExpectedSession): void {
  assert.ok(sess !== null && typeof sess === 'object', `session is ${JSON.stringify(sess)}`);
  assert.match(sess.session_id, idPattern('session', exp.env ?? 'test'));
  if (exp.sessionId !== undefined) assert.equal(sess.session_id, exp.sessionId);
  const factorAt = exp.factorAt ?? exp.startedAt;
  assert.deepEqual(sess, {
    session_id: sess.session_id,
    user_id: exp.userId,
    started_at: iso(exp.startedAt),
    last_accessed_at: iso(exp.lastAccessedAt ?? exp.startedAt),
    expires_at: iso(exp.expiresAt),
    attributes: { ip_address: '', user_agent: '' },
    authentication_factors: [
      {
        type: 'password',
        delivery_method: 'knowledge',
        created_at: iso(exp.factorCreatedAt ?? exp.startedAt),
        last_authenticated_at: iso(factorAt),
        updated_at: iso(factorAt),
      },
    ],
    custom_claims: exp.claims ?? {},
    roles: ['stytch_user'],
  });
}

/**
 * A session JWT per spec §5.1/§5.2 and decision 11: checks header, every claim and the exact
 * claim set. `iat` is in seconds; `exp` defaults to iat + 300.
 */
export function assertJwt(jwt: string, projectId: string, session: Json, opts: { iat?: number; exp?: number; claims?: Record<string, unknown>; env?: Env } = {}): JWTPayload {
  assert.equal(typeof jwt, 'string');
  const header = decodeProtectedHeader(jwt);
  assert.deepEqual(Object.keys(header).sort(), ['alg', 'kid', 'typ']);
  assert.equal(header.alg, 'RS256');
  assert.equal(header.typ, 'JWT');
  assert.match(header.kid ?? '', idPattern('jwk', opts.env ?? 'test'));
  const p = decodeJwt(jwt);
  const claims = opts.claims ?? {};
  const expectedKeys = ['aud', 'exp', 'iat', 'iss', 'nbf', 'sub', SESSION_CLAIM, ...Object.keys(claims)].sort();
  assert.deepEqual(Object.keys(p).sort(), expectedKeys, 'JWT claim set');
  assert.deepEqual(p.aud, [projectId]);
  assert.equal(p.iss, `stytch.com/${projectId}`);
  assert.equal(p.sub, session.user_id);
  assert.ok(Number.isInteger(p.iat));
  if (opts.iat !== undefined) assert.equal(p.iat, opts.iat);
  assert.equal(p.nbf, p.iat);
  assert.equal(p.exp, opts.exp ?? p.iat! + 300);
  assert.deepEqual(p[SESSION_CLAIM], {
    id: session.session_id,
    started_at: session.started_at,
    last_accessed_at: session.last_accessed_at,
    expires_at: session.expires_at,
    attributes: { ip_address: '', user_agent: '' },
    authentication_factors: session.authentication_factors.map((f: Json) => ({
      type: f.type,
      delivery_method: f.delivery_method,
      last_authenticated_at: f.last_authenticated_at,
    })),
    roles: session.roles,
  });
  for (const [k, v] of Object.entries(claims)) assert.deepEqual(p[k], v, `custom claim ${k}`);
  return p;
}

/** AuthResponse of spec §7 with no session requested. */
export function assertNoSession(body: Json): void {
  assert.equal(body.session, null);
  assert.equal(body.session_token, '');
  assert.equal(body.session_jwt, '');
  assert.equal(body.user_device, null);
}

/** AuthResponse with a session: token shape, JWT present, session consistent with user. */
export function assertWithSession(body: Json): void {
  assert.match(body.session_token, SESSION_TOKEN);
  assert.equal(typeof body.session_jwt, 'string');
  assert.ok(body.session_jwt.split('.').length === 3, 'session_jwt is not a JWT');
  assert.equal(body.session.user_id, body.user_id);
  assert.equal(body.user_device, null);
}

/**
 * A call that names its session by JWT still returns that session's token (spec §6.1 [C]
 * "returns the same session_token", §9.1 "always returns the session token"). Checked last in
 * each test so the rest of the response is checked first.
 */
/**
 * A session named only by its JWT comes back without a token: tokens are stored as digests,
 * so the server cannot return one it was not shown (docs/compatibility.md). The caller's
 * token stays what it was.
 */
export function expectTokenWithheld(res: Res, token: string): void {
  assert.equal(res.body.session_token, '', 'a session named by session_jwt comes back with session_token ""');
  assert.notEqual(token, '');
}

export interface NewUser {
  userId: string;
  email: string;
  password: string;
  emailId: string;
  passwordId: string;
  sessionToken: string;
  sessionJwt: string;
  sessionId: string;
  body: Json;
}

export type Auth = { auth?: string };

/** POST /v1/passwords; asserts 200. With `duration`, a session is created. */
export async function createUser(
  s: TestServer,
  opts: { email?: string; password?: string; duration?: number; claims?: Record<string, unknown>; auth?: string } = {},
): Promise<NewUser> {
  const email = opts.email ?? newEmail();
  const password = opts.password ?? STRONG[0];
  const body: Record<string, unknown> = { email, password };
  if (opts.duration !== undefined) body.session_duration_minutes = opts.duration;
  if (opts.claims !== undefined) body.session_custom_claims = opts.claims;
  const res = await s.request('POST', '/v1/passwords', body, { auth: opts.auth });
  expectOk(res);
  return {
    userId: res.body.user_id as string,
    email: email.trim().toLowerCase(),
    password,
    emailId: res.body.email_id as string,
    passwordId: res.body.user?.password?.password_id as string,
    sessionToken: res.body.session_token as string,
    sessionJwt: res.body.session_jwt as string,
    sessionId: (res.body.session?.session_id ?? '') as string,
    body: res.body,
  };
}

export function login(s: TestServer, email: string, password: string, extra: Record<string, unknown> = {}, o: Auth = {}): Promise<Res> {
  return s.request('POST', '/v1/passwords/authenticate', { email, password, ...extra }, o);
}

export function resetPassword(s: TestServer, email: string, existing: string, next: string, extra: Record<string, unknown> = {}, o: Auth = {}): Promise<Res> {
  return s.request('POST', '/v1/passwords/existing_password/reset', { email, existing_password: existing, new_password: next, ...extra }, o);
}

export function authSession(s: TestServer, body: Record<string, unknown>, o: Auth = {}): Promise<Res> {
  return s.request('POST', '/v1/sessions/authenticate', body, o);
}

export function revokeSession(s: TestServer, body: Record<string, unknown>, o: Auth = {}): Promise<Res> {
  return s.request('POST', '/v1/sessions/revoke', body, o);
}

export function listSessions(s: TestServer, userId: string, o: Auth = {}): Promise<Res> {
  return s.request('GET', `/v1/sessions?user_id=${encodeURIComponent(userId)}`, undefined, o);
}

export function getUser(s: TestServer, userId: string, o: Auth = {}): Promise<Res> {
  return s.request('GET', `/v1/users/${encodeURIComponent(userId)}`, undefined, o);
}

export function deleteUser(s: TestServer, userId: string, o: Auth = {}): Promise<Res> {
  return s.request('DELETE', `/v1/users/${encodeURIComponent(userId)}`, {}, o);
}

/** Asserts the session token is alive (200) or gone (404 session_not_found). */
export async function expectSessionAlive(s: TestServer, token: string, alive: boolean): Promise<void> {
  const res = await authSession(s, { session_token: token });
  if (alive) expectOk(res);
  else expectError(res, 404, 'session_not_found');
}

/** The session ids GET /v1/sessions reports for the user, sorted. */
export async function activeSessionIds(s: TestServer, userId: string): Promise<string[]> {
  const res = await listSessions(s, userId);
  expectOk(res);
  return (res.body.sessions as Json[]).map((x) => x.session_id as string).sort();
}
