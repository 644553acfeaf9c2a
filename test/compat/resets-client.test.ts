/**
 * The official `stytch` client for the resets that do not prove the current password:
 * passwords.email.resetStart → the emailed link → passwords.email.reset, and
 * passwords.sessions.reset; errors arrive as StytchErrors with Stytch's types.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'stytch';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { MORE_STRONG, STRONG, newEmail } from '../api/support.js';
import { rejectsWith } from '../helpers/stytch-errors.js';

for (const dialect of DIALECTS) {
  describe(`stytch client: email and session resets (${dialect})`, () => {
    let s: TestServer;
    let smtp: TestSmtpServer;
    let client: Client;
    before(async () => {
      smtp = await startSmtpServer();
      s = await startTestServer(dialect, { env: { POSTERN_SMTP_HOST: '127.0.0.1', POSTERN_SMTP_PORT: String(smtp.port), POSTERN_SMTP_SECURITY: 'none' } });
      client = s.client();
    });
    after(async () => {
      await s.close();
      await smtp.close();
    });

    it('passwords.email.resetStart and passwords.email.reset', async () => {
      const email = newEmail('sdk-email');
      const created = await client.passwords.create({ email, password: STRONG[0] });
      const started = await client.passwords.email.resetStart({
        email,
        reset_password_redirect_url: 'https://app.example.com/reset',
        login_redirect_url: 'https://app.example.com/login',
        locale: 'fr',
      });
      assert.equal(started.user_id, created.user_id);
      assert.equal(started.email_id, created.email_id);
      const mail = await smtp.waitForMessage(smtp.messages.length);
      const token = new URL(/https:\/\/app\.example\.com\/reset\S+/.exec(mail.text ?? '')![0]).searchParams.get('token')!;
      const done = await client.passwords.email.reset({ token, password: MORE_STRONG[0], session_duration_minutes: 30 });
      assert.equal(done.user_id, created.user_id);
      assert.equal(done.session?.authentication_factors[0]?.type, 'magic_link');
      assert.equal(done.user.emails[0]?.verified, true);
      await rejectsWith(client.passwords.email.reset({ token, password: MORE_STRONG[1] }), 401, 'unable_to_auth_magic_link');
      await rejectsWith(client.passwords.email.resetStart({ email: newEmail('nobody'), reset_password_redirect_url: 'https://a.example/r', login_redirect_url: 'https://a.example/l' }), 404, 'email_not_found');
      await client.passwords.authenticate({ email, password: MORE_STRONG[0] });
    });

    it('passwords.sessions.reset', async () => {
      const email = newEmail('sdk-session');
      const login = await client.passwords.create({ email, password: STRONG[0], session_duration_minutes: 30 });
      const other = await client.passwords.authenticate({ email, password: STRONG[0], session_duration_minutes: 30 });
      const res = await client.passwords.sessions.reset({ password: MORE_STRONG[1], session_token: login.session_token });
      assert.equal(res.session?.session_id, login.session?.session_id);
      assert.equal(res.session_token, login.session_token);
      await rejectsWith(client.sessions.authenticate({ session_token: other.session_token }), 404, 'session_not_found');
      await client.passwords.authenticate({ email, password: MORE_STRONG[1] });
      await rejectsWith(client.passwords.sessions.reset({ password: 'password', session_token: login.session_token }), 400, 'weak_password');
    });
  });
}
