/**
 * The official `stytch` Node client (v14), unchanged, against Postern: the whole password and
 * session lifecycle, local JWT verification through the JWKS, and typed errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'stytch';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { MORE_STRONG, REQUEST_ID, SESSION_TOKEN, STRONG, TIMESTAMP, WRONG, idPattern, newEmail } from '../api/support.js';
import { rejectsWith } from '../helpers/stytch-errors.js';

for (const dialect of DIALECTS) {
  void describe(`stytch Node client v14 (${dialect})`, () => {
    let s: TestServer;
    let client: Client;
    before(async () => {
      s = await startTestServer(dialect);
      client = s.client();
    });
    after(() => s.close());

    void it('runs the full lifecycle: create, authenticate, reset, JWT, lockout, sessions, users', async () => {
      const email = newEmail('sdk');
      const created = await client.passwords.create({ email, password: STRONG[0], session_duration_minutes: 60 });
      assert.equal(created.status_code, 200);
      assert.match(created.request_id, REQUEST_ID);
      assert.match(created.user_id, idPattern('user'));
      assert.match(created.email_id, idPattern('email'));
      assert.match(created.session_token, SESSION_TOKEN);
      assert.equal(created.user.emails[0]?.email, email);
      const userId = created.user_id;

      const authed = await client.passwords.authenticate({ email, password: STRONG[0], session_duration_minutes: 30 });
      assert.equal(authed.user_id, userId);
      assert.equal(authed.session?.user_id, userId);
      assert.deepEqual(authed.session?.authentication_factors.map((f) => [f.type, f.delivery_method]), [['password', 'knowledge']]);
      const oldToken = authed.session_token;

      const claims = { app_role: 'editor', org: { id: 'org-1' } };
      const reset = await client.passwords.existingPassword.reset({
        email, existing_password: STRONG[0], new_password: MORE_STRONG[0],
        session_duration_minutes: 60, session_custom_claims: claims,
      });
      assert.equal(reset.status_code, 200);
      assert.equal(reset.user_id, userId);
      assert.equal(reset.user.password?.requires_reset, false);
      const session = reset.session!;
      assert.ok(session, 'reset returned no session');
      assert.notEqual(reset.session_token, oldToken);
      assert.deepEqual(session.custom_claims, claims);
      assert.match(session.expires_at!, TIMESTAMP);

      const local = await client.sessions.authenticateJwtLocal({ session_jwt: reset.session_jwt });
      assert.equal(local.session_id, session.session_id);
      assert.equal(local.user_id, userId);
      assert.deepEqual(local.custom_claims, claims);
      assert.deepEqual(local.roles, ['stytch_user']);
      assert.equal(local.started_at, session.started_at);
      assert.equal(local.expires_at, new Date(session.expires_at!).toISOString());
      assert.deepEqual(local.authentication_factors.map((f) => f.type), ['password']);

      const viaJwt = await client.sessions.authenticateJwt({ session_jwt: reset.session_jwt });
      assert.equal(viaJwt.session.session_id, session.session_id);
      const remote = await client.sessions.authenticateJwt({ session_jwt: reset.session_jwt, max_token_age_seconds: 0 });
      assert.equal(remote.session.session_id, session.session_id);
      assert.deepEqual(remote.session.custom_claims, claims);
      await client.sessions.authenticateJwtLocal({ session_jwt: remote.session_jwt });

      const byToken = await client.sessions.authenticate({ session_token: reset.session_token });
      assert.equal(byToken.session.session_id, session.session_id);
      assert.equal(byToken.session_token, reset.session_token);
      assert.equal(byToken.user.user_id, userId);

      await rejectsWith(client.sessions.authenticate({ session_token: oldToken }), 404, 'session_not_found');
      await rejectsWith(client.sessions.authenticate({ session_token: created.session_token }), 404, 'session_not_found');
      await rejectsWith(client.passwords.authenticate({ email, password: STRONG[0] }), 401, 'unauthorized_credentials');
      for (let i = 0; i < 9; i++) {
        await rejectsWith(client.passwords.authenticate({ email, password: WRONG }), 401, 'unauthorized_credentials');
      }
      await rejectsWith(client.passwords.authenticate({ email, password: MORE_STRONG[0] }), 429, 'user_lock_limit_reached');
      const locked = await client.users.get({ user_id: userId });
      assert.equal(locked.is_locked, true);
      assert.match(locked.lock_created_at!, TIMESTAMP);
      assert.equal(Date.parse(locked.lock_expires_at!) - Date.parse(locked.lock_created_at!), 3_600_000);

      const listed = await client.sessions.get({ user_id: userId });
      assert.equal(listed.status_code, 200);
      assert.deepEqual(listed.sessions.map((x) => x.session_id), [session.session_id]);

      const jwks = await client.sessions.getJWKS({ project_id: s.projectId });
      assert.equal(jwks.status_code, 200);
      assert.ok(jwks.keys.length >= 1);
      assert.ok(jwks.keys.every((k) => k.alg === 'RS256' && k.kty === 'RSA' && k.use === 'sig' && k.x5c.length > 0));

      const revoked = await client.sessions.revoke({ session_id: session.session_id });
      assert.equal(revoked.status_code, 200);
      await rejectsWith(client.sessions.authenticate({ session_token: reset.session_token }), 404, 'session_not_found');
      await rejectsWith(client.sessions.authenticate({ session_jwt: reset.session_jwt }), 404, 'session_not_found');
      const listedAfter = await client.sessions.get({ user_id: userId });
      assert.deepEqual(listedAfter.sessions, []);

      const user = await client.users.get({ user_id: userId });
      assert.equal(user.user_id, userId);
      assert.equal(user.status, 'active');
      assert.deepEqual(user.emails.map((e) => [e.email, e.verified]), [[email, false]]);
      assert.match(user.password!.password_id, idPattern('password'));
      const deleted = await client.users.delete({ user_id: userId });
      assert.equal(deleted.user_id, userId);
      await rejectsWith(client.users.get({ user_id: userId }), 404, 'user_not_found');
      await rejectsWith(client.users.delete({ user_id: userId }), 404, 'user_not_found');
      await rejectsWith(client.sessions.get({ user_id: userId }), 404, 'user_not_found');
    });

    void it('reset without a session returns empty session fields the SDK types accept', async () => {
      const email = newEmail('sdk-nosession');
      const created = await client.passwords.create({ email, password: STRONG[1] });
      assert.equal(created.session_token, '');
      assert.equal(created.session_jwt, '');
      assert.equal(created.session, null);
      const reset = await client.passwords.existingPassword.reset({ email, existing_password: STRONG[1], new_password: STRONG[2] });
      assert.equal(reset.session, null);
      assert.equal(reset.session_token, '');
      await rejectsWith(client.passwords.existingPassword.reset({ email, existing_password: STRONG[1], new_password: 'password' }), 401, 'unauthorized_credentials');
      await rejectsWith(client.passwords.existingPassword.reset({ email, existing_password: STRONG[2], new_password: 'password' }), 400, 'weak_password');
      await rejectsWith(client.passwords.create({ email: email.toUpperCase(), password: STRONG[0] }), 400, 'duplicate_email');
      await rejectsWith(client.passwords.authenticate({ email: newEmail('nobody'), password: STRONG[0] }), 404, 'email_not_found');
    });

    void it('a client with wrong credentials gets 401 unauthorized_credentials; JWKS-based checks still work', async () => {
      const bad = s.client({ projectId: s.projectId, secret: s.secret + 'nope' });
      await rejectsWith(bad.users.get({ user_id: 'user-test-00000000-0000-4000-8000-000000000000' }), 401, 'unauthorized_credentials');
      const good = await client.passwords.create({ email: newEmail('sdk-jwks'), password: STRONG[2], session_duration_minutes: 10 });
      const local = await bad.sessions.authenticateJwtLocal({ session_jwt: good.session_jwt });
      assert.equal(local.user_id, good.user_id);
    });
  });
}
