/**
 * Breached passwords through the API: refused at create and reset, forcing a reset at login,
 * offline from a configured corpus and online from a real local range server.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, expectError, expectOk, newEmail } from './support.js';

/** Strong by zxcvbn (score 4), so only the breach check can refuse it. */
const BREACHED = 'velvet kazoo plinth 77!';
const sha1 = (p: string) => createHash('sha1').update(p, 'utf8').digest('hex').toUpperCase();

function hashListCorpus(passwords: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-breach-'));
  const file = path.join(dir, 'pwned-passwords-sha1-ordered-by-hash.txt');
  const lines = passwords.map((p) => `${sha1(p)}:42`).sort();
  fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
  return file;
}

for (const dialect of DIALECTS) {
  describe(`breached passwords, offline corpus (${dialect})`, () => {
    let s: TestServer;
    let corpus: string;
    before(async () => {
      corpus = hashListCorpus([BREACHED, 'another breached one 1']);
      s = await startTestServer(dialect, { env: { POSTERN_BREACH_CHECK: 'offline', POSTERN_BREACH_CORPUS: corpus } });
    });
    after(async () => {
      await s.close();
      fs.rmSync(path.dirname(corpus), { recursive: true, force: true });
    });
    const setting = (...a: string[]) => s.postern.projects.set(s.projectId, a);

    it('create and existing-password reset refuse a breached password with 400 breached_password', async () => {
      const email = newEmail('breach');
      expectError(await s.request('POST', '/v1/passwords', { email, password: BREACHED }), 400, 'breached_password');
      expectOk(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }));
      expectError(
        await s.request('POST', '/v1/passwords/existing_password/reset', { email, existing_password: STRONG[0], new_password: BREACHED }),
        400,
        'breached_password',
      );
      expectOk(await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0] }));
    });

    it('strength_check reports a breach only when an email is given and detection on create is on', async () => {
      const withEmail = await s.request('POST', '/v1/passwords/strength_check', { password: BREACHED, email: 'x@example.com' });
      assert.equal(withEmail.body.breached_password, true);
      assert.equal(withEmail.body.valid_password, false);
      assert.equal(withEmail.body.score, 4);
      const withoutEmail = await s.request('POST', '/v1/passwords/strength_check', { password: BREACHED });
      assert.equal(withoutEmail.body.breached_password, false);
      assert.equal(withoutEmail.body.valid_password, true);
      await setting('check_breach_on_creation=false');
      try {
        const off = await s.request('POST', '/v1/passwords/strength_check', { password: BREACHED, email: 'x@example.com' });
        assert.equal(off.body.breached_password, false);
        assert.equal(off.body.breach_detection_on_create, false);
      } finally {
        await setting('check_breach_on_creation=true');
      }
    });

    it('a correct but breached password at login sets requires_reset and answers reset_password', async () => {
      const email = newEmail('auth-breach');
      await setting('check_breach_on_creation=false', 'check_breach_on_authentication=false');
      let userId: string;
      try {
        const created = await s.request('POST', '/v1/passwords', { email, password: BREACHED });
        expectOk(created);
        userId = created.body.user_id;
        expectOk(await s.request('POST', '/v1/passwords/authenticate', { email, password: BREACHED }));
      } finally {
        await setting('check_breach_on_creation=true', 'check_breach_on_authentication=true');
      }
      expectError(await s.request('POST', '/v1/passwords/authenticate', { email, password: BREACHED, session_duration_minutes: 60 }), 400, 'reset_password');
      const user = await s.request('GET', `/v1/users/${userId}`);
      assert.equal(user.body.password.requires_reset, true);
      // Once flagged, it stays: even with the check turned off, and an existing-password reset is refused.
      await setting('check_breach_on_authentication=false');
      try {
        expectError(await s.request('POST', '/v1/passwords/authenticate', { email, password: BREACHED }), 400, 'reset_password');
      } finally {
        await setting('check_breach_on_authentication=true');
      }
      expectError(
        await s.request('POST', '/v1/passwords/existing_password/reset', { email, existing_password: BREACHED, new_password: STRONG[1] }),
        400,
        'cannot_reset_password_with_existing_password',
      );
    });

    it('validate_on_authentication: a password below the current policy must be reset', async () => {
      const email = newEmail('policy');
      await setting('password_strength_policy=luds');
      try {
        expectOk(await s.request('POST', '/v1/passwords', { email, password: 'Summer2024!' }));
      } finally {
        await setting('password_strength_policy=zxcvbn');
      }
      expectOk(await s.request('POST', '/v1/passwords/authenticate', { email, password: 'Summer2024!' }));
      await setting('validate_on_authentication=true');
      try {
        expectError(await s.request('POST', '/v1/passwords/authenticate', { email, password: 'Summer2024!' }), 400, 'reset_password');
      } finally {
        await setting('validate_on_authentication=false');
      }
    });
  });
}

describe('breached passwords, online range API', () => {
  let range: http.Server;
  let base: string;
  const seen: string[] = [];
  let failing = false;
  before(async () => {
    range = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const prefix = /^\/range\/([0-9A-F]{5})(\?mode=sha1)?$/.exec(req.url ?? '')?.[1];
      if (failing || !prefix) {
        res.writeHead(failing ? 500 : 404).end();
        return;
      }
      const full = sha1(BREACHED);
      const lines = ['0000000000000000000000000000000000A:0'];
      if (full.startsWith(prefix)) lines.push(`${full.slice(5)}:3`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
    });
    await new Promise<void>((resolve) => range.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(range.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => range.close(() => resolve())));

  it('refuses a breached password at create; only the 5-character prefix leaves', async () => {
    const s = await startTestServer('sqlite', { env: { POSTERN_BREACH_CHECK: 'online', POSTERN_HIBP_BASE_URL: base } });
    try {
      expectError(await s.request('POST', '/v1/passwords', { email: newEmail(), password: BREACHED }), 400, 'breached_password');
      expectOk(await s.request('POST', '/v1/passwords', { email: newEmail(), password: STRONG[2] }));
      assert.ok(seen.length >= 2);
      for (const url of seen) assert.match(url, /^\/range\/[0-9A-F]{5}(\?mode=sha1)?$/);
    } finally {
      await s.close();
    }
  });

  it('fail-open lets a password through when the API fails; fail-closed answers 503 server_unavailable', async () => {
    failing = true;
    const open = await startTestServer('sqlite', { env: { POSTERN_BREACH_CHECK: 'online', POSTERN_HIBP_BASE_URL: base } });
    const closed = await startTestServer('sqlite', { env: { POSTERN_BREACH_CHECK: 'online', POSTERN_HIBP_BASE_URL: base, POSTERN_BREACH_FAIL: 'closed' } });
    try {
      expectOk(await open.request('POST', '/v1/passwords', { email: newEmail(), password: BREACHED }));
      expectError(await closed.request('POST', '/v1/passwords', { email: newEmail(), password: BREACHED }), 503, 'server_unavailable');
    } finally {
      failing = false;
      await open.close();
      await closed.close();
    }
  });
});
