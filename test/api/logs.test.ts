/**
 * The server's log at its most verbose holds no password, session token, JWT, project secret
 * or Authorization header after a run of every flow, including failures.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, STRONG, startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`logs hold no secrets (${dialect})`, () => {
    let s: TestServer;
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });

    before(async () => {
      s = await startTestServer(dialect, { env: { POSTERN_LOG_LEVEL: 'trace' }, logStream: sink });
    });
    after(() => s.close());

    it('after create, login, reset, session calls and failures', async () => {
      const email = `logs-${dialect}@example.com`;
      const secrets: string[] = [s.secret, Buffer.from(`${s.projectId}:${s.secret}`).toString('base64'), STRONG[0]!, STRONG[1]!, 'wrong-password-Zq81'];
      const created = await s.request('POST', '/v1/passwords', { email, password: STRONG[0], session_duration_minutes: 60 });
      assert.equal(created.status, 200);
      secrets.push(created.body.session_token, created.body.session_jwt);
      assert.equal((await s.request('POST', '/v1/passwords/authenticate', { email, password: 'wrong-password-Zq81' })).status, 401);
      const reset = await s.request('POST', '/v1/passwords/existing_password/reset', {
        email,
        existing_password: STRONG[0],
        new_password: STRONG[1],
        session_token: created.body.session_token,
        session_duration_minutes: 30,
      });
      assert.equal(reset.status, 200);
      secrets.push(reset.body.session_jwt);
      assert.equal((await s.request('POST', '/v1/sessions/authenticate', { session_jwt: reset.body.session_jwt })).status, 200);
      assert.equal((await s.request('POST', '/v1/sessions/authenticate', { session_token: 'x'.repeat(44) })).status, 404);
      assert.equal((await s.request('POST', '/v1/passwords', { email: 'bad', password: STRONG[2] })).status, 400);
      assert.equal((await s.request('GET', '/v1/users/user-test-nope', undefined, { auth: 'Basic ' + Buffer.from(`${s.projectId}:wrong-secret-7781`).toString('base64') })).status, 401);
      secrets.push('wrong-secret-7781');

      const log = lines.join('');
      assert.ok(log.length > 0, 'the server logged nothing at trace level');
      assert.match(log, /"reqId"/);
      for (const secret of secrets) {
        assert.ok(secret.length >= 8);
        assert.equal(log.includes(secret), false, `the log contains a secret: ${secret.slice(0, 12)}…`);
      }
    });
  });
}
