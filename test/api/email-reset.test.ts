/**
 * Resets by email, end to end through a real SMTP server in-process: the message, the link,
 * single use, expiry, PKCE, attribute matching, redirect defaults, locales, sessions and locks.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { readOutbox } from '../../src/email/outbox.js';
import { DIALECTS, startTestServer, type FixedClock, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { MINUTE, MORE_STRONG, STRONG, WRONG, expectError, expectOk, newEmail, wholeSecondClock } from './support.js';

const RESET_URL = 'https://app.example.com/reset?from=email';
const LOGIN_URL = 'https://app.example.com/login';

/** The token in the reset link of a message body. */
function tokenFrom(text: string): string {
  const link = /https:\/\/app\.example\.com\/reset\?\S+/.exec(text)?.[0];
  assert.ok(link, `no reset link in: ${text}`);
  const url = new URL(link);
  assert.equal(url.searchParams.get('stytch_token_type'), 'reset_password');
  assert.equal(url.searchParams.get('from'), 'email', 'the redirect URL keeps its own query');
  const token = url.searchParams.get('token');
  assert.match(token ?? '', /^[A-Za-z0-9_-]{43}=$/);
  return token!;
}

for (const dialect of DIALECTS) {
  describe(`email reset over SMTP (${dialect})`, () => {
    let s: TestServer;
    let smtp: TestSmtpServer;
    let clock: FixedClock;
    before(async () => {
      smtp = await startSmtpServer();
      clock = wholeSecondClock();
      s = await startTestServer(dialect, {
        clock,
        env: { POSTERN_SMTP_HOST: '127.0.0.1', POSTERN_SMTP_PORT: String(smtp.port), POSTERN_SMTP_SECURITY: 'none', POSTERN_EMAIL_FROM: 'Example <auth@example.com>' },
      });
    });
    after(async () => {
      await s.close();
      await smtp.close();
    });

    const start = (body: Record<string, unknown>) =>
      s.request('POST', '/v1/passwords/email/reset/start', { reset_password_redirect_url: RESET_URL, login_redirect_url: LOGIN_URL, ...body });
    const finish = (body: Record<string, unknown>) => s.request('POST', '/v1/passwords/email/reset', body);
    const login = (email: string, password: string, extra: Record<string, unknown> = {}) =>
      s.request('POST', '/v1/passwords/authenticate', { email, password, ...extra });

    async function newUser(): Promise<{ email: string; userId: string }> {
      const email = newEmail('ereset');
      const res = await s.request('POST', '/v1/passwords', { email, password: STRONG[0] });
      expectOk(res);
      return { email, userId: res.body.user_id };
    }

    async function startAndReceive(email: string, body: Record<string, unknown> = {}) {
      const before = smtp.messages.length;
      const res = await start({ email, ...body });
      expectOk(res);
      const mail = await smtp.waitForMessage(before + 1);
      return { res, mail, token: tokenFrom(mail.text ?? '') };
    }

    it('start sends the link to the user; the token resets once; the email becomes verified', async () => {
      const u = await newUser();
      const a = await login(u.email, STRONG[0], { session_duration_minutes: 60 });
      const { res, mail, token } = await startAndReceive(u.email);
      assert.deepEqual(Object.keys(res.body).sort(), ['email_id', 'request_id', 'status_code', 'user_id']);
      assert.equal(res.body.user_id, u.userId);
      assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', u.email);
      assert.match(mail.from?.text ?? '', /auth@example\.com/);
      assert.ok((mail.subject ?? '').length > 0);
      assert.ok(typeof mail.html === 'string' && mail.html.includes('stytch_token_type=reset_password&amp;token='));
      assert.ok((mail.text ?? '').includes(LOGIN_URL));

      const done = await finish({ token, password: MORE_STRONG[0], session_duration_minutes: 30 });
      expectOk(done);
      assert.equal(done.body.user.emails[0].verified, true);
      const factor = done.body.session.authentication_factors[0];
      assert.equal(factor.type, 'magic_link');
      assert.equal(factor.delivery_method, 'email');
      assert.deepEqual(factor.email_factor, { email_id: res.body.email_id, email_address: u.email });
      expectError(await s.request('POST', '/v1/sessions/authenticate', { session_token: a.body.session_token }), 404, 'session_not_found');
      expectError(await login(u.email, STRONG[0]), 401, 'unauthorized_credentials');
      expectOk(await login(u.email, MORE_STRONG[0]));
      expectError(await finish({ token, password: MORE_STRONG[1] }), 401, 'unable_to_auth_magic_link');
    });

    it('unknown and expired tokens; a token dies when the password changes by another route', async () => {
      expectError(await finish({ token: randomBytes(32).toString('base64url') + '=', password: MORE_STRONG[0] }), 404, 'magic_link_not_found');
      expectError(await finish({ token: 'garbage', password: MORE_STRONG[0] }), 404, 'magic_link_not_found');
      const u = await newUser();
      const first = await startAndReceive(u.email, { reset_password_expiration_minutes: 5 });
      clock.advance(5 * MINUTE);
      expectError(await finish({ token: first.token, password: MORE_STRONG[0] }), 401, 'unable_to_auth_magic_link');
      const second = await startAndReceive(u.email);
      expectOk(await s.request('POST', '/v1/passwords/existing_password/reset', { email: u.email, existing_password: STRONG[0], new_password: STRONG[1] }));
      expectError(await finish({ token: second.token, password: MORE_STRONG[0] }), 401, 'unable_to_auth_magic_link');
    });

    it('PKCE: a challenge requires its verifier; a verifier needs a challenge', async () => {
      const u = await newUser();
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      expectError(await start({ email: u.email, code_challenge: 'not-a-challenge' }), 400, 'invalid_pkce_code_challenge');
      const { token } = await startAndReceive(u.email, { code_challenge: challenge });
      expectError(await finish({ token, password: MORE_STRONG[0] }), 400, 'pkce_expected_code_verifier');
      expectError(await finish({ token, password: MORE_STRONG[0], code_verifier: randomBytes(32).toString('base64url') }), 400, 'pkce_mismatch');
      expectError(await finish({ token, password: MORE_STRONG[0], code_verifier: 'short' }), 400, 'invalid_pkce_code_verifier');
      expectOk(await finish({ token, password: MORE_STRONG[0], code_verifier: verifier }));
      const plain = await startAndReceive(u.email);
      expectError(await finish({ token: plain.token, password: MORE_STRONG[1], code_verifier: verifier }), 400, 'pkce_did_not_expect_code_verifier');
    });

    it('attribute matching on request: a different IP or user agent is attribute_mismatch', async () => {
      const u = await newUser();
      const { token } = await startAndReceive(u.email, { attributes: { ip_address: '203.0.113.7', user_agent: 'Browser/1' } });
      expectError(await finish({ token, password: MORE_STRONG[0], attributes: { ip_address: '198.51.100.1', user_agent: 'Browser/1' }, options: { ip_match_required: true } }), 401, 'attribute_mismatch');
      expectError(await finish({ token, password: MORE_STRONG[0], attributes: { ip_address: '203.0.113.7', user_agent: 'Other/2' }, options: { user_agent_match_required: true } }), 401, 'attribute_mismatch');
      expectOk(await finish({ token, password: MORE_STRONG[0], attributes: { ip_address: '203.0.113.7', user_agent: 'Browser/1' }, options: { ip_match_required: true, user_agent_match_required: true } }));
    });

    it('redirect URLs come from the request or the project; errors when neither has one', async () => {
      const u = await newUser();
      const bare = (body: Record<string, unknown>) => s.request('POST', '/v1/passwords/email/reset/start', { email: u.email, ...body });
      expectError(await bare({ login_redirect_url: LOGIN_URL }), 400, 'no_password_reset_redirect_url');
      expectError(await bare({ reset_password_redirect_url: RESET_URL }), 400, 'no_login_redirect_url');
      expectError(await bare({ reset_password_redirect_url: 'javascript:alert(1)', login_redirect_url: LOGIN_URL }), 400, 'invalid_password_reset_redirect_url');
      expectError(await bare({ reset_password_redirect_url: RESET_URL, login_redirect_url: 'not a url' }), 400, 'invalid_login_redirect_url');
      await s.postern.projects.set(s.projectId, [`reset_password_redirect_url=${RESET_URL}`, `login_redirect_url=${LOGIN_URL}`]);
      try {
        const before = smtp.messages.length;
        expectOk(await bare({}));
        tokenFrom((await smtp.waitForMessage(before + 1)).text ?? '');
      } finally {
        await s.postern.projects.set(s.projectId, ['reset_password_redirect_url=', 'login_redirect_url=']);
      }
    });

    it('other start errors: unknown email, expiry range, locale, template', async () => {
      const u = await newUser();
      expectError(await start({ email: newEmail('nobody') }), 404, 'email_not_found');
      expectError(await start({ email: 'bad' }), 400, 'invalid_email');
      expectError(await start({ email: u.email, reset_password_expiration_minutes: 4 }), 400, 'invalid_expiration');
      expectError(await start({ email: u.email, reset_password_expiration_minutes: 10081 }), 400, 'invalid_expiration');
      expectError(await start({ email: u.email, locale: 'e$' }), 400, 'invalid_locale');
      expectError(await start({ email: u.email, reset_password_template_id: 'custom' }), 404, 'email_template_not_found');
    });

    it('locales: es, fr and pt-br are translated; an unsupported one falls back to English', async () => {
      const u = await newUser();
      const subjects: Record<string, string> = {};
      for (const locale of ['en', 'es', 'fr', 'pt-br', 'de']) {
        const { mail } = await startAndReceive(u.email, { locale });
        subjects[locale] = mail.subject ?? '';
      }
      assert.equal(new Set([subjects.en, subjects.es, subjects.fr, subjects['pt-br']]).size, 4, JSON.stringify(subjects));
      assert.equal(subjects.de, subjects.en);
    });

    it('a valid session passed in survives and gets the email factor; other sessions die; a lock is cleared', async () => {
      const u = await newUser();
      const keep = await login(u.email, STRONG[0], { session_duration_minutes: 60 });
      const other = await login(u.email, STRONG[0], { session_duration_minutes: 60 });
      for (let i = 0; i < 10; i++) await login(u.email, WRONG);
      expectError(await login(u.email, STRONG[0]), 429, 'user_lock_limit_reached');
      const { token } = await startAndReceive(u.email);
      const done = await finish({ token, password: MORE_STRONG[2], session_token: keep.body.session_token });
      expectOk(done);
      assert.equal(done.body.session.session_id, keep.body.session.session_id);
      assert.equal(done.body.session_token, keep.body.session_token);
      assert.deepEqual(done.body.session.authentication_factors.map((f: { type: string }) => f.type), ['password', 'magic_link']);
      expectError(await s.request('POST', '/v1/sessions/authenticate', { session_token: other.body.session_token }), 404, 'session_not_found');
      expectOk(await s.request('POST', '/v1/sessions/authenticate', { session_token: keep.body.session_token }));
      expectOk(await login(u.email, MORE_STRONG[2])); // the lock was cleared
    });
  });
}

describe('email delivery failures and the outbox', () => {
  it('a rejected message answers email_delivery_failed and leaves no token behind', async () => {
    const smtp = await startSmtpServer({ failWith: 550 });
    const s = await startTestServer('sqlite', { env: { POSTERN_SMTP_HOST: '127.0.0.1', POSTERN_SMTP_PORT: String(smtp.port), POSTERN_SMTP_SECURITY: 'none' } });
    try {
      const email = newEmail('fail');
      expectOk(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }));
      const res = await s.request('POST', '/v1/passwords/email/reset/start', { email, reset_password_redirect_url: RESET_URL, login_redirect_url: LOGIN_URL });
      expectError(res, 400, 'email_delivery_failed');
      assert.deepEqual(await s.query('select id from password_reset_tokens'), []);
    } finally {
      await s.close();
      await smtp.close();
    }
  });

  it('without SMTP the message goes to the outbox, and its link completes the reset', async () => {
    const s = await startTestServer('sqlite');
    try {
      const email = newEmail('outbox');
      expectOk(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }));
      expectOk(await s.request('POST', '/v1/passwords/email/reset/start', { email, reset_password_redirect_url: RESET_URL, login_redirect_url: LOGIN_URL }));
      const messages = await readOutbox(`${s.dataDir}/outbox`, { last: 1 });
      assert.equal(messages.length, 1);
      assert.equal(messages[0]!.to, email);
      const token = tokenFrom(messages[0]!.text);
      expectOk(await s.request('POST', '/v1/passwords/email/reset', { token, password: MORE_STRONG[0] }));
      expectOk(await s.request('POST', '/v1/passwords/authenticate', { email, password: MORE_STRONG[0] }));
    } finally {
      await s.close();
    }
  });
});
