/**
 * Session JWTs and JWKS (spec §5, §9.4, decisions 11–12) and custom claims (§6.4, decision 8).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { DIALECTS, FixedClock, startTestServer, type TestServer } from '../helpers/server.js';
import {
  MINUTE, SESSION_CLAIM, assertJwt, assertSession, authFor, authSession, createUser, expectError, expectOk, idPattern,
  login, wholeSecondClock, type Json, type NewUser,
} from './support.js';

const B64URL = /^[A-Za-z0-9_-]+$/;

for (const dialect of DIALECTS) {
  void describe(`JWT and JWKS (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    let u: NewUser;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
      u = await createUser(s, { duration: 60, claims: { tier: 'gold' } });
    });
    after(() => s.close());

    async function verifyWithJwks(jwt: string, projectId = s.projectId): Promise<Json> {
      const jwks = createRemoteJWKSet(new URL(`${s.url}/v1/sessions/jwks/${projectId}`));
      const { payload } = await jwtVerify(jwt, jwks, { audience: projectId, issuer: `stytch.com/${projectId}`, typ: 'JWT', currentDate: new Date(clock.now()) });
      return payload;
    }

    void it('JWKS publishes RS256 verification keys with a matching certificate (with or without auth)', async () => {
      const res = await s.request('GET', `/v1/sessions/jwks/${s.projectId}`, undefined, { auth: null });
      expectOk(res);
      assert.deepEqual(Object.keys(res.body).sort(), ['keys', 'request_id', 'status_code']);
      assert.ok(res.body.keys.length >= 1);
      for (const k of res.body.keys) {
        assert.deepEqual(Object.keys(k).sort(), ['alg', 'e', 'key_ops', 'kid', 'kty', 'n', 'use', 'x5c', 'x5tS256']);
        assert.equal(k.alg, 'RS256');
        assert.equal(k.kty, 'RSA');
        assert.equal(k.use, 'sig');
        assert.deepEqual(k.key_ops, ['verify']);
        assert.match(k.kid, idPattern('jwk'));
        assert.match(k.e, B64URL);
        assert.match(k.n, B64URL);
        assert.ok(Buffer.from(k.n as string, 'base64url').length >= 256, 'RSA modulus shorter than 2048 bits');
        assert.ok(Array.isArray(k.x5c) && k.x5c.length >= 1);
        const der = Buffer.from(k.x5c[0] as string, 'base64');
        const cert = new X509Certificate(der);
        const certJwk = cert.publicKey.export({ format: 'jwk' });
        assert.equal(certJwk.n, k.n);
        assert.equal(certJwk.e, k.e);
        assert.equal(k.x5tS256, createHash('sha256').update(der).digest('base64url'));
      }
      const kid = decodeProtectedHeader(u.sessionJwt).kid;
      assert.ok(res.body.keys.some((k: Json) => k.kid === kid), 'JWT kid not in JWKS');
      const authed = await s.request('GET', `/v1/sessions/jwks/${s.projectId}`);
      expectOk(authed);
      assert.deepEqual(authed.body.keys, res.body.keys);
    });

    void it('JWKS of a project that is not the caller’s, or unknown → 404 project_not_found', async () => {
      const other = await s.createProject();
      expectError(await s.request('GET', `/v1/sessions/jwks/${other.projectId}`), 404, 'project_not_found');
      const unknown = 'project-test-00000000-0000-4000-8000-000000000000';
      expectError(await s.request('GET', `/v1/sessions/jwks/${unknown}`, undefined, { auth: null }), 404, 'project_not_found');
      const theirs = await s.request('GET', `/v1/sessions/jwks/${other.projectId}`, undefined, { auth: authFor(other) });
      expectOk(theirs);
      const anon = await s.request('GET', `/v1/sessions/jwks/${other.projectId}`, undefined, { auth: null });
      expectOk(anon);
      const mine = await s.request('GET', `/v1/sessions/jwks/${s.projectId}`, undefined, { auth: null });
      const myKids = new Set<string>(mine.body.keys.map((k: Json) => k.kid as string));
      assert.ok(theirs.body.keys.every((k: Json) => !myKids.has(k.kid)), 'projects share a signing key');
    });

    void it('the session JWT has the exact Stytch shape and verifies against the JWKS with jose', async () => {
      const check = await authSession(s, { session_token: u.sessionToken });
      expectOk(check);
      assertJwt(u.sessionJwt, s.projectId, u.body.session, { claims: { tier: 'gold' } });
      const payload = await verifyWithJwks(u.sessionJwt);
      assert.equal(payload.sub, u.userId);
      assert.equal(payload.tier, 'gold');
      assert.equal(payload[SESSION_CLAIM].id, u.sessionId);
      await verifyWithJwks(check.body.session_jwt as string);
    });

    void it('exp is capped at the session expiry when less than 5 minutes remain', async () => {
      const res = await login(s, u.email, u.password, { session_duration_minutes: 5 });
      expectOk(res);
      const startedAt = clock.now();
      assertJwt(res.body.session_jwt, s.projectId, res.body.session, { iat: startedAt / 1000, exp: startedAt / 1000 + 300 });
      clock.advance(2 * MINUTE);
      const again = await authSession(s, { session_token: res.body.session_token });
      expectOk(again);
      assertJwt(again.body.session_jwt, s.projectId, again.body.session, { iat: clock.now() / 1000, exp: (startedAt + 5 * MINUTE) / 1000 });
      await verifyWithJwks(again.body.session_jwt as string);
    });

    void it('rejects JWTs it cannot parse: 400 unable_to_parse_session_jwt', async () => {
      for (const jwt of ['garbage', 'a.b.c', 'a.b', '....', 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln']) {
        expectError(await authSession(s, { session_jwt: jwt }), 400, 'unable_to_parse_session_jwt');
      }
    });

    void it('rejects JWTs not signed by this project: 401 unauthorized_credentials', async () => {
      const other = await s.createProject();
      const theirs = await createUser(s, { duration: 60, auth: authFor(other) });
      expectError(await authSession(s, { session_jwt: theirs.sessionJwt }), 401, 'unauthorized_credentials');

      const [h, p, sig] = u.sessionJwt.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
      claims.tier = 'platinum';
      const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
      expectError(await authSession(s, { session_jwt: tampered }), 401, 'unauthorized_credentials');

      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT(decodeJwt(u.sessionJwt))
        .setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(u.sessionJwt).kid!, typ: 'JWT' })
        .sign(privateKey);
      expectError(await authSession(s, { session_jwt: forged }), 401, 'unauthorized_credentials');
      expectError(await s.request('POST', '/v1/sessions/revoke', { session_jwt: forged }), 401, 'unauthorized_credentials');
      const alive = await authSession(s, { session_token: u.sessionToken });
      expectOk(alive);
    });
  });

  void describe(`custom claims (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
    });
    after(() => s.close());

    async function withClaims(token: string, claims: unknown): Promise<Json> {
      const res = await authSession(s, { session_token: token, session_custom_claims: claims });
      expectOk(res);
      return res.body;
    }

    void it('merge into existing claims: nested objects merge, null deletes, arrays are replaced', async () => {
      const u = await createUser(s, { duration: 60, claims: { a: 1, nested: { x: 1, y: 2 }, gone: true, list: [1, 2] } });
      const body = await withClaims(u.sessionToken, { b: 2, nested: { y: null, z: 3 }, gone: null, list: [3] });
      const expected = { a: 1, b: 2, nested: { x: 1, z: 3 }, list: [3] };
      assert.deepEqual(body.session.custom_claims, expected);
      assertJwt(body.session_jwt as string, s.projectId, body.session, { claims: expected });
      const later = await authSession(s, { session_token: u.sessionToken });
      expectOk(later);
      assert.deepEqual(later.body.session.custom_claims, expected);
      assertJwt(later.body.session_jwt as string, s.projectId, later.body.session, { claims: expected });
      const byJwt = await authSession(s, { session_jwt: u.sessionJwt, session_custom_claims: { c: 'x' } });
      expectOk(byJwt);
      assert.deepEqual(byJwt.body.session.custom_claims, { ...expected, c: 'x' });
    });

    void it('reserved names and https://stytch.com/ keys are dropped silently', async () => {
      const u = await createUser(s, { duration: 60 });
      const body = await withClaims(u.sessionToken, {
        iss: 'evil', sub: 'evil', aud: 'evil', exp: 1, nbf: 1, iat: 1, jti: 'evil',
        [SESSION_CLAIM]: { id: 'evil' }, 'https://stytch.com/other': 1, keep: 'me',
      });
      const now = clock.now();
      assertSession(body.session, { userId: u.userId, sessionId: u.sessionId, startedAt: now, expiresAt: now + 60 * MINUTE, claims: { keep: 'me' } });
      assertJwt(body.session_jwt as string, s.projectId, body.session, { iat: now / 1000, claims: { keep: 'me' } });
      const created = await createUser(s, { duration: 60, claims: { jti: 'x', 'https://stytch.com/session': 1 } });
      assert.deepEqual(created.body.session.custom_claims, {});
      assertJwt(created.sessionJwt, s.projectId, created.body.session);
    });

    void it('claims must be a JSON object: 400 unable_to_represent_custom_claims_json', async () => {
      const u = await createUser(s, { duration: 60 });
      for (const c of [[], ['a'], 'x', 5, true]) {
        expectError(await authSession(s, { session_token: u.sessionToken, session_custom_claims: c }), 400, 'unable_to_represent_custom_claims_json');
      }
    });

    void it('merged claims over 4096 UTF-8 bytes → 400 custom_claims_too_large, session unchanged', async () => {
      const u = await createUser(s, { duration: 60 });
      // {"k":"…"} is 8 bytes plus the value.
      let body = await withClaims(u.sessionToken, { k: 'a'.repeat(4088) });
      assert.equal(body.session.custom_claims.k.length, 4088);
      const big = await authSession(s, { session_token: u.sessionToken, session_custom_claims: { k: 'a'.repeat(4089) } });
      expectError(big, 400, 'custom_claims_too_large');
      const merged = await authSession(s, { session_token: u.sessionToken, session_custom_claims: { j: 1 } });
      expectError(merged, 400, 'custom_claims_too_large');
      const check = await authSession(s, { session_token: u.sessionToken });
      expectOk(check);
      assert.deepEqual(check.body.session.custom_claims, { k: 'a'.repeat(4088) });

      body = await withClaims(u.sessionToken, { k: 'é'.repeat(2044) });
      assert.equal(body.session.custom_claims.k, 'é'.repeat(2044));
      expectError(await authSession(s, { session_token: u.sessionToken, session_custom_claims: { k: 'é'.repeat(2045) } }), 400, 'custom_claims_too_large');
      expectError(await login(s, u.email, u.password, { session_duration_minutes: 60, session_custom_claims: { k: 'x'.repeat(5000) } }), 400, 'custom_claims_too_large');
      expectError(await s.request('POST', '/v1/passwords', { email: `big.${u.email}`, password: u.password, session_duration_minutes: 60, session_custom_claims: { k: 'x'.repeat(5000) } }), 400, 'custom_claims_too_large');
      expectError(await login(s, `big.${u.email}`, u.password), 404, 'email_not_found');
    });
  });
}
