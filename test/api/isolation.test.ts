/**
 * Tenant isolation: a second project on the same server can neither see nor touch the first
 * project's users and sessions (every store method is scoped to a project).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import {
  STRONG, activeSessionIds, authFor, authSession, createUser, deleteUser, expectError, expectOk, expectSessionAlive,
  getUser, listSessions, login, resetPassword, revokeSession, type NewUser, type Res,
} from './support.js';

for (const dialect of DIALECTS) {
  void describe(`tenant isolation (${dialect})`, () => {
    let s: TestServer;
    let a: NewUser;
    let asB: { auth: string };
    before(async () => {
      s = await startTestServer(dialect);
      a = await createUser(s, { duration: 60 });
      asB = { auth: authFor(await s.createProject()) };
    });
    after(() => s.close());

    /** The first project still sees its user and session intact. */
    async function aIsIntact(): Promise<void> {
      expectOk(await getUser(s, a.userId));
      await expectSessionAlive(s, a.sessionToken, true);
      assert.deepEqual(await activeSessionIds(s, a.userId), [a.sessionId]);
    }

    function expectForeignJwtRejected(res: Res): void {
      const ok = (res.status === 401 && res.body.error_type === 'unauthorized_credentials') || (res.status === 404 && res.body.error_type === 'session_not_found');
      assert.ok(ok, `expected 401 unauthorized_credentials or 404 session_not_found, got ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status === 401) expectError(res, 401, 'unauthorized_credentials');
      else expectError(res, 404, 'session_not_found');
    }

    void it("GET / DELETE of the other project's user → 404 user_not_found", async () => {
      expectError(await getUser(s, a.userId, asB), 404, 'user_not_found');
      expectError(await deleteUser(s, a.userId, asB), 404, 'user_not_found');
      expectError(await listSessions(s, a.userId, asB), 404, 'user_not_found');
      await aIsIntact();
    });

    void it("the other project's email is unknown: email_not_found; it can be registered again", async () => {
      expectError(await login(s, a.email, a.password, {}, asB), 404, 'email_not_found');
      expectError(await resetPassword(s, a.email, a.password, STRONG[1], {}, asB), 404, 'email_not_found');
      const b = await createUser(s, { email: a.email, password: STRONG[2], duration: 60, auth: asB.auth });
      assert.notEqual(b.userId, a.userId);
      expectError(await login(s, a.email, STRONG[2]), 401, 'unauthorized_credentials');
      expectOk(await login(s, a.email, a.password));
      expectError(await login(s, a.email, a.password, {}, asB), 401, 'unauthorized_credentials');
      expectOk(await login(s, a.email, STRONG[2], {}, asB));
      expectError(await authSession(s, { session_token: b.sessionToken }), 404, 'session_not_found');
      await aIsIntact();
    });

    void it("the other project's session token → session_not_found on authenticate and revoke", async () => {
      expectError(await authSession(s, { session_token: a.sessionToken }, asB), 404, 'session_not_found');
      expectError(await revokeSession(s, { session_token: a.sessionToken }, asB), 404, 'session_not_found');
      expectError(await revokeSession(s, { session_id: a.sessionId }, asB), 404, 'session_not_found');
      await aIsIntact();
    });

    void it("the other project's JWT is rejected on authenticate and revoke", async () => {
      expectForeignJwtRejected(await authSession(s, { session_jwt: a.sessionJwt }, asB));
      expectForeignJwtRejected(await revokeSession(s, { session_jwt: a.sessionJwt }, asB));
      await aIsIntact();
    });

    void it("a session of the other project cannot be attached to this project's login", async () => {
      const b = await createUser(s, { password: STRONG[1], auth: asB.auth });
      expectError(await login(s, b.email, b.password, { session_token: a.sessionToken }, asB), 404, 'session_not_found');
      expectForeignJwtRejected(await login(s, b.email, b.password, { session_jwt: a.sessionJwt }, asB));
      expectError(await resetPassword(s, b.email, b.password, STRONG[2], { session_token: a.sessionToken }, asB), 404, 'session_not_found');
      const sess = await activeSessionIds(s, a.userId);
      assert.deepEqual(sess, [a.sessionId]);
      const check = await authSession(s, { session_token: a.sessionToken });
      expectOk(check);
      assert.equal(check.body.session.user_id, a.userId);
    });
  });
}
