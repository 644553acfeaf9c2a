/**
 * The official `stytch` Node client (v14), unchanged, against consumer RBAC: `rbac.policy()`,
 * `sessions.authenticate` with `authorization_check` (verdict, 403), and
 * `sessions.authenticateJwt` evaluating the check locally from the policy it fetched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientError, type Client } from 'stytch';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { POLICY_DOC } from '../fixtures/rbac-policy.js';
import { REQUEST_ID, STRONG, newEmail } from '../api/support.js';
import { rejectsWith } from '../helpers/stytch-errors.js';

for (const dialect of DIALECTS) {
  void describe(`stytch client: RBAC (${dialect})`, () => {
    let s: TestServer;
    let client: Client;
    before(async () => {
      s = await startTestServer(dialect);
      client = s.client();
      await s.postern.rbac.setPolicy(s.projectId, POLICY_DOC);
    });
    after(() => s.close());

    void it('rbac.policy() returns the policy the project set', async () => {
      const res = await client.rbac.policy();
      assert.equal(res.status_code, 200);
      assert.match(res.request_id, REQUEST_ID);
      assert.deepEqual(res.policy, POLICY_DOC);
    });

    /** A user with these roles (assigned by users.update) and a session started after it, through the client. */
    async function userWith(roles: string[]) {
      const email = newEmail('sdk-rbac');
      const made = await client.passwords.create({ email, password: STRONG[0] });
      const updated = await client.users.update({ user_id: made.user_id, roles });
      assert.deepEqual(updated.user.roles, ['stytch_user', ...roles]);
      return client.passwords.authenticate({ email, password: STRONG[0], session_duration_minutes: 60 });
    }

    void it('users.create takes roles; the user holds stytch_user besides', async () => {
      const created = await client.users.create({ email: newEmail('sdk-rbac'), roles: ['stytch_admin', 'billing'] });
      assert.deepEqual(created.user.roles, ['stytch_user', 'stytch_admin', 'billing']);
    });

    void it('sessions.authenticate with authorization_check: verdict when granted, 403 when not', async () => {
      const u = await userWith(['editor']);
      const ok = await client.sessions.authenticate({ session_token: u.session_token, authorization_check: { resource_id: 'documents', action: 'write' } });
      assert.deepEqual(ok.verdict, { authorized: true, granting_roles: ['editor'] });
      assert.deepEqual(ok.session.roles, ['stytch_user', 'editor']);
      await rejectsWith(
        client.sessions.authenticate({ session_token: u.session_token, authorization_check: { resource_id: 'invoices', action: 'pay' } }),
        403,
        'consumer_session_authorization_error',
      );
    });

    void it('authenticateJwtLocal evaluates the check itself, on the roles in the JWT and the policy it fetched', async () => {
      const u = await userWith(['billing']);
      const local = await client.sessions.authenticateJwtLocal({ session_jwt: u.session_jwt, authorization_check: { resource_id: 'invoices', action: 'pay' } });
      assert.deepEqual(local.roles, ['stytch_user', 'billing']);
      await assert.rejects(
        client.sessions.authenticateJwtLocal({ session_jwt: u.session_jwt, authorization_check: { resource_id: 'documents', action: 'write' } }),
        (err) => err instanceof ClientError && err.code === 'invalid_permissions',
      );
    });

    void it('authenticateJwt: granted locally without a call; refused locally, the server refuses too', async () => {
      const u = await userWith(['editor']);
      const granted = await client.sessions.authenticateJwt({ session_jwt: u.session_jwt, authorization_check: { resource_id: 'documents', action: 'write' } });
      assert.equal(granted.session_jwt, u.session_jwt, 'verified and evaluated locally: the JWT given back, not a new one');
      await rejectsWith(
        client.sessions.authenticateJwt({ session_jwt: u.session_jwt, authorization_check: { resource_id: 'documents', action: 'delete' } }),
        403,
        'consumer_session_authorization_error',
      );
    });
  });
}
