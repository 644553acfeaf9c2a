/**
 * POST /v1/passwords/existing_password/reset (spec §7.5, §6.3; decisions 4–7, 13).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, FixedClock, startTestServer, type TestServer } from '../helpers/server.js';
import {
  MINUTE, MORE_STRONG, STRONG, WRONG, activeSessionIds, assertJwt, assertNoSession, assertSession, assertUser,
  assertWithSession, createUser, expectError, expectOk, expectTokenWithheld, expectSessionAlive, login, longPassword, newEmail, resetPassword,
  wholeSecondClock, type NewUser,
} from './support.js';

const NEW = MORE_STRONG[1];

for (const dialect of DIALECTS) {
  void describe(`POST /v1/passwords/existing_password/reset (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
    });
    after(() => s.close());

    /** A user with two live sessions: A (from create) and B (from a login). */
    async function userWithTwoSessions(): Promise<NewUser & { tokenB: string; idB: string; jwtB: string }> {
      const u = await createUser(s, { duration: 60 });
      const b = await login(s, u.email, u.password, { session_duration_minutes: 60 });
      expectOk(b);
      return { ...u, tokenB: b.body.session_token, idB: b.body.session.session_id, jwtB: b.body.session_jwt };
    }

    void it('changes the password: full AuthResponse without a session, password_id kept', async () => {
      const u = await createUser(s);
      const res = await resetPassword(s, u.email, u.password, NEW);
      expectOk(res);
      assert.equal(res.body.user_id, u.userId);
      assertUser(res.body.user, { userId: u.userId, email: u.email, emailId: u.emailId, passwordId: u.passwordId });
      assertNoSession(res.body);
      expectError(await login(s, u.email, u.password), 401, 'unauthorized_credentials');
      expectOk(await login(s, u.email, NEW));
    });

    void it('matches the email case-insensitively', async () => {
      const u = await createUser(s);
      expectOk(await resetPassword(s, ` ${u.email.toUpperCase()} `, u.password, NEW));
      expectOk(await login(s, u.email, NEW));
    });

    void it('revokes all of the user’s sessions when no session is passed', async () => {
      const u = await userWithTwoSessions();
      expectOk(await resetPassword(s, u.email, u.password, NEW));
      await expectSessionAlive(s, u.sessionToken, false);
      await expectSessionAlive(s, u.tokenB, false);
      expectError(await s.request('POST', '/v1/sessions/authenticate', { session_jwt: u.jwtB }), 404, 'session_not_found');
      assert.deepEqual(await activeSessionIds(s, u.userId), []);
    });

    void it('with session_duration_minutes: a NEW session with the password factor; the others are revoked', async () => {
      const u = await userWithTwoSessions();
      clock.advance(MINUTE);
      const now = clock.now();
      const claims = { role: 'admin' };
      const res = await resetPassword(s, u.email, u.password, NEW, { session_duration_minutes: 30, session_custom_claims: claims });
      expectOk(res);
      assertWithSession(res.body);
      const sess = res.body.session;
      assert.ok(![u.sessionId, u.idB].includes(sess.session_id), 'reset must start a new session');
      assert.ok(![u.sessionToken, u.tokenB].includes(res.body.session_token));
      assertSession(sess, { userId: u.userId, startedAt: now, expiresAt: now + 30 * MINUTE, claims });
      assertJwt(res.body.session_jwt, s.projectId, sess, { iat: now / 1000, claims });
      assert.deepEqual(await activeSessionIds(s, u.userId), [sess.session_id]);
      await expectSessionAlive(s, u.sessionToken, false);
      await expectSessionAlive(s, u.tokenB, false);
      await expectSessionAlive(s, res.body.session_token as string, true);
    });

    void it('with the user’s session_token: that session survives (same token, new JWT, factor refreshed, expiry kept)', async () => {
      const u = await userWithTwoSessions();
      const started = clock.now();
      clock.advance(2 * MINUTE);
      const now = clock.now();
      const res = await resetPassword(s, u.email, u.password, NEW, { session_token: u.sessionToken });
      expectOk(res);
      assert.equal(res.body.session_token, u.sessionToken);
      assert.notEqual(res.body.session_jwt, u.sessionJwt);
      assertSession(res.body.session, {
        userId: u.userId, sessionId: u.sessionId, startedAt: started, lastAccessedAt: now,
        expiresAt: started + 60 * MINUTE, factorCreatedAt: started, factorAt: now,
      });
      assertJwt(res.body.session_jwt, s.projectId, res.body.session, { iat: now / 1000 });
      assert.deepEqual(await activeSessionIds(s, u.userId), [u.sessionId]);
      await expectSessionAlive(s, u.tokenB, false);
    });

    void it('with the user’s session_jwt and a duration: that session survives with expiry = now + n', async () => {
      const u = await userWithTwoSessions();
      const started = clock.now();
      clock.advance(MINUTE);
      const now = clock.now();
      const res = await resetPassword(s, u.email, u.password, NEW, { session_jwt: u.jwtB, session_duration_minutes: 120, session_custom_claims: { x: 1 } });
      expectOk(res);
      assertSession(res.body.session, {
        userId: u.userId, sessionId: u.idB, startedAt: started, lastAccessedAt: now,
        expiresAt: now + 120 * MINUTE, factorCreatedAt: started, factorAt: now, claims: { x: 1 },
      });
      assertJwt(res.body.session_jwt, s.projectId, res.body.session, { iat: now / 1000, claims: { x: 1 } });
      assert.deepEqual(await activeSessionIds(s, u.userId), [u.idB]);
      await expectSessionAlive(s, u.sessionToken, false);
      await expectSessionAlive(s, u.tokenB, true);
      expectTokenWithheld(res, u.tokenB);
    });

    void it("another user's session → 400 user_id_mismatch; nothing changes", async () => {
      const a = await createUser(s, { duration: 60 });
      const b = await createUser(s, { duration: 60, password: STRONG[1] });
      expectError(await resetPassword(s, b.email, b.password, NEW, { session_token: a.sessionToken }), 400, 'user_id_mismatch');
      expectError(await resetPassword(s, b.email, b.password, NEW, { session_jwt: a.sessionJwt, session_duration_minutes: 60 }), 400, 'user_id_mismatch');
      await expectSessionAlive(s, a.sessionToken, true);
      await expectSessionAlive(s, b.sessionToken, true);
      expectOk(await login(s, b.email, b.password));
    });

    void it('unknown or malformed session token → session_not_found / invalid_session_token', async () => {
      const u = await createUser(s);
      expectError(await resetPassword(s, u.email, u.password, NEW, { session_token: 'B'.repeat(44) }), 404, 'session_not_found');
      expectError(await resetPassword(s, u.email, u.password, NEW, { session_token: 'nope' }), 400, 'invalid_session_token');
    });

    void it('unknown email → 404 email_not_found (before the new password is judged)', async () => {
      expectError(await resetPassword(s, newEmail('ghost'), STRONG[0], NEW), 404, 'email_not_found', 'Email could not be found.');
      expectError(await resetPassword(s, newEmail('ghost'), STRONG[0], 'password'), 404, 'email_not_found');
    });

    void it('wrong existing password → 401 unauthorized_credentials (before the new password is judged)', async () => {
      const u = await createUser(s, { duration: 60 });
      expectError(await resetPassword(s, u.email, WRONG, NEW), 401, 'unauthorized_credentials');
      expectError(await resetPassword(s, u.email, WRONG, 'password'), 401, 'unauthorized_credentials');
      await expectSessionAlive(s, u.sessionToken, true);
      expectError(await login(s, u.email, NEW), 401, 'unauthorized_credentials');
      expectOk(await login(s, u.email, u.password));
    });

    void it('weak or too long new password → 400 weak_password; nothing changes', async () => {
      const u = await userWithTwoSessions();
      for (const weak of ['password', '123456', 'qwerty123', longPassword(257)]) {
        expectError(await resetPassword(s, u.email, u.password, weak, { session_duration_minutes: 60 }), 400, 'weak_password');
      }
      expectError(await resetPassword(s, u.email, u.password, 'password', { session_token: u.sessionToken }), 400, 'weak_password');
      await expectSessionAlive(s, u.sessionToken, true);
      await expectSessionAlive(s, u.tokenB, true);
      assert.deepEqual(await activeSessionIds(s, u.userId), [u.sessionId, u.idB].sort());
      expectOk(await login(s, u.email, u.password));
    });

    void it('allows the new password to equal the old one', async () => {
      const u = await createUser(s);
      const res = await resetPassword(s, u.email, u.password, u.password);
      expectOk(res);
      assert.equal(res.body.user.password.password_id, u.passwordId);
      expectOk(await login(s, u.email, u.password));
    });

    void it('validates input first: invalid_argument, invalid_email, session errors', async () => {
      const ghost = newEmail('ghost');
      const path = '/v1/passwords/existing_password/reset';
      const bodies: unknown[] = [
        { existing_password: STRONG[0], new_password: NEW },
        { email: ghost, new_password: NEW },
        { email: ghost, existing_password: STRONG[0] },
        { email: ghost, existing_password: 1, new_password: NEW },
        { email: ghost, existing_password: STRONG[0], new_password: { p: NEW } },
      ];
      for (const body of bodies) expectError(await s.request('POST', path, body), 400, 'invalid_argument');
      expectError(await resetPassword(s, 'bad email', STRONG[0], NEW), 400, 'invalid_email');
      expectError(await resetPassword(s, ghost, STRONG[0], NEW, { session_duration_minutes: 3 }), 400, 'invalid_session_duration_minutes');
      expectError(await resetPassword(s, ghost, STRONG[0], NEW, { session_duration_minutes: 60, session_custom_claims: 'x' }), 400, 'unable_to_represent_custom_claims_json');
    });
  });
}
