/** POST /v1/passwords/session/reset: the 5-minute factor rule, revocation, the kept session. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { digestToken, newSessionToken } from '../../src/sessions/tokens.js';
import { DIALECTS, startTestServer, type FixedClock, type TestServer } from '../helpers/server.js';
import { MINUTE, MORE_STRONG, STRONG, expectError, expectOk, newEmail, wholeSecondClock } from './support.js';

for (const dialect of DIALECTS) {
  describe(`session reset (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
    });
    after(() => s.close());

    const reset = (body: Record<string, unknown>) => s.request('POST', '/v1/passwords/session/reset', body);
    const login = (email: string, password: string, extra: Record<string, unknown> = {}) =>
      s.request('POST', '/v1/passwords/authenticate', { email, password, ...extra });
    const alive = async (token: string) => (await s.request('POST', '/v1/sessions/authenticate', { session_token: token })).status === 200;

    async function userWithSessions(): Promise<{ email: string; a: { token: string; jwt: string; id: string }; b: string }> {
      const email = newEmail('sreset');
      expectOk(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }));
      const a = await login(email, STRONG[0], { session_duration_minutes: 60 });
      const b = await login(email, STRONG[0], { session_duration_minutes: 60 });
      return { email, a: { token: a.body.session_token, jwt: a.body.session_jwt, id: a.body.session.session_id }, b: b.body.session_token };
    }

    it('sets the new password, keeps the session used (same token, new JWT), revokes the others', async () => {
      const u = await userWithSessions();
      clock.advance(2 * MINUTE);
      const res = await reset({ password: MORE_STRONG[0], session_token: u.a.token });
      expectOk(res);
      assert.equal(res.body.session.session_id, u.a.id);
      assert.equal(res.body.session_token, u.a.token);
      assert.notEqual(res.body.session_jwt, u.a.jwt);
      assert.equal(res.body.session.authentication_factors.length, 1, 'no factor is added');
      assert.equal(await alive(u.a.token), true);
      assert.equal(await alive(u.b), false);
      expectError(await login(u.email, STRONG[0]), 401, 'unauthorized_credentials');
      expectOk(await login(u.email, MORE_STRONG[0]));
    });

    it('extends the session with session_duration_minutes; works by JWT too', async () => {
      const u = await userWithSessions();
      const res = await reset({ password: MORE_STRONG[1], session_jwt: u.a.jwt, session_duration_minutes: 120 });
      expectOk(res);
      assert.equal(Date.parse(res.body.session.expires_at), clock.now() + 120 * MINUTE);
      assert.equal(res.body.session_token, '', 'named by JWT only: the token is not returned');
    });

    it('refuses a session whose last password/email factor is older than 5 minutes', async () => {
      const u = await userWithSessions();
      clock.advance(5 * MINUTE + 1000);
      expectError(await reset({ password: MORE_STRONG[2], session_token: u.a.token }), 400, 'session_too_old_to_reset_password');
      expectOk(await login(u.email, STRONG[0])); // the password is unchanged
      assert.equal(await alive(u.b), true);
    });

    it('argument and policy errors change nothing', async () => {
      const u = await userWithSessions();
      expectError(await reset({ password: MORE_STRONG[2] }), 400, 'no_session_arguments');
      expectError(await reset({ password: MORE_STRONG[2], session_token: u.a.token, session_jwt: u.a.jwt }), 400, 'too_many_session_arguments');
      expectError(await reset({ password: MORE_STRONG[2], session_token: 'short' }), 400, 'invalid_session_token');
      expectError(await reset({ password: MORE_STRONG[2], session_token: newSessionToken() }), 404, 'session_not_found');
      expectError(await reset({ password: 'password', session_token: u.a.token }), 400, 'weak_password');
      expectError(await reset({ password: MORE_STRONG[2], session_token: u.a.token, session_duration_minutes: 1 }), 400, 'invalid_session_duration_minutes');
      expectOk(await login(u.email, STRONG[0]));
      assert.equal(await alive(u.b), true);
    });

    it('gives a password to a user who had none (session proven by email)', async () => {
      const email = newEmail('nopw');
      const userId = `user-test-${randomUUID()}`;
      assert.equal(
        await s.postern.store.insertUser({
          id: userId, projectId: s.projectId, status: 'active', name: { firstName: '', middleName: '', lastName: '' },
          email: { id: `email-test-${randomUUID()}`, email, verified: true }, trustedMetadata: {}, untrustedMetadata: {}, externalId: null, roles: [], createdAt: clock.now(),
        }),
        'inserted',
      );
      const token = newSessionToken();
      const now = clock.now();
      await s.postern.store.insertSession(
        {
          id: `session-test-${randomUUID()}`, projectId: s.projectId, userId, startedAt: now, lastAccessedAt: now, expiresAt: now + 60 * MINUTE, revokedAt: null,
          attributes: { ipAddress: '', userAgent: '' }, customClaims: {},
          factors: [{ type: 'magic_link', deliveryMethod: 'email', createdAt: now, lastAuthenticatedAt: now, updatedAt: now }],
        },
        digestToken(token),
      );
      expectError(await login(email, MORE_STRONG[3]), 400, 'no_user_password');
      const res = await reset({ password: MORE_STRONG[3], session_token: token });
      expectOk(res);
      assert.equal(typeof res.body.user.password.password_id, 'string');
      expectOk(await login(email, MORE_STRONG[3]));
    });
  });
}
