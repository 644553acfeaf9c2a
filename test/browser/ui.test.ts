/**
 * The official frontend SDK (`@stytch/vanilla-js`, unmodified) and its pre-built password UI,
 * in headless Chromium, against a real Postern: the example page of examples/frontend, served
 * on localhost, mounting `StytchUI` with the passwords product. The user's whole journey is
 * driven through the UI (sign-up with strength feedback, reload, logout, login, a wrong
 * password, forgot password → email → reset page), plus a disallowed origin and the wire shape
 * the SDK saw. Screenshots of each state go to test-results/browser/.
 *
 * Chromium is Debian's package (scripts/ensure-chromium.sh installs it when missing). Where it
 * cannot be installed the suite is skipped with a message, except with POSTERN_REQUIRE_BROWSER=1
 * (CI), which makes that a failure.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { startExample, type ExampleServer } from '../../examples/frontend/serve.js';
import { readOutbox } from '../../src/email/outbox.js';
import { chromiumPath, launchChromium, type TestBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { MORE_STRONG, STRONG, WRONG, newEmail } from '../api/support.js';

const SHOTS = path.join(import.meta.dirname, '..', '..', 'test-results', 'browser');
const UI_TIMEOUT = 20_000;

const executable = chromiumPath();
if (!executable) process.stderr.write('test/browser: Chromium is missing and could not be installed; skipping the browser suite\n');

/** What the page saw of one /sdk/v1 response. */
interface SdkExchange {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function recordSdk(page: Page, into: SdkExchange[]): void {
  page.on('response', (res: Response) => {
    const url = new URL(res.url());
    if (!url.pathname.startsWith('/sdk/v1/')) return;
    const method = res.request().method();
    if (method === 'OPTIONS') return;
    void (async () => {
      let body: unknown = null;
      try {
        body = await res.json();
      } catch {
        // a body that is not JSON is recorded as null, and the shape checks fail on it
      }
      into.push({ method, path: url.pathname, status: res.status(), headers: await res.allHeaders(), body });
    })();
  });
}

describe('pre-built password UI in Chromium', { skip: executable ? false : 'Chromium is not available' }, () => {
  let s: TestServer;
  let example: ExampleServer;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  const exchanges: SdkExchange[] = [];
  const email = newEmail('browser');
  let shot = 0;

  async function screenshot(name: string): Promise<void> {
    shot += 1;
    await page.screenshot({ path: path.join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  }

  async function expectSignedIn(): Promise<{ userId: string; sessionId: string }> {
    await page.locator('#signed-in').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await page.locator('#user-email').textContent(), email);
    const userId = (await page.locator('#user-id').textContent()) ?? '';
    const sessionId = (await page.locator('#session-id').textContent()) ?? '';
    assert.match(userId, /^user-test-/);
    assert.match(sessionId, /^session-test-/);
    return { userId, sessionId };
  }

  async function sessionCookie(): Promise<string | undefined> {
    const cookies = await context.cookies(example.url);
    return cookies.find((c) => c.name === 'stytch_session')?.value;
  }

  async function enterEmail(): Promise<void> {
    const input = page.getByPlaceholder('example@email.com');
    await input.waitFor({ timeout: UI_TIMEOUT });
    await input.fill(email);
    await page.getByRole('button', { name: 'Continue with email' }).click();
  }

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    s = await startTestServer('sqlite');
    example = await startExample({ publicToken: s.publicToken, apiUrl: s.url });
    browser = await launchChromium(executable!);
    context = await browser.browser.newContext();
    page = await context.newPage();
    recordSdk(page, exchanges);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await example?.close();
    await s?.close();
  });

  it('signs up: a weak password is refused with feedback, a strong one creates the user and a session', async () => {
    await page.goto(example.url + '/');
    await screenshot('start');
    await enterEmail();

    const password = page.locator('input[type=password]');
    await password.waitFor({ timeout: UI_TIMEOUT });
    await password.fill('password1');
    await page.getByText('This is a very common password').waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await page.getByRole('button', { name: 'Continue', exact: true }).isDisabled(), true, 'a weak password cannot be submitted');
    await screenshot('signup-weak-password');

    await password.fill(STRONG[0]);
    const submit = page.getByRole('button', { name: 'Continue', exact: true });
    await assertEventually(async () => !(await submit.isDisabled()), 'a strong password can be submitted');
    await screenshot('signup-strong-password');
    await submit.click();

    const { userId, sessionId } = await expectSignedIn();
    await screenshot('signed-in');

    const users = await s.client().users.search({ query: { operator: 'AND', operands: [{ filter_name: 'email_address', filter_value: [email] }] } });
    assert.equal(users.results.length, 1);
    assert.equal(users.results[0]!.user_id, userId);
    assert.equal(users.results[0]!.password?.password_id.startsWith('password-test-'), true);
    const token = await sessionCookie();
    assert.ok(token, 'the SDK keeps the session token in the stytch_session cookie');
    const auth = await s.client().sessions.authenticate({ session_token: token });
    assert.equal(auth.session.session_id, sessionId);
  });

  it('keeps the session across a reload', async () => {
    const before = await page.locator('#session-id').textContent();
    await page.reload();
    const { sessionId } = await expectSignedIn();
    assert.equal(sessionId, before);
  });

  it('logs out: the cookie is cleared and the session is revoked on the server', async () => {
    const token = await sessionCookie();
    assert.ok(token);
    await page.locator('#logout').click();
    await page.getByPlaceholder('example@email.com').waitFor({ timeout: UI_TIMEOUT });
    await assertEventually(async () => (await sessionCookie()) === undefined, 'the stytch_session cookie is gone');
    await screenshot('logged-out');
    const res = await s.request('POST', '/v1/sessions/authenticate', { session_token: token });
    assert.equal(res.status, 404);
    assert.equal(res.body.error_type, 'session_not_found');
    await page.reload();
    await page.getByPlaceholder('example@email.com').waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await page.locator('#signed-in').isVisible(), false);
  });

  it('shows the wrong-password message, then logs in with the right one', async () => {
    await enterEmail();
    const password = page.locator('input[type=password]');
    await password.waitFor({ timeout: UI_TIMEOUT });
    await page.getByText('Log in', { exact: true }).first().waitFor({ timeout: UI_TIMEOUT });
    await password.fill(WRONG);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByText('Unauthorized credentials.').waitFor({ timeout: UI_TIMEOUT });
    await screenshot('login-wrong-password');
    assert.equal(await page.locator('#signed-in').isVisible(), false);

    await password.fill(STRONG[0]);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await expectSignedIn();
    await screenshot('logged-in');
    await page.locator('#logout').click();
    await page.getByPlaceholder('example@email.com').waitFor({ timeout: UI_TIMEOUT });
  });

  it('resets a forgotten password: email in the outbox, reset page, signed in with the new password', async () => {
    await enterEmail();
    await page.locator('input[type=password]').waitFor({ timeout: UI_TIMEOUT });
    await page.getByText('Forgot your password?').click();
    await page.getByText('A link to reset your password was sent to you at').waitFor({ timeout: UI_TIMEOUT });
    await screenshot('reset-email-sent');

    let link: string | undefined;
    await assertEventually(async () => {
      const [message] = await readOutbox(path.join(s.dataDir, 'outbox'), { last: 1 });
      if (!message || message.to !== email) return false;
      link = message.text.match(/https?:\/\/\S+\/reset\?\S+/)?.[0];
      return link !== undefined;
    }, 'the reset email reaches the outbox');
    const url = new URL(link!);
    assert.equal(url.origin, example.url, 'the link goes to the page the UI asked for');
    assert.ok(url.searchParams.get('token'));
    assert.equal(url.searchParams.get('stytch_token_type'), 'reset_password');

    await page.goto(link!);
    const password = page.locator('input[type=password]');
    await password.waitFor({ timeout: UI_TIMEOUT });
    await screenshot('reset-page');
    await password.fill(MORE_STRONG[0]);
    const submit = page.getByRole('button', { name: 'Continue', exact: true });
    await assertEventually(async () => !(await submit.isDisabled()), 'the new password can be submitted');
    await submit.click();
    await expectSignedIn();
    assert.equal(new URL(page.url()).pathname, '/', 'the spent reset link is left');
    await screenshot('reset-signed-in');

    const old = await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0] });
    assert.equal(old.status, 401);
    assert.equal(old.body.error_type, 'unauthorized_credentials');
    const fresh = await s.request('POST', '/v1/passwords/authenticate', { email, password: MORE_STRONG[0] });
    assert.equal(fresh.status, 200);
  });

  it('every /sdk/v1 answer the SDK saw was {data}-wrapped (or an error envelope) with the CORS grant for the page', () => {
    assert.ok(exchanges.length >= 10, `the SDK made its calls (${exchanges.length})`);
    const paths = new Set(exchanges.map((e) => `${e.method} ${e.path.replace(/public-token-test-[0-9a-f-]+/, ':token')}`));
    for (const p of ['GET /sdk/v1/projects/bootstrap/:token', 'POST /sdk/v1/users/search', 'POST /sdk/v1/passwords/strength_check', 'POST /sdk/v1/passwords', 'POST /sdk/v1/passwords/authenticate', 'POST /sdk/v1/passwords/email/reset/start', 'POST /sdk/v1/passwords/email/reset', 'POST /sdk/v1/sessions/authenticate', 'POST /sdk/v1/sessions/revoke']) {
      assert.ok(paths.has(p), `the UI called ${p} (saw ${[...paths].join(', ')})`);
    }
    for (const e of exchanges) {
      const where = `${e.method} ${e.path} ${e.status}`;
      assert.equal(e.headers['access-control-allow-origin'], example.url, where);
      assert.equal(e.headers['access-control-allow-credentials'], 'true', where);
      assert.match(e.headers.vary ?? '', /origin/i, where);
      const body = e.body as Record<string, any>;
      if (e.status === 200) {
        assert.deepEqual(Object.keys(body), ['data'], `${where}: success bodies are {data}`);
        assert.equal(body.data.status_code, 200, where);
      } else {
        assert.equal(body.status_code, e.status, `${where}: errors are the usual envelope`);
        assert.equal(typeof body.error_type, 'string', where);
      }
    }
    const wrong = exchanges.find((e) => e.path === '/sdk/v1/passwords/authenticate' && e.status !== 200);
    assert.ok(wrong, 'the wrong password was refused');
    assert.equal(wrong.status, 401);
    assert.equal((wrong.body as Record<string, unknown>).error_type, 'unauthorized_credentials');
  });

  it('refuses a page whose origin the project does not allow: no CORS grant, the SDK gets nothing', async () => {
    const other = await s.createProject({ live: false });
    await s.postern.projects.set(other.projectId, ['allow_localhost=false']);
    const refused = await startExample({ publicToken: other.publicToken, apiUrl: s.url });
    const otherPage = await context.newPage();
    const seen: SdkExchange[] = [];
    recordSdk(otherPage, seen);
    const failed: string[] = [];
    otherPage.on('requestfailed', (req) => {
      if (new URL(req.url()).pathname.startsWith('/sdk/v1/')) failed.push(new URL(req.url()).pathname);
    });
    try {
      await otherPage.goto(refused.url + '/');
      await assertEventually(() => Promise.resolve(failed.some((p) => p.startsWith('/sdk/v1/projects/bootstrap/'))), 'the bootstrap call failed in the browser');

      // The UI itself gets nowhere: its users/search call is refused and never answered.
      await otherPage.getByPlaceholder('example@email.com').fill(email);
      await otherPage.getByRole('button', { name: 'Continue with email' }).click();
      await assertEventually(() => Promise.resolve(failed.includes('/sdk/v1/users/search')), 'the UI call failed in the browser');
      await otherPage.waitForTimeout(1000);
      assert.equal(await otherPage.locator('input[type=password]').count(), 0, 'no password step');
      await otherPage.screenshot({ path: path.join(SHOTS, 'refused-origin-continue.png'), fullPage: true });

      // The browser's own verdict, from the page: a credentialed call is blocked.
      const outcome = await otherPage.evaluate(async ({ api, token }) => {
        try {
          await fetch(`${api}/sdk/v1/users/search`, {
            method: 'POST',
            credentials: 'include',
            headers: { 'content-type': 'application/json', authorization: 'Basic ' + btoa(`${token}:${token}`) },
            body: JSON.stringify({ email: 'someone@example.com' }),
          });
          return 'answered';
        } catch (err) {
          return `blocked: ${String(err)}`;
        }
      }, { api: s.url, token: other.publicToken });
      assert.match(outcome, /^blocked: TypeError/);
      // Every call but the SDK's telemetry (which names no project and is discarded) is refused.
      for (const e of seen.filter((x) => x.path !== '/sdk/v1/events')) assert.equal(e.headers['access-control-allow-origin'], undefined, `${e.path}: no grant`);
      await otherPage.screenshot({ path: path.join(SHOTS, 'refused-origin.png'), fullPage: true });

      // The same call from the server's side: refused for this project, and no grant.
      const res = await fetch(`${s.url}/sdk/v1/users/search`, {
        method: 'POST',
        headers: { origin: refused.url, 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from(`${other.publicToken}:${other.publicToken}`).toString('base64') },
        body: JSON.stringify({ email: 'someone@example.com' }),
      });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error_type: string }).error_type, 'bad_domain_for_stytch_sdk');
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
    } finally {
      await otherPage.close();
      await refused.close();
    }
  });
});

async function assertEventually(check: () => Promise<boolean>, what: string, timeoutMs = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
