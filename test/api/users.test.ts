/**
 * GET /v1/users/{user_id} (spec §10.2) and DELETE /v1/users/{user_id} (§10.5).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, FixedClock, startTestServer, type TestServer } from '../helpers/server.js';
import {
  MINUTE, STRONG, activeSessionIds, assertUser, authSession, createUser, deleteUser, expectError, expectOk,
  expectSessionAlive, getUser, listSessions, login, resetPassword, revokeSession, wholeSecondClock,
} from './support.js';

const UNKNOWN_USER = 'user-test-00000000-0000-4000-8000-000000000000';

for (const dialect of DIALECTS) {
  void describe(`users (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
    });
    after(() => s.close());

    void it('GET returns the full User flattened at top level, with request_id and status_code', async () => {
      const createdAt = clock.now();
      const u = await createUser(s);
      clock.advance(5 * MINUTE);
      const res = await getUser(s, u.userId);
      expectOk(res);
      assert.equal(res.body.user, undefined, 'GET user must not nest a user object');
      assertUser(res.body, { userId: u.userId, email: u.email, emailId: u.emailId, passwordId: u.passwordId, createdAt });
      const expectedKeys = [
        'request_id', 'status_code', 'user_id', 'emails', 'status', 'phone_numbers', 'webauthn_registrations', 'providers',
        'totps', 'crypto_wallets', 'biometric_registrations', 'is_locked', 'roles', 'name', 'created_at', 'password',
        'trusted_metadata', 'untrusted_metadata', 'external_id', 'lock_created_at', 'lock_expires_at',
      ];
      for (const k of expectedKeys) assert.ok(k in res.body, `missing ${k}`);
    });

    void it('GET of an unknown user → 404 user_not_found', async () => {
      expectError(await getUser(s, UNKNOWN_USER), 404, 'user_not_found', 'User could not be found.');
    });

    void it('DELETE answers {request_id, user_id, status_code} and removes the user', async () => {
      const u = await createUser(s);
      const res = await deleteUser(s, u.userId);
      expectOk(res);
      assert.deepEqual(Object.keys(res.body).sort(), ['request_id', 'status_code', 'user_id']);
      assert.equal(res.body.user_id, u.userId);
      expectError(await getUser(s, u.userId), 404, 'user_not_found');
      expectError(await deleteUser(s, u.userId), 404, 'user_not_found');
      expectError(await listSessions(s, u.userId), 404, 'user_not_found');
    });

    void it('DELETE cascades: sessions (token and JWT) and password are gone; the email is free again', async () => {
      const u = await createUser(s, { duration: 60 });
      const second = await login(s, u.email, u.password, { session_duration_minutes: 60 });
      expectOk(second);
      expectOk(await deleteUser(s, u.userId));
      await expectSessionAlive(s, u.sessionToken, false);
      await expectSessionAlive(s, second.body.session_token as string, false);
      expectError(await authSession(s, { session_jwt: u.sessionJwt }), 404, 'session_not_found');
      expectError(await revokeSession(s, { session_id: u.sessionId }), 404, 'session_not_found');
      expectError(await login(s, u.email, u.password), 404, 'email_not_found');
      expectError(await resetPassword(s, u.email, u.password, STRONG[1]), 404, 'email_not_found');

      const again = await createUser(s, { email: u.email, password: STRONG[2], duration: 60 });
      assert.notEqual(again.userId, u.userId);
      assert.notEqual(again.passwordId, u.passwordId);
      assert.deepEqual(await activeSessionIds(s, again.userId), [again.sessionId]);
      expectError(await login(s, u.email, u.password), 401, 'unauthorized_credentials');
      expectOk(await login(s, u.email, STRONG[2]));
    });

    void it('DELETE of one user leaves others alone', async () => {
      const a = await createUser(s, { duration: 60 });
      const b = await createUser(s, { duration: 60 });
      expectOk(await deleteUser(s, a.userId));
      expectOk(await getUser(s, b.userId));
      await expectSessionAlive(s, b.sessionToken, true);
      assert.deepEqual(await activeSessionIds(s, b.userId), [b.sessionId]);
    });

    void it('DELETE works with an empty body, as the Go and Python clients send it', async () => {
      const u = await createUser(s);
      const res = await s.request('DELETE', `/v1/users/${u.userId}`, undefined, { headers: { 'content-type': 'application/json' } });
      expectOk(res);
      assert.equal(res.body.user_id, u.userId);
      expectError(await getUser(s, u.userId), 404, 'user_not_found');
    });
  });
}
