/**
 * The server's log at its most verbose (trace) holds no secret after a scripted run of every
 * flow, failures included: no password (new, existing, wrong, migrated, strength-checked), no
 * imported hash, no session token or JWT, no reset token or PKCE verifier, no project secret,
 * no Authorization header value, no SMTP password, no master key and no signing-key material.
 * Run with email over SMTP (test/helpers/smtp.ts) on every dialect, and over the outbox.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { readOutbox } from '../../src/email/outbox.js';
import { FIXTURES } from '../fixtures/legacy-hashes.js';
import { DIALECTS, basicAuth, startTestServer, type Dialect, type TestServer } from '../helpers/server.js';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { MORE_STRONG, STRONG, WRONG, newEmail, type Res } from './support.js';

const RESET_URL = 'https://app.example.com/reset';
const LOGIN_URL = 'https://app.example.com/login';

/** The reset token in a message's link. */
function tokenIn(text: string): string {
  const link = /https:\/\/app\.example\.com\/reset\?\S+/.exec(text)?.[0];
  const token = link ? new URL(link).searchParams.get('token') : null;
  assert.ok(token, `no reset link in: ${text}`);
  return token;
}

function logCase(dialect: Dialect, mail: 'smtp' | 'outbox'): void {
  void describe(`logs hold no secrets (${dialect}, email over ${mail})`, () => {
    let s: TestServer;
    let smtp: TestSmtpServer | undefined;
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const masterKey = randomBytes(32).toString('base64');
    const pepper = randomBytes(32).toString('base64');
    let messagesSeen = 0;

    before(async () => {
      const env: Record<string, string> = { POSTERN_LOG_LEVEL: 'trace', POSTERN_MASTER_KEYS: `k1:${masterKey}`, POSTERN_PEPPER: `p1:${pepper}` };
      if (mail === 'smtp') {
        smtp = await startSmtpServer({ authRequired: true });
        Object.assign(env, {
          POSTERN_SMTP_HOST: '127.0.0.1',
          POSTERN_SMTP_PORT: String(smtp.port),
          POSTERN_SMTP_SECURITY: 'none',
          POSTERN_SMTP_USER: SMTP_USER,
          POSTERN_SMTP_PASSWORD: SMTP_PASSWORD,
        });
      }
      s = await startTestServer(dialect, { env, logStream: sink });
    });
    after(async () => {
      await s.close();
      await smtp?.close();
    });

    /** The token of the next reset email, from the SMTP server or the outbox. */
    async function nextResetToken(): Promise<string> {
      messagesSeen += 1;
      if (smtp) return tokenIn((await smtp.waitForMessage(messagesSeen)).text ?? '');
      const all = await readOutbox(`${s.dataDir}/outbox`);
      assert.equal(all.length, messagesSeen);
      return tokenIn(all[messagesSeen - 1]!.text);
    }

    it('after every flow, successes and failures', async () => {
      const secrets = new Set<string>([masterKey, pepper, SMTP_PASSWORD, s.secret, basicAuth(s.projectId, s.secret)]);
      const keep = (...values: unknown[]) => {
        for (const v of values) if (typeof v === 'string' && v !== '') secrets.add(v);
      };
      const send = async (method: string, url: string, body?: unknown, auth?: string | null): Promise<Res> => {
        const res = await s.request(method, url, body, auth === undefined ? {} : { auth });
        keep(res.body?.session_token, res.body?.session_jwt);
        return res;
      };
      const expect = (res: Res, status: number) => assert.equal(res.status, status, `${status} expected: ${JSON.stringify(res.body)}`);
      const email = newEmail('logs');
      const passwords = [...STRONG, ...MORE_STRONG, WRONG, 'weakpw1'];
      keep(...passwords);

      // passwords: create, authenticate, migrate, strength check
      const created = await send('POST', '/v1/passwords', { email, password: STRONG[0], session_duration_minutes: 60 });
      expect(created, 200);
      const userId = created.body.user_id as string;
      expect(await send('POST', '/v1/passwords', { email, password: STRONG[1] }), 400);
      expect(await send('POST', '/v1/passwords', { email: newEmail(), password: 'weakpw1' }), 400);
      expect(await send('POST', '/v1/passwords', { email: 'bad', password: STRONG[2] }), 400);
      expect(await send('POST', '/v1/passwords/authenticate', { email, password: WRONG }), 401);
      expect(await send('POST', '/v1/passwords/authenticate', { email: newEmail(), password: WRONG }), 404);
      const login = await send('POST', '/v1/passwords/authenticate', { email, password: STRONG[0], session_token: created.body.session_token, session_duration_minutes: 30 });
      expect(login, 200);
      const fixture = FIXTURES.find((f) => f.hash_type === 'phpass')!;
      keep(fixture.hash, fixture.password, fixture.wrong_password);
      const migratedEmail = newEmail('migrated');
      expect(await send('POST', '/v1/passwords/migrate', { email: migratedEmail, hash: fixture.hash, hash_type: 'phpass' }), 200);
      expect(await send('POST', '/v1/passwords/authenticate', { email: migratedEmail, password: fixture.wrong_password }), 401);
      expect(await send('POST', '/v1/passwords/authenticate', { email: migratedEmail, password: fixture.password, session_duration_minutes: 5 }), 200);
      expect(await send('POST', '/v1/passwords/migrate', { email: newEmail(), hash: 'not-a-phpass-hash-0xdeadbeef', hash_type: 'phpass' }), 400);
      keep('not-a-phpass-hash-0xdeadbeef');
      expect(await send('POST', '/v1/passwords/strength_check', { email, password: MORE_STRONG[4] }), 200);
      expect(await send('POST', '/v1/passwords/strength_check', { password: 'weakpw1' }), 200);

      // the three resets
      expect(await send('POST', '/v1/passwords/existing_password/reset', { email, existing_password: WRONG, new_password: STRONG[1] }), 401);
      const existing = await send('POST', '/v1/passwords/existing_password/reset', { email, existing_password: STRONG[0], new_password: STRONG[1], session_duration_minutes: 30 });
      expect(existing, 200);
      const bySession = await send('POST', '/v1/passwords/session/reset', { session_token: existing.body.session_token, password: STRONG[2], session_duration_minutes: 30 });
      expect(bySession, 200);
      expect(await send('POST', '/v1/passwords/session/reset', { session_jwt: bySession.body.session_jwt, password: 'weakpw1' }), 400);
      const badToken = randomBytes(33).toString('base64url');
      keep(badToken);
      expect(await send('POST', '/v1/passwords/session/reset', { session_token: badToken, password: MORE_STRONG[0] }), 404);
      expect(await send('POST', '/v1/passwords/email/reset/start', { email, reset_password_redirect_url: RESET_URL, login_redirect_url: LOGIN_URL }), 200);
      const resetToken = await nextResetToken();
      keep(resetToken);
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      keep(verifier);
      expect(await send('POST', '/v1/passwords/email/reset', { token: badToken, password: MORE_STRONG[0] }), 404);
      expect(await send('POST', '/v1/passwords/email/reset', { token: resetToken, password: MORE_STRONG[0], session_duration_minutes: 30 }), 200);
      expect(await send('POST', '/v1/passwords/email/reset', { token: resetToken, password: MORE_STRONG[1] }), 401);
      expect(await send('POST', '/v1/passwords/email/reset/start', { email, reset_password_redirect_url: RESET_URL, login_redirect_url: LOGIN_URL, code_challenge: challenge }), 200);
      const pkceToken = await nextResetToken();
      keep(pkceToken);
      expect(await send('POST', '/v1/passwords/email/reset', { token: pkceToken, password: MORE_STRONG[1], code_verifier: randomBytes(32).toString('base64url') }), 400);
      expect(await send('POST', '/v1/passwords/email/reset', { token: pkceToken, password: MORE_STRONG[1], code_verifier: verifier }), 200);

      // sessions
      const fresh = await send('POST', '/v1/passwords/authenticate', { email, password: MORE_STRONG[1], session_duration_minutes: 60 });
      expect(fresh, 200);
      expect(await send('POST', '/v1/sessions/authenticate', { session_token: fresh.body.session_token, session_duration_minutes: 90 }), 200);
      expect(await send('POST', '/v1/sessions/authenticate', { session_jwt: fresh.body.session_jwt }), 200);
      expect(await send('POST', '/v1/sessions/authenticate', { session_token: badToken }), 404);
      const forged = fresh.body.session_jwt.slice(0, -6) + 'AAAAAA';
      keep(forged);
      expect(await send('POST', '/v1/sessions/authenticate', { session_jwt: forged }), 401);
      expect(await send('GET', `/v1/sessions?user_id=${userId}`), 200);
      expect(await send('GET', `/v1/sessions/jwks/${s.projectId}`, undefined, null), 200);
      const second = await send('POST', '/v1/passwords/authenticate', { email, password: MORE_STRONG[1], session_duration_minutes: 60 });
      const third = await send('POST', '/v1/passwords/authenticate', { email, password: MORE_STRONG[1], session_duration_minutes: 60 });
      expect(await send('POST', '/v1/sessions/revoke', { session_token: fresh.body.session_token }), 200);
      expect(await send('POST', '/v1/sessions/revoke', { session_jwt: second.body.session_jwt }), 200);
      expect(await send('POST', '/v1/sessions/revoke', { session_id: third.body.session.session_id }), 200);
      expect(await send('POST', '/v1/sessions/revoke', { session_token: fresh.body.session_token }), 404);
      expect(await send('POST', '/v1/sessions/authenticate', { session_jwt: third.body.session_jwt }), 404);

      // users API
      const made = await send('POST', '/v1/users', { email: newEmail('api'), phone_number: '+14155550199', external_id: 'ext-logs-1', trusted_metadata: { k: 1 } });
      expect(made, 201);
      const apiUser = made.body.user_id as string;
      expect(await send('GET', `/v1/users/${apiUser}`), 200);
      expect(await send('GET', '/v1/users/ext-logs-1'), 200);
      expect(await send('POST', '/v1/users/search', { query: { operator: 'AND', operands: [{ filter_name: 'email_address_fuzzy', filter_value: 'logs' }] } }), 200);
      expect(await send('PUT', `/v1/users/${apiUser}`, { name: { first_name: 'Log' }, external_id: 'ext-logs-2' }), 200);
      expect(await send('DELETE', `/v1/users/${apiUser}/external_id`, {}), 200);
      expect(await send('DELETE', `/v1/users/phone_numbers/${made.body.phone_id}`, {}), 200);
      expect(await send('DELETE', `/v1/users/emails/${made.body.email_id}`, {}), 200);
      const withPassword = await send('GET', `/v1/users/${userId}`);
      expect(await send('DELETE', `/v1/users/passwords/${withPassword.body.password.password_id}`, {}), 200);
      expect(await send('DELETE', `/v1/users/${apiUser}`, {}), 200);
      expect(await send('GET', `/v1/users/${apiUser}`), 404);

      // Basic auth failures: wrong secret, unknown project, malformed, other schemes
      const wrongSecret = 'wrong-secret-7781-zz';
      const bearer = `Bearer ${randomBytes(24).toString('hex')}`;
      const garbled = `Basic ${randomBytes(30).toString('base64')}`;
      const failures = [basicAuth(s.projectId, wrongSecret), basicAuth('project-test-00000000-0000-4000-8000-000000000000', s.secret), garbled, bearer, 'Basic', `${s.projectId}:${s.secret}`];
      keep(...failures.filter((h) => h !== 'Basic'));
      for (const header of failures) expect(await send('GET', `/v1/users/${userId}`, undefined, header), 401);
      expect(await send('GET', `/v1/users/${userId}`, undefined, null), 401);

      // Signing-key material, as stored (sealed under the master key) and as PEM/JWK if it leaked.
      for (const row of await s.query('select private_key from signing_keys')) keep(String(row.private_key));

      const log = lines.join('');
      assert.ok(log.length > 0, 'the server logged nothing at trace level');
      assert.match(log, /"reqId"/);
      assert.match(log, /incoming request/);
      for (const secret of secrets) {
        assert.ok(secret.length >= 7, `too short to search for: ${secret}`);
        assert.equal(log.includes(secret), false, `the log contains a secret: ${secret.slice(0, 12)}…`);
        // Also the parts of a Basic header and of a JWT, and their base64 encodings.
        const parts = secret.startsWith('Basic ') || secret.startsWith('Bearer ') ? [secret.split(' ')[1] ?? ''] : secret.split('.');
        for (const part of parts.filter((p) => p.length >= 16)) assert.equal(log.includes(part), false, `the log contains part of a secret: ${part.slice(0, 12)}…`);
      }
      assert.doesNotMatch(log, /PRIVATE KEY/);
      assert.doesNotMatch(log, /"d":"/, 'a private JWK parameter');
      assert.doesNotMatch(log, /authorization/i);
    });
  });
}

for (const dialect of DIALECTS) logCase(dialect, 'smtp');
logCase('sqlite', 'outbox');
