/**
 * Consumer RBAC over raw HTTP: GET /v1/rbac/policy, and authorization_check on
 * POST /v1/sessions/authenticate (verdict, 403 consumer_session_authorization_error).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { DIALECTS, FixedClock, startTestServer, type TestServer } from '../helpers/server.js';
import { POLICY_DOC } from '../fixtures/rbac-policy.js';
import { MINUTE, SESSION_CLAIM, authFor, authSession, createUser, expectError, expectOk, wholeSecondClock, type NewUser } from './support.js';


for (const dialect of DIALECTS) {
  void describe(`RBAC (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
      await s.postern.rbac.setPolicy(s.projectId, POLICY_DOC);
    });

    /** A user of the first project with a live session and these assigned roles. */
    async function userWith(roles: string[]): Promise<NewUser> {
      const u = await createUser(s, { duration: 60 });
      if (roles.length > 0) expectOk(await s.request('PUT', `/v1/users/${u.userId}`, { roles }));
      return u;
    }

    const check = (resource_id: string, action: string) => ({ authorization_check: { resource_id, action } });
    after(() => s.close());

    void describe('GET /v1/rbac/policy', () => {
      void it('a project without a policy has the default one: stytch_user and stytch_admin, no resources', async () => {
        const other = await s.createProject();
        const res = await s.request('GET', '/v1/rbac/policy', undefined, { auth: authFor(other) });
        expectOk(res);
        assert.deepEqual(Object.keys(res.body).sort(), ['policy', 'request_id', 'status_code']);
        assert.deepEqual(res.body.policy, {
          roles: [
            { role_id: 'stytch_user', description: 'Granted to every user.', permissions: [] },
            { role_id: 'stytch_admin', description: 'An administrator; assigned explicitly.', permissions: [] },
          ],
          resources: [],
          scopes: [],
        });
      });

      void it("answers the project's policy (here the one set before the suite)", async () => {
        const res = await s.request('GET', '/v1/rbac/policy');
        expectOk(res);
        assert.deepEqual(res.body.policy, POLICY_DOC);
      });

      void it("answers each project's own policy, every field present, and only to that project", async () => {
        const p = await s.createProject();
        await s.postern.rbac.setPolicy(p.projectId, POLICY_DOC);
        const res = await s.request('GET', '/v1/rbac/policy', undefined, { auth: authFor(p) });
        expectOk(res);
        assert.deepEqual(res.body.policy, POLICY_DOC);
        const fresh = await s.createProject();
        const theirs = await s.request('GET', '/v1/rbac/policy', undefined, { auth: authFor(fresh) });
        assert.deepEqual(theirs.body.policy.resources, [], "another project's policy is not this one's");
      });

      void it('needs the project credentials', async () => {
        expectError(await s.request('GET', '/v1/rbac/policy', undefined, { auth: null }), 401, 'unauthorized_credentials');
        expectError(await s.request('GET', '/v1/rbac/policy', undefined, { auth: authFor({ projectId: s.projectId, secret: 'secret-test-wrong' }) }), 401, 'unauthorized_credentials');
        expectError(await s.request('POST', '/v1/rbac/policy', {}), 405, 'method_not_allowed');
      });
    });

    void describe('POST /v1/sessions/authenticate with authorization_check', () => {
      void it('granted: 200 with verdict {authorized, granting_roles}, by token and by JWT', async () => {
        const u = await userWith([]);
        for (const ref of [{ session_token: u.sessionToken }, { session_jwt: u.sessionJwt }]) {
          const res = await authSession(s, { ...ref, ...check('documents', 'read') });
          expectOk(res);
          assert.deepEqual(res.body.verdict, { authorized: true, granting_roles: ['stytch_user'] });
          assert.equal(res.body.session.session_id, u.sessionId);
        }
      });

      void it('granting_roles lists every role of the user that grants it, in policy order; * grants every action', async () => {
        const u = await userWith(['editor', 'stytch_admin', 'billing']);
        const write = await authSession(s, { session_token: u.sessionToken, ...check('documents', 'write') });
        expectOk(write);
        assert.deepEqual(write.body.verdict, { authorized: true, granting_roles: ['stytch_admin', 'editor'] });
        const del = await authSession(s, { session_token: u.sessionToken, ...check('documents', 'delete') });
        assert.deepEqual(del.body.verdict.granting_roles, ['stytch_admin'], 'by the wildcard');
        const pay = await authSession(s, { session_token: u.sessionToken, ...check('invoices', 'pay') });
        assert.deepEqual(pay.body.verdict.granting_roles, ['stytch_admin', 'billing']);
        assert.deepEqual(write.body.session.roles, ['stytch_user', 'editor', 'stytch_admin', 'billing']);
        assert.deepEqual((decodeJwt(write.body.session_jwt)[SESSION_CLAIM] as { roles: string[] }).roles, ['stytch_user', 'editor', 'stytch_admin', 'billing'], 'the JWT carries the roles');
      });

      void it('not granted: 403 consumer_session_authorization_error, and the session is left exactly as it was', async () => {
        const u = await userWith(['editor']);
        const before = await authSession(s, { session_token: u.sessionToken });
        expectOk(before);
        clock.advance(2 * MINUTE);
        const refused = await authSession(s, {
          session_token: u.sessionToken,
          session_duration_minutes: 600,
          session_custom_claims: { plan: 'pro' },
          ...check('invoices', 'pay'),
        });
        expectError(refused, 403, 'consumer_session_authorization_error');
        clock.advance(1000);
        const after = await s.request('GET', `/v1/sessions?user_id=${u.userId}`);
        const session = (after.body.sessions as Array<Record<string, unknown>>).find((x) => x.session_id === u.sessionId);
        assert.deepEqual(
          [session?.last_accessed_at, session?.expires_at, session?.custom_claims],
          [before.body.session.last_accessed_at, before.body.session.expires_at, {}],
          'neither touched, extended nor given claims',
        );
        expectError(await authSession(s, { session_jwt: u.sessionJwt, ...check('documents', 'delete') }), 403, 'consumer_session_authorization_error');
      });

      void it('an unknown resource or action is refused, never passed, even for a wildcard role', async () => {
        const admin = await userWith(['stytch_admin']);
        for (const [resource, action] of [['photos', 'read'], ['documents', 'share'], ['documents', '*'], ['', ''], ['Documents', 'read']] as const) {
          expectError(await authSession(s, { session_token: admin.sessionToken, ...check(resource, action) }), 403, 'consumer_session_authorization_error');
        }
      });

      void it('a role missing from the policy grants nothing; a removed role stops granting at once', async () => {
        const ghost = await userWith(['ghost-role']);
        expectError(await authSession(s, { session_token: ghost.sessionToken, ...check('documents', 'write') }), 403, 'consumer_session_authorization_error');
        const editor = await userWith(['editor']);
        expectOk(await authSession(s, { session_jwt: editor.sessionJwt, ...check('documents', 'write') }));
        expectOk(await s.request('PUT', `/v1/users/${editor.userId}`, { roles: [] }));
        expectError(await authSession(s, { session_jwt: editor.sessionJwt, ...check('documents', 'write') }), 403, 'consumer_session_authorization_error');
      });

      void it('a policy change applies to the next check', async () => {
        const p = await s.createProject();
        const auth = { auth: authFor(p) };
        const u = await createUser(s, { duration: 60, auth: auth.auth });
        expectError(await authSession(s, { session_token: u.sessionToken, ...check('documents', 'read') }, auth), 403, 'consumer_session_authorization_error');
        await s.postern.rbac.setPolicy(p.projectId, POLICY_DOC);
        expectOk(await authSession(s, { session_token: u.sessionToken, ...check('documents', 'read') }, auth));
        await s.postern.rbac.setPolicy(p.projectId, { resources: POLICY_DOC.resources });
        expectError(await authSession(s, { session_token: u.sessionToken, ...check('documents', 'read') }, auth), 403, 'consumer_session_authorization_error');
      });

      void it('without a check there is no verdict; a malformed check is 400 invalid_argument; the session is checked first', async () => {
        const u = await userWith([]);
        const plain = await authSession(s, { session_token: u.sessionToken });
        expectOk(plain);
        assert.ok(!('verdict' in plain.body));
        const nullCheck = await authSession(s, { session_token: u.sessionToken, authorization_check: null });
        expectOk(nullCheck);
        assert.ok(!('verdict' in nullCheck.body), 'null is absent');
        const b2b = await authSession(s, { session_token: u.sessionToken, authorization_check: { organization_id: 'org', resource_id: 'documents', action: 'read' } });
        assert.deepEqual(b2b.body.verdict, { authorized: true, granting_roles: ['stytch_user'] }, 'other keys are ignored');
        for (const bad of [{}, { resource_id: 'documents' }, { action: 'read' }, { resource_id: 1, action: 'read' }, 'documents:read', ['documents', 'read']]) {
          expectError(await authSession(s, { session_token: u.sessionToken, authorization_check: bad }), 400, 'invalid_argument');
        }
        expectError(await authSession(s, { session_token: 'x'.repeat(44), ...check('documents', 'read') }), 404, 'session_not_found');
        expectError(await authSession(s, check('documents', 'read')), 400, 'no_session_arguments');
      });
    });
  });
}
