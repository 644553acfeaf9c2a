/**
 * POST /v1/passwords (spec §7.1) and POST /v1/passwords/authenticate (§7.2), with the session
 * handling of §6.1 and decisions 4, 7, 13, 14.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DIALECTS, FixedClock, startTestServer, type TestServer } from '../helpers/server.js';
import {
  MINUTE, MORE_STRONG, STRONG, WRONG, assertJwt, assertNoSession, assertSession, assertUser, assertWithSession,
  authSession, createUser, expectError, expectOk, expectSessionAlive, expectTokenWithheld, getUser, idPattern, iso, login, longPassword, newEmail,
  wholeSecondClock,
} from './support.js';

const AUTH_RESPONSE_KEYS = ['request_id', 'status_code', 'user_id', 'user', 'session_token', 'session_jwt', 'session', 'user_device'];

for (const dialect of DIALECTS) {
  void describe(`POST /v1/passwords (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
    });
    after(() => s.close());

    void it('creates an active user with an unverified email and a password, and no session', async () => {
      const email = newEmail('create');
      const res = await s.request('POST', '/v1/passwords', { email, password: STRONG[0] });
      expectOk(res);
      const b = res.body;
      for (const k of [...AUTH_RESPONSE_KEYS, 'email_id']) assert.ok(k in b, `missing ${k}`);
      assert.match(b.user_id, idPattern('user'));
      assert.match(b.email_id, idPattern('email'));
      assertUser(b.user, { userId: b.user_id, email, emailId: b.email_id, passwordId: true, createdAt: clock.now() });
      assertNoSession(b);
      const got = await getUser(s, b.user_id);
      expectOk(got);
      const flat = { ...got.body };
      delete flat.request_id;
      delete flat.status_code;
      assert.deepEqual(flat, b.user);
    });

    void it('stores the email trimmed and lowercased, and matches it case-insensitively', async () => {
      const tag = randomUUID().slice(0, 8);
      const res = await s.request('POST', '/v1/passwords', { email: `  Ada.${tag}@Example.COM `, password: STRONG[1] });
      expectOk(res);
      assert.equal(res.body.user.emails[0].email, `ada.${tag}@example.com`);
      const again = await login(s, `ADA.${tag}@EXAMPLE.com`, STRONG[1]);
      expectOk(again);
      assert.equal(again.body.user_id, res.body.user_id);
    });

    void it('creates a session when session_duration_minutes is given, with custom claims', async () => {
      const email = newEmail('create-session');
      const claims = { plan: 'pro', limits: { seats: 3 } };
      const res = await s.request('POST', '/v1/passwords', { email, password: STRONG[2], session_duration_minutes: 60, session_custom_claims: claims });
      expectOk(res);
      const b = res.body;
      assertWithSession(b);
      const now = clock.now();
      assertSession(b.session, { userId: b.user_id, startedAt: now, expiresAt: now + 60 * MINUTE, claims });
      assertJwt(b.session_jwt, s.projectId, b.session, { iat: now / 1000, claims });
      assertUser(b.user, { userId: b.user_id, email, emailId: b.email_id, passwordId: true, createdAt: now });
      await expectSessionAlive(s, b.session_token as string, true);
    });

    void it('stores name and metadata given at creation', async () => {
      const email = newEmail('named');
      const res = await s.request('POST', '/v1/passwords', {
        email, password: STRONG[0], name: { first_name: 'Ada', last_name: 'Lovelace' },
        trusted_metadata: { tier: 1 }, untrusted_metadata: { theme: 'dark' },
      });
      expectOk(res);
      assertUser(res.body.user, {
        userId: res.body.user_id, email, passwordId: true,
        name: { first_name: 'Ada', middle_name: '', last_name: 'Lovelace' },
        trustedMetadata: { tier: 1 }, untrustedMetadata: { theme: 'dark' },
      });
    });

    void it('rejects an email already in use, also in another case: 400 duplicate_email', async () => {
      const u = await createUser(s, { email: newEmail('dup') });
      for (const email of [u.email, u.email.toUpperCase(), ` ${u.email} `]) {
        const res = await s.request('POST', '/v1/passwords', { email, password: STRONG[1] });
        expectError(res, 400, 'duplicate_email', 'A user with the specified email already exists for this project.');
      }
      expectOk(await login(s, u.email, u.password));
      expectError(await login(s, u.email, STRONG[1]), 401, 'unauthorized_credentials');
    });

    void it('rejects invalid emails: 400 invalid_email, and creates nothing', async () => {
      for (const email of ['plainaddress', 'missing-at.example.com', 'a@', '@example.com', 'a b@example.com', 'a@@example.com']) {
        expectError(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }), 400, 'invalid_email');
      }
    });

    void it('rejects weak passwords: 400 weak_password, and the email stays free', async () => {
      const email = newEmail('weak');
      for (const password of ['password', '123456', 'qwerty123']) {
        expectError(await s.request('POST', '/v1/passwords', { email, password }), 400, 'weak_password');
      }
      expectError(await login(s, email, 'password'), 404, 'email_not_found');
      expectOk(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }));
    });

    void it("scores passwords against the email's local part and domain (decision 14)", async () => {
      const local = await s.request('POST', '/v1/passwords', { email: `quintessentialzebra@${randomUUID().slice(0, 8)}.example.com`, password: 'quintessentialzebra' });
      expectError(local, 400, 'weak_password');
      const domain = await s.request('POST', '/v1/passwords', { email: 'ada@quintessentialzebra.org', password: 'quintessentialzebra.org' });
      expectError(domain, 400, 'weak_password');
    });

    void it('limits new passwords to 256 code points (not UTF-16 units)', async () => {
      const tooLong = await s.request('POST', '/v1/passwords', { email: newEmail('long'), password: longPassword(257) });
      expectError(tooLong, 400, 'weak_password');
      const email = newEmail('long');
      const password = longPassword(256);
      assert.equal(password.length, 512);
      expectOk(await s.request('POST', '/v1/passwords', { email, password }));
      expectOk(await login(s, email, password));
    });

    void it('missing or mistyped fields → 400 invalid_argument; nothing is created', async () => {
      const email = newEmail('missing');
      const bodies: unknown[] = [
        { email }, { password: STRONG[0] }, { email: 7, password: STRONG[0] }, { email, password: true },
        { email, password: STRONG[0], name: 'Ada' },
      ];
      for (const body of bodies) expectError(await s.request('POST', '/v1/passwords', body), 400, 'invalid_argument');
      expectError(await login(s, email, STRONG[0]), 404, 'email_not_found');
    });

    void it('validates session_duration_minutes and session_custom_claims before creating', async () => {
      const email = newEmail('badsession');
      for (const d of [0, 4, 527041, -5, 5.5]) {
        expectError(await s.request('POST', '/v1/passwords', { email, password: STRONG[0], session_duration_minutes: d }), 400, 'invalid_session_duration_minutes');
      }
      for (const c of [[], 'claims', 1, true]) {
        expectError(await s.request('POST', '/v1/passwords', { email, password: STRONG[0], session_duration_minutes: 60, session_custom_claims: c }), 400, 'unable_to_represent_custom_claims_json');
      }
      expectError(await login(s, email, STRONG[0]), 404, 'email_not_found');
    });
  });

  void describe(`POST /v1/passwords/authenticate (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
    });
    after(() => s.close());

    void it('authenticates without a session: full AuthResponse', async () => {
      const u = await createUser(s);
      const res = await login(s, u.email, u.password);
      expectOk(res);
      for (const k of AUTH_RESPONSE_KEYS) assert.ok(k in res.body, `missing ${k}`);
      assert.equal(res.body.user_id, u.userId);
      assertUser(res.body.user, { userId: u.userId, email: u.email, emailId: u.emailId, passwordId: u.passwordId, createdAt: clock.now() });
      assertNoSession(res.body);
    });

    void it('creates a session with session_duration_minutes (boundaries 5 and 527040)', async () => {
      const u = await createUser(s);
      const now = clock.now();
      for (const d of [5, 30, 527040]) {
        const res = await login(s, u.email.toUpperCase(), u.password, { session_duration_minutes: d });
        expectOk(res);
        assertWithSession(res.body);
        assertSession(res.body.session, { userId: u.userId, startedAt: now, expiresAt: now + d * MINUTE });
        assertJwt(res.body.session_jwt, s.projectId, res.body.session, { iat: now / 1000, exp: now / 1000 + 300 });
      }
    });

    void it('wrong password → 401 unauthorized_credentials; no normalisation of the password', async () => {
      const u = await createUser(s);
      for (const p of [WRONG, u.password.toUpperCase(), u.password + ' ', ' ' + u.password]) {
        expectError(await login(s, u.email, p, { session_duration_minutes: 60 }), 401, 'unauthorized_credentials');
      }
      expectError(await login(s, u.email, longPassword(300)), 401, 'unauthorized_credentials');
      expectOk(await login(s, u.email, u.password));
    });

    void it('unknown email → 404 email_not_found; invalid email → 400 invalid_email', async () => {
      expectError(await login(s, newEmail('ghost'), STRONG[0]), 404, 'email_not_found', 'Email could not be found.');
      expectError(await login(s, 'not-an-email', STRONG[0]), 400, 'invalid_email');
    });

    void it('validates duration and claims before looking the email up', async () => {
      const ghost = newEmail('ghost');
      for (const d of [4, 527041, 5.5, 0]) {
        expectError(await login(s, ghost, STRONG[0], { session_duration_minutes: d }), 400, 'invalid_session_duration_minutes');
      }
      expectError(await login(s, ghost, STRONG[0], { session_duration_minutes: 60, session_custom_claims: ['a'] }), 400, 'unable_to_represent_custom_claims_json');
    });

    void it('revokes no sessions: an earlier session stays alive beside the new one', async () => {
      const u = await createUser(s, { duration: 60 });
      const res = await login(s, u.email, u.password, { session_duration_minutes: 60 });
      expectOk(res);
      assert.notEqual(res.body.session.session_id, u.sessionId);
      assert.notEqual(res.body.session_token, u.sessionToken);
      await expectSessionAlive(s, u.sessionToken, true);
      await expectSessionAlive(s, res.body.session_token as string, true);
    });

    void it('ignores session_custom_claims when no session results', async () => {
      const u = await createUser(s);
      const res = await login(s, u.email, u.password, { session_custom_claims: { a: 1 } });
      expectOk(res);
      assertNoSession(res.body);
    });

    void it('with session_token: refreshes the factor on the same session, same token, new JWT, expiry kept', async () => {
      const u = await createUser(s, { duration: 60 });
      const started = clock.now();
      clock.advance(MINUTE);
      const now = clock.now();
      const res = await login(s, u.email, u.password, { session_token: u.sessionToken, session_custom_claims: { k: 'v' } });
      expectOk(res);
      assert.equal(res.body.session_token, u.sessionToken);
      assert.notEqual(res.body.session_jwt, u.sessionJwt);
      assertSession(res.body.session, {
        userId: u.userId, sessionId: u.sessionId, startedAt: started, lastAccessedAt: now,
        expiresAt: started + 60 * MINUTE, factorCreatedAt: started, factorAt: now, claims: { k: 'v' },
      });
      assertJwt(res.body.session_jwt, s.projectId, res.body.session, { iat: now / 1000, claims: { k: 'v' } });
    });

    void it('with session_jwt and a duration: same session (token withheld), expiry = now + n', async () => {
      const u = await createUser(s, { duration: 60 });
      const started = clock.now();
      clock.advance(2 * MINUTE);
      const now = clock.now();
      const res = await login(s, u.email, u.password, { session_jwt: u.sessionJwt, session_duration_minutes: 10 });
      expectOk(res);
      assertSession(res.body.session, {
        userId: u.userId, sessionId: u.sessionId, startedAt: started, lastAccessedAt: now,
        expiresAt: now + 10 * MINUTE, factorCreatedAt: started, factorAt: now,
      });
      const check = await authSession(s, { session_token: u.sessionToken });
      expectOk(check);
      assert.equal(check.body.session.expires_at, iso(now + 10 * MINUTE));
      expectTokenWithheld(res, u.sessionToken);
    });

    void it("another user's session → 400 user_id_mismatch; that session is untouched", async () => {
      const a = await createUser(s, { duration: 60 });
      const b = await createUser(s, { password: MORE_STRONG[0] });
      expectError(await login(s, b.email, b.password, { session_token: a.sessionToken }), 400, 'user_id_mismatch');
      expectError(await login(s, b.email, b.password, { session_jwt: a.sessionJwt }), 400, 'user_id_mismatch');
      const check = await authSession(s, { session_token: a.sessionToken });
      expectOk(check);
      assert.equal(check.body.session.user_id, a.userId);
      assert.equal(check.body.session.authentication_factors.length, 1);
    });

    void it('unknown session token → 404 session_not_found; malformed token or JWT → 400', async () => {
      const u = await createUser(s);
      expectError(await login(s, u.email, u.password, { session_token: 'A'.repeat(44) }), 404, 'session_not_found');
      for (const t of ['short', 'A'.repeat(43), 'A'.repeat(45), '!'.repeat(44)]) {
        expectError(await login(s, u.email, u.password, { session_token: t }), 400, 'invalid_session_token');
      }
      expectError(await login(s, u.email, u.password, { session_jwt: 'garbage' }), 400, 'unable_to_parse_session_jwt');
    });
  });
}
