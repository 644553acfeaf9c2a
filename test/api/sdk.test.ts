/**
 * The frontend SDK routes (`/sdk/v1/*`) over raw HTTP, as `@stytch/vanilla-js` calls them:
 * public-token auth with the session token in place of the password, `{data}` wrapping,
 * unwrapped error envelopes, CORS for allowed origins only (on errors too), the session rules
 * the SDK depends on, and the limits shared with /v1. The real SDK in a browser is
 * test/browser; this file pins the wire.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { MORE_STRONG, REQUEST_ID, SESSION_TOKEN, STRONG, WRONG, expectError, newEmail, type Res } from './support.js';

const ORIGIN = 'http://localhost:3000';
const RESET_URL = 'http://localhost:3000/reset';
const LOGIN_URL = 'http://localhost:3000/login';

function sdkAuth(publicToken: string, sessionToken?: string): string {
  return 'Basic ' + Buffer.from(`${publicToken}:${sessionToken ?? publicToken}`).toString('base64');
}

/** A success: 200, `{data}` and nothing else, with the common fields inside. */
function data(res: Res): Record<string, any> {
  assert.equal(res.status, 200, `expected 200, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.deepEqual(Object.keys(res.body), ['data'], 'the body is {data} alone');
  assert.match(res.body.data.request_id, REQUEST_ID);
  assert.equal(res.body.data.status_code, 200);
  return res.body.data as Record<string, any>;
}

function assertGranted(res: Res, origin = ORIGIN): void {
  assert.equal(res.headers.get('access-control-allow-origin'), origin);
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  assert.match(res.headers.get('vary') ?? '', /Origin/i);
}

function assertNotGranted(res: Res): void {
  assert.equal(res.headers.get('access-control-allow-origin'), null);
  assert.equal(res.headers.get('access-control-allow-credentials'), null);
}

for (const dialect of DIALECTS) {
  describe(`frontend SDK routes (${dialect})`, () => {
    let s: TestServer;
    let smtp: TestSmtpServer;
    before(async () => {
      smtp = await startSmtpServer();
      s = await startTestServer(dialect, {
        env: {
          POSTERN_SMTP_HOST: '127.0.0.1',
          POSTERN_SMTP_PORT: String(smtp.port),
          POSTERN_SMTP_SECURITY: 'none',
          POSTERN_EMAIL_FROM: 'Example <auth@example.com>',
          POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '5',
        },
      });
    });
    after(async () => {
      await s.close();
      await smtp.close();
    });

    /** A call as the SDK makes it from a page on `origin`. */
    const sdk = (method: string, path: string, body?: unknown, o: { token?: string; session?: string; origin?: string | null } = {}) =>
      s.request(method, `/sdk/v1${path}`, body, {
        auth: sdkAuth(o.token ?? s.publicToken, o.session),
        headers: {
          ...(o.origin === null ? {} : { origin: o.origin ?? ORIGIN }),
          'x-sdk-client': Buffer.from(JSON.stringify({ app: { identifier: 'test' }, sdk: { identifier: 'Stytch.js Javascript SDK', version: '6.3.0' } })).toString('base64'),
          'x-sdk-parent-host': ORIGIN,
        },
      });

    async function signUp(): Promise<{ email: string; session: string; userId: string }> {
      const email = newEmail('sdk');
      const d = data(await sdk('POST', '/passwords', { email, password: STRONG[0], session_duration_minutes: 30, captcha_token: '', dfp_telemetry_id: '' }));
      return { email, session: d.session_token, userId: d.user_id };
    }

    it('a preflight from an allowed origin is granted for the SDK headers and methods; others are refused', async () => {
      const ok = await s.request('OPTIONS', '/sdk/v1/passwords', undefined, {
        auth: null,
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-sdk-client,x-sdk-parent-host' },
      });
      assert.equal(ok.status, 204);
      assertGranted(ok);
      assert.equal(ok.headers.get('access-control-allow-methods'), 'GET, POST, PUT, DELETE');
      assert.equal(ok.headers.get('access-control-allow-headers'), 'authorization, content-type, x-sdk-client, x-sdk-parent-host');
      assert.ok(Number(ok.headers.get('access-control-max-age')) > 0);

      for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null']) {
        const no = await s.request('OPTIONS', '/sdk/v1/passwords', undefined, { auth: null, headers: { origin, 'access-control-request-method': 'POST' } });
        expectError(no, 403, 'bad_domain_for_stytch_sdk');
        assertNotGranted(no);
      }
    });

    it('bootstrap answers the project settings the SDK reads, wrapped in data', async () => {
      const res = await sdk('GET', `/projects/bootstrap/${s.publicToken}`);
      assertGranted(res);
      const d = data(res);
      assert.deepEqual(d.captcha_settings, { enabled: false });
      assert.equal(d.password_config, null, 'zxcvbn: no LUDS config');
      assert.equal(d.vertical, 'CONSUMER');
      assert.equal(d.disable_sdk_watermark, true);
      assert.deepEqual(d.rbac_policy, {
        roles: [
          { role_id: 'stytch_user', description: 'Granted to every user.', permissions: [] },
          { role_id: 'stytch_admin', description: 'An administrator; assigned explicitly.', permissions: [] },
        ],
        resources: [],
        scopes: [],
      }, "the project's RBAC policy (here the default one)");
      for (const flag of ['pkce_required_for_email_magic_links', 'pkce_required_for_password_resets', 'pkce_required_for_oauth', 'pkce_required_for_sso', 'dfp_protected_auth_enabled', 'siwe_required_for_crypto_wallets']) {
        assert.equal(d[flag], false, flag);
      }
      assert.equal(d.project_name, s.projectId);

      const other = await s.createProject();
      await s.postern.projects.set(other.projectId, ['password_strength_policy=luds', 'luds_min_password_length=12', 'luds_min_password_complexity=4']);
      const luds = data(await sdk('GET', `/projects/bootstrap/${other.publicToken}`, undefined, { token: other.publicToken }));
      assert.deepEqual(luds.password_config, { luds_complexity: 4, luds_minimum_count: 12 });

      const unknown = await sdk('GET', '/projects/bootstrap/public-token-test-00000000-0000-4000-8000-000000000000');
      expectError(unknown, 404, 'public_token_not_found');
      assertGranted(unknown);
      expectError(await sdk('GET', '/projects/bootstrap/not-a-token'), 400, 'invalid_public_token_id');
    });

    it('sign-up, search, session authenticate, me, update and revoke: the flow the prebuilt UI runs', async () => {
      const email = newEmail('flow');
      assert.deepEqual(data(await sdk('POST', '/users/search', { email })).userType, 'new');

      const strength = data(await sdk('POST', '/passwords/strength_check', { email, password: 'password1' }));
      assert.equal(strength.valid_password, false);
      assert.equal(strength.strength_policy, 'zxcvbn');
      assert.ok(strength.feedback.warning.length > 0 || strength.feedback.suggestions.length > 0);

      const created = await sdk('POST', '/passwords', { email, password: STRONG[0], session_duration_minutes: 45 });
      assertGranted(created);
      const c = data(created);
      assert.match(c.session_token, SESSION_TOKEN);
      assert.equal(c.session_jwt.split('.').length, 3);
      assert.equal(c.user.emails[0].email, email);
      assert.equal(c.session.user_id, c.user_id);
      assert.equal(Date.parse(c.session.expires_at) - Date.parse(c.session.started_at), 45 * 60_000);
      assert.equal(typeof c.email_id, 'string');

      assert.equal(data(await sdk('POST', '/users/search', { email: email.toUpperCase() })).userType, 'password');
      const passwordless = newEmail('nopw');
      await s.client().users.create({ email: passwordless });
      assert.equal(data(await sdk('POST', '/users/search', { email: passwordless })).userType, 'passwordless');
      expectError(await sdk('POST', '/users/search', { email: 'not an email' }), 400, 'invalid_email');

      const auth = data(await sdk('POST', '/sessions/authenticate', { session_duration_minutes: 30 }, { session: c.session_token }));
      assert.equal(auth.session.session_id, c.session.session_id);
      assert.equal(auth.session_token, c.session_token);
      assert.equal(auth.user.user_id, c.user_id);
      assert.equal(auth.session_jwt.split('.').length, 3);

      const me = data(await sdk('GET', '/users/me', undefined, { session: c.session_token }));
      assert.equal(me.user_id, c.user_id);
      assert.equal(me.emails[0].email, email);

      const updated = data(await sdk('PUT', '/users/me', { untrusted_metadata: { theme: 'dark' }, name: { first_name: 'Ada' } }, { session: c.session_token }));
      assert.equal(updated.user_id, c.user_id);
      assert.equal(updated.__user.untrusted_metadata.theme, 'dark');
      assert.equal(updated.__user.name.first_name, 'Ada');
      assert.equal(updated.__user.status_code, 200);
      assert.deepEqual(updated.crypto_wallets, []);
      const trusted = await sdk('PUT', '/users/me', { trusted_metadata: { admin: true } }, { session: c.session_token });
      expectError(trusted, 400, 'cannot_update_trusted_metadata');
      const backend = await s.client().users.get({ user_id: c.user_id });
      assert.deepEqual(backend.trusted_metadata, {});
      assert.deepEqual(backend.untrusted_metadata, { theme: 'dark' });

      assert.deepEqual(Object.keys(data(await sdk('POST', '/sessions/revoke', {}, { session: c.session_token }))).sort(), ['request_id', 'status_code']);
      const gone = await sdk('POST', '/sessions/authenticate', { session_duration_minutes: 30 }, { session: c.session_token });
      expectError(gone, 404, 'session_not_found');
      assertGranted(gone);
      expectError(await sdk('GET', '/users/me', undefined, { session: c.session_token }), 404, 'session_not_found');
    });

    it('sessions/authenticate without a session, or with a token that is not one, is always session_not_found', async () => {
      expectError(await sdk('POST', '/sessions/authenticate', { session_duration_minutes: 30 }), 404, 'session_not_found');
      expectError(await sdk('POST', '/sessions/authenticate', {}, { session: 'garbage' }), 404, 'session_not_found');
      expectError(await sdk('POST', '/sessions/authenticate', {}, { session: 'A'.repeat(44) }), 404, 'session_not_found');
      expectError(await sdk('GET', '/users/me'), 401, 'unauthorized_credentials');
      expectError(await sdk('POST', '/sessions/revoke', {}), 401, 'unauthorized_credentials');
    });

    it('login, wrong password and existing-password reset start new sessions; errors are unwrapped and carry CORS', async () => {
      const u = await signUp();
      const login = data(await sdk('POST', '/passwords/authenticate', { email: u.email, password: STRONG[0], session_duration_minutes: 30 }, { session: u.session }));
      assert.notEqual(login.session_token, u.session, 'a new session, not the one in the credentials');
      assert.equal(login.user_id, u.userId);

      const wrong = await sdk('POST', '/passwords/authenticate', { email: u.email, password: WRONG, session_duration_minutes: 30 });
      expectError(wrong, 401, 'unauthorized_credentials');
      assert.equal(wrong.body.data, undefined);
      assertGranted(wrong);

      const reset = data(
        await sdk('POST', '/passwords/existing_password/reset', { email: u.email, existing_password: STRONG[0], new_password: MORE_STRONG[0], session_duration_minutes: 30 }),
      );
      assert.match(reset.session_token, SESSION_TOKEN);
      expectError(await sdk('POST', '/sessions/authenticate', {}, { session: u.session }), 404, 'session_not_found');
      data(await sdk('POST', '/sessions/authenticate', {}, { session: reset.session_token }));
      data(await sdk('POST', '/passwords/authenticate', { email: u.email, password: MORE_STRONG[0], session_duration_minutes: 30 }));
    });

    it('session reset takes the session from the credentials', async () => {
      const u = await signUp();
      expectError(await sdk('POST', '/passwords/session/reset', { password: MORE_STRONG[1] }), 401, 'unauthorized_credentials');
      const d = data(await sdk('POST', '/passwords/session/reset', { password: MORE_STRONG[1], session_duration_minutes: 30 }, { session: u.session }));
      assert.equal(d.user_id, u.userId);
      assert.equal(d.session_token, u.session);
      data(await sdk('POST', '/passwords/authenticate', { email: u.email, password: MORE_STRONG[1], session_duration_minutes: 30 }));
    });

    it('forgot password: start answers no ids, the email links to the reset page, the token logs the user in', async () => {
      const u = await signUp();
      const before = smtp.messages.length;
      const start = data(
        await sdk('POST', '/passwords/email/reset/start', {
          email: u.email,
          login_redirect_url: LOGIN_URL,
          reset_password_redirect_url: RESET_URL,
          reset_password_expiration_minutes: 30,
          locale: 'en',
        }),
      );
      assert.deepEqual(Object.keys(start).sort(), ['request_id', 'status_code']);
      const mail = await smtp.waitForMessage(before + 1);
      const link = /http:\/\/localhost:3000\/reset\?\S+/.exec(mail.text ?? '')?.[0];
      assert.ok(link, mail.text);
      const token = new URL(link).searchParams.get('token')!;
      const done = data(await sdk('POST', '/passwords/email/reset', { token, password: MORE_STRONG[2], session_duration_minutes: 30 }));
      assert.equal(done.user_id, u.userId);
      assert.match(done.session_token, SESSION_TOKEN);
      expectError(await sdk('POST', '/passwords/email/reset', { token, password: MORE_STRONG[3], session_duration_minutes: 30 }), 401, 'unable_to_auth_magic_link');
    });

    it('origins: a live project trusts only its listed origins; a test project loopback unless allow_localhost is off', async () => {
      const live = await s.createProject({ live: true });
      const refused = await sdk('POST', '/passwords/strength_check', { password: 'x' }, { token: live.publicToken });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error_type, 'bad_domain_for_stytch_sdk');
      assert.match(refused.body.request_id, /^request-id-live-/);
      assertNotGranted(refused);
      assert.match(refused.headers.get('vary') ?? '', /Origin/i);

      await s.postern.projects.set(live.projectId, ['allowed_origins=https://app.example,https://admin.example']);
      const allowed = await sdk('POST', '/passwords/strength_check', { password: 'x' }, { token: live.publicToken, origin: 'https://admin.example' });
      assert.equal(allowed.status, 200);
      assertGranted(allowed, 'https://admin.example');
      const port = await sdk('POST', '/passwords/strength_check', { password: 'x' }, { token: live.publicToken, origin: 'https://app.example:8443' });
      assert.equal(port.body.error_type, 'bad_domain_for_stytch_sdk');

      // An origin another project allows is granted at preflight, then refused by this one.
      const other = await s.createProject();
      await s.postern.projects.set(other.projectId, ['allow_localhost=false']);
      const loopbackOff = await sdk('POST', '/passwords/strength_check', { password: 'x' }, { token: other.publicToken });
      expectError(loopbackOff, 403, 'bad_domain_for_stytch_sdk');
      assertNotGranted(loopbackOff);

      // No Origin: not a page's script; the project still has to exist.
      assert.equal((await sdk('POST', '/passwords/strength_check', { password: 'x' }, { token: live.publicToken, origin: null })).status, 200);
    });

    it('credentials: none, malformed, unknown token, project secret instead of a public token', async () => {
      const noAuth = await s.request('POST', '/sdk/v1/passwords/strength_check', { password: 'x' }, { auth: null, headers: { origin: ORIGIN } });
      expectError(noAuth, 401, 'public_token_required');
      assertGranted(noAuth);
      expectError(await sdk('POST', '/passwords/strength_check', { password: 'x' }, { token: 'public-token-test-00000000-0000-4000-8000-000000000000' }), 404, 'public_token_not_found');
      const withSecret = await s.request('POST', '/sdk/v1/passwords/strength_check', { password: 'x' }, { headers: { origin: ORIGIN } });
      expectError(withSecret, 400, 'invalid_public_token_id');
      // A deleted (rotated) public token stops working at once on this instance.
      const other = await s.createProject();
      const second = await s.postern.projects.createPublicToken(other.projectId);
      data(await sdk('POST', '/passwords/strength_check', { password: 'x' }, { token: other.publicToken }));
      assert.equal(await s.postern.projects.deletePublicToken(other.projectId, other.publicToken), 'deleted');
      expectError(await sdk('POST', '/passwords/strength_check', { password: 'x' }, { token: other.publicToken }), 404, 'public_token_not_found');
      data(await sdk('POST', '/passwords/strength_check', { password: 'x' }, { token: second!.token }));
    });

    it('schema errors are Stytch envelopes; unknown SDK routes answer route_not_found with CORS', async () => {
      expectError(await sdk('POST', '/passwords', { email: 'a@example.com' }), 400, 'invalid_argument');
      const missing = await sdk('POST', '/magic_links/email/login_or_create', { email: 'a@example.com' });
      expectError(missing, 404, 'route_not_found');
      assertGranted(missing);
      expectError(await sdk('DELETE', '/users/me'), 405, 'method_not_allowed');
    });

    it('enumeration protection: users/search tells nothing about an address', async () => {
      const p = await s.createProject();
      await s.postern.projects.set(p.projectId, ['enumeration_protection=true']);
      const email = newEmail('enum');
      assert.equal(data(await sdk('POST', '/users/search', { email }, { token: p.publicToken })).userType, 'password');
    });

    it('the per-email limit counts SDK calls as it counts /v1 calls', async () => {
      const email = newEmail('limit');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await sdk('POST', i % 2 ? '/users/search' : '/passwords/authenticate', { email, password: WRONG, session_duration_minutes: 30 });
        statuses.push(res.status);
      }
      assert.deepEqual(statuses.slice(0, 5).every((st) => st !== 429), true, statuses.join());
      const limited = await sdk('POST', '/passwords/authenticate', { email, password: WRONG, session_duration_minutes: 30 });
      expectError(limited, 429, 'too_many_requests');
      assertGranted(limited);
      expectError(await s.request('POST', '/v1/passwords/authenticate', { email, password: WRONG }), 429, 'too_many_requests');
    });

    it('events are accepted without credentials and not kept', async () => {
      const res = await s.request('POST', '/sdk/v1/events', [{ telemetry: { event_name: 'render_login_screen' } }], { auth: null, headers: { origin: ORIGIN } });
      assertGranted(res);
      data(res);
    });

    it('SDK password attempts go to the audit trail under the project', async () => {
      const u = await signUp();
      await sdk('POST', '/passwords/authenticate', { email: u.email, password: WRONG, session_duration_minutes: 30 });
      const rows = await waitForRows(s, `SELECT route, outcome FROM auth_events WHERE project_id = ? AND user_id = ? ORDER BY created_at`, [s.projectId, u.userId], 2);
      assert.deepEqual(
        rows.map((r) => [r.route, r.outcome]),
        [
          ['/sdk/v1/passwords', 'success'],
          ['/sdk/v1/passwords/authenticate', 'unauthorized_credentials'],
        ],
      );
    });
  });
}

async function waitForRows(s: TestServer, sql: string, params: unknown[], n: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 100; i++) {
    await s.postern.events.flush();
    const rows = await s.query(sql, params);
    if (rows.length >= n) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
  return s.query(sql, params);
}
