/**
 * Consumer RBAC over raw HTTP: GET /v1/rbac/policy, and authorization_check on
 * POST /v1/sessions/authenticate (verdict, 403 consumer_session_authorization_error).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { POLICY_DOC } from '../fixtures/rbac-policy.js';
import { authFor, expectError, expectOk } from './support.js';


for (const dialect of DIALECTS) {
  void describe(`RBAC (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
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

      void it("answers the project's policy, every field present, and only to that project", async () => {
        const p = await s.createProject();
        await s.postern.rbac.setPolicy(p.projectId, POLICY_DOC);
        const res = await s.request('GET', '/v1/rbac/policy', undefined, { auth: authFor(p) });
        expectOk(res);
        assert.deepEqual(res.body.policy, POLICY_DOC);
        const mine = await s.request('GET', '/v1/rbac/policy');
        assert.deepEqual(mine.body.policy.resources, [], "another project's policy is not this one's");
      });

      void it('needs the project credentials', async () => {
        expectError(await s.request('GET', '/v1/rbac/policy', undefined, { auth: null }), 401, 'unauthorized_credentials');
        expectError(await s.request('GET', '/v1/rbac/policy', undefined, { auth: authFor({ projectId: s.projectId, secret: 'secret-test-wrong' }) }), 401, 'unauthorized_credentials');
        expectError(await s.request('POST', '/v1/rbac/policy', {}), 405, 'method_not_allowed');
      });
    });
  });
}
