/**
 * Reset emails link only where the project allows: `reset_password_redirect_url` and
 * `login_redirect_url` (given, or the project's defaults) must match `allowed_redirect_urls`
 * (scheme, host, port and path; the query may differ), or be loopback URLs in a test project
 * that allows localhost; else 400 `no_match_for_provided_magic_link_url`, with no email sent
 * and no reset token stored. Same rule on /v1 and on the frontend route /sdk/v1.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readOutbox } from '../../src/email/outbox.js';
import { DIALECTS, basicAuth, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, newEmail, type Res } from './support.js';

/** 200 (request ids of live projects are `request-id-live-…`, so support's expectOk does not fit). */
function expectOk(res: Res): void {
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.status_code, 200);
}

function expectNoMatch(res: Res): void {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.status_code, 400);
  assert.equal(res.body.error_type, NO_MATCH);
  assert.equal(res.body.error_url, `https://stytch.com/docs/api/errors/400#${NO_MATCH}`);
}

const START = '/v1/passwords/email/reset/start';
const NO_MATCH = 'no_match_for_provided_magic_link_url';

for (const dialect of DIALECTS) {
  describe(`reset redirect URL allowlist (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());

    /** A project as `postern project create` makes it: nothing listed. */
    async function project(live: boolean, settings: string[] = []): Promise<{ projectId: string; auth: string; publicToken: string; email: string }> {
      const p = await s.postern.projects.create({ live });
      if (settings.length > 0) await s.postern.projects.set(p.projectId, settings);
      const auth = basicAuth(p.projectId, p.secret);
      const email = newEmail('allow');
      expectOk(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }, { auth }));
      return { projectId: p.projectId, auth, publicToken: p.publicToken, email };
    }

    async function outboxCount(): Promise<number> {
      return (await readOutbox(path.join(s.dataDir, 'outbox'))).length;
    }

    async function tokenCount(projectId: string): Promise<number> {
      const rows = await s.query('SELECT COUNT(*) AS n FROM password_reset_tokens WHERE project_id = ?', [projectId]);
      return Number(rows[0]!.n);
    }

    async function refused(p: { projectId: string; auth: string; email: string }, body: Record<string, unknown>, field: string): Promise<void> {
      const mails = await outboxCount();
      const res = await s.request('POST', START, { email: p.email, ...body }, { auth: p.auth });
      expectNoMatch(res);
      assert.match(res.body.error_message, new RegExp(field));
      assert.equal(await outboxCount(), mails, 'no email is sent');
      assert.equal(await tokenCount(p.projectId), 0, 'no reset token is stored');
    }

    it('refuses unlisted URLs, for the reset link and for the login link', async () => {
      const p = await project(false);
      await refused(p, { reset_password_redirect_url: 'https://evil.example/reset', login_redirect_url: 'http://localhost:3000/login' }, 'reset_password_redirect_url');
      await refused(p, { reset_password_redirect_url: 'http://localhost:3000/reset', login_redirect_url: 'https://evil.example/login' }, 'login_redirect_url');
    });

    it('accepts listed URLs with any query, and refuses another path, port, scheme or credentials', async () => {
      const p = await project(true, ['allowed_redirect_urls=https://app.example.org/reset,https://app.example.org/login']);
      const ok = await s.request('POST', START, { email: p.email, reset_password_redirect_url: 'https://app.example.org/reset?next=%2Fhome', login_redirect_url: 'https://app.example.org/login' }, { auth: p.auth });
      expectOk(ok);
      const [mail] = await readOutbox(path.join(s.dataDir, 'outbox'), { last: 1 });
      assert.equal(mail!.to, p.email);
      assert.match(mail!.text, /https:\/\/app\.example\.org\/reset\?next=%2Fhome&stytch_token_type=reset_password&token=/);

      const q = await project(true, ['allowed_redirect_urls=https://app.example.org/reset,https://app.example.org/login']);
      const login = 'https://app.example.org/login';
      for (const bad of ['https://app.example.org/reset/more', 'https://app.example.org:8443/reset', 'http://app.example.org/reset', 'https://user:pw@app.example.org/reset', 'https://sub.app.example.org/reset']) {
        await refused(q, { reset_password_redirect_url: bad, login_redirect_url: login }, 'reset_password_redirect_url');
      }
    });

    it("allows the project's default URLs without listing them", async () => {
      const p = await project(true, ['reset_password_redirect_url=https://shop.example.net/reset', 'login_redirect_url=https://shop.example.net/login']);
      expectOk(await s.request('POST', START, { email: p.email }, { auth: p.auth }));
      expectOk(await s.request('POST', START, { email: p.email, reset_password_redirect_url: 'https://shop.example.net/reset?x=1' }, { auth: p.auth }));
      await refused(await project(true, ['login_redirect_url=https://shop.example.net/login']), { reset_password_redirect_url: 'https://elsewhere.example.net/reset' }, 'reset_password_redirect_url');
    });

    it('trusts loopback URLs only in a test project that allows localhost', async () => {
      const loopback = { reset_password_redirect_url: 'http://localhost:5173/reset', login_redirect_url: 'http://127.0.0.1:5173/login' };
      const test = await project(false);
      expectOk(await s.request('POST', START, { email: test.email, ...loopback }, { auth: test.auth }));
      await refused(await project(false, ['allow_localhost=false']), loopback, 'reset_password_redirect_url');
      await refused(await project(true), loopback, 'reset_password_redirect_url');
      const listed = await project(true, ['allowed_redirect_urls=http://localhost:5173/reset,http://127.0.0.1:5173/login']);
      expectOk(await s.request('POST', START, { email: listed.email, ...loopback }, { auth: listed.auth }));
    });

    it('applies to the frontend route /sdk/v1 too, with the CORS grant on the error', async () => {
      const origin = 'https://app.example.org';
      const p = await project(true, [`allowed_origins=${origin}`, 'allowed_redirect_urls=https://app.example.org/reset,https://app.example.org/login']);
      const auth = 'Basic ' + Buffer.from(`${p.publicToken}:${p.publicToken}`).toString('base64');
      const mails = await outboxCount();
      const res = await s.request('POST', '/sdk/v1/passwords/email/reset/start', { email: p.email, reset_password_redirect_url: 'https://evil.example/reset', login_redirect_url: 'https://app.example.org/login' }, { auth, headers: { origin } });
      expectNoMatch(res);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.equal(await outboxCount(), mails);
      assert.equal(await tokenCount(p.projectId), 0);
      const ok = await s.request('POST', '/sdk/v1/passwords/email/reset/start', { email: p.email, reset_password_redirect_url: 'https://app.example.org/reset', login_redirect_url: 'https://app.example.org/login' }, { auth, headers: { origin } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(await tokenCount(p.projectId), 1);
    });

    it('the official client sees the error type', async () => {
      const p = await s.postern.projects.create({ live: true });
      const client = s.client({ projectId: p.projectId, secret: p.secret });
      const email = newEmail('allow');
      await client.passwords.create({ email, password: STRONG[0] });
      await assert.rejects(client.passwords.email.resetStart({ email, reset_password_redirect_url: 'https://evil.example/reset', login_redirect_url: 'https://evil.example/login' }), (err: { status_code?: number; error_type?: string }) => {
        assert.equal(err.status_code, 400);
        assert.equal(err.error_type, NO_MATCH);
        return true;
      });
    });
  });
}
