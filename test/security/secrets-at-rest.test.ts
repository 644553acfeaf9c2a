/**
 * Secrets at rest: after a scripted run of every flow, a dump of the whole database holds no
 * password, session token, reset token, project secret, or (with a master key configured)
 * private key in clear; master keys rotate by listing a new one first.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { readOutbox } from '../../src/email/outbox.js';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { MORE_STRONG, STRONG, expectOk, newEmail } from '../api/support.js';

const key = () => randomBytes(32).toString('base64');

async function dump(s: TestServer): Promise<string> {
  const tables = s.dialect === 'postgres'
    ? (await s.query("select table_name as name from information_schema.tables where table_schema = 'public'")).map((r) => String(r.name))
    : (await s.query("select name from sqlite_master where type = 'table'")).map((r) => String(r.name));
  assert.ok(tables.includes('sessions') && tables.includes('signing_keys'));
  const parts: string[] = [];
  for (const t of tables) parts.push(JSON.stringify(await s.query(`select * from ${t}`)));
  return parts.join('\n');
}

for (const dialect of DIALECTS) {
  describe(`secrets at rest (${dialect})`, () => {
    let s: TestServer;
    const masterOld = `old:${key()}`;
    before(async () => {
      s = await startTestServer(dialect, { env: { POSTERN_MASTER_KEYS: masterOld } });
    });
    after(() => s.close());

    it('a database dump after every flow holds none of the secrets in clear', async () => {
      const secrets: string[] = [s.secret];
      const email = newEmail('atrest');
      const migratedPassword = 'migrated secret pass 42';
      const created = await s.request('POST', '/v1/passwords', { email, password: STRONG[0], session_duration_minutes: 60 });
      expectOk(created);
      secrets.push(STRONG[0], created.body.session_token);
      const login = await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0], session_duration_minutes: 60 });
      secrets.push(login.body.session_token);
      const reset = await s.request('POST', '/v1/passwords/existing_password/reset', { email, existing_password: STRONG[0], new_password: STRONG[1], session_duration_minutes: 60 });
      expectOk(reset);
      secrets.push(STRONG[1], reset.body.session_token);
      expectOk(await s.request('POST', '/v1/passwords/email/reset/start', { email, reset_password_redirect_url: 'https://a.example/r', login_redirect_url: 'https://a.example/l' }));
      const [mail] = await readOutbox(`${s.dataDir}/outbox`, { last: 1 });
      const resetToken = new URL(/https:\/\/a\.example\/r\S+/.exec(mail!.text)![0]).searchParams.get('token')!;
      secrets.push(resetToken);
      const byEmail = await s.request('POST', '/v1/passwords/email/reset', { token: resetToken, password: STRONG[2], session_duration_minutes: 60 });
      expectOk(byEmail);
      secrets.push(STRONG[2], byEmail.body.session_token);
      const bySession = await s.request('POST', '/v1/passwords/session/reset', { password: MORE_STRONG[0], session_token: byEmail.body.session_token });
      expectOk(bySession);
      secrets.push(MORE_STRONG[0]);
      const { createHash } = await import('node:crypto');
      expectOk(await s.request('POST', '/v1/passwords/migrate', { email: newEmail('mig'), hash: createHash('md5').update(migratedPassword).digest('hex'), hash_type: 'md_5' }));
      secrets.push(migratedPassword);
      expectOk(await s.request('GET', `/v1/sessions/jwks/${s.projectId}`, undefined, { auth: null }));

      const text = await dump(s);
      assert.ok(text.length > 1000);
      for (const secret of secrets) {
        assert.ok(secret.length >= 16, secret);
        assert.equal(text.includes(secret), false, `the dump holds a secret in clear: ${secret.slice(0, 10)}…`);
      }
      assert.doesNotMatch(text, /PRIVATE KEY/);
      assert.match(text, /sealed:v1:old:/);
    });

    it('a new master key listed first seals new keys; keys sealed under the old one still work', async () => {
      const masterNew = `new:${key()}`;
      const { loadConfig } = await import('../../src/config/index.js');
      const { createPostern } = await import('../../src/main.js');
      const second = await createPostern(loadConfig({ POSTERN_LOG_LEVEL: 'silent', POSTERN_MASTER_KEYS: `${masterNew},${masterOld}` }, { dataDir: s.dataDir, databaseUrl: s.databaseUrl }), {});
      try {
        const url = (await second.app.listen({ host: '127.0.0.1', port: 0 })).replace(/\/$/, '');
        const other = await second.projects.create({ live: false });
        const auth = (p: { projectId: string; secret: string }) => 'Basic ' + Buffer.from(`${p.projectId}:${p.secret}`).toString('base64');
        const post = async (p: { projectId: string; secret: string }, body: unknown) =>
          (await fetch(`${url}/v1/passwords`, { method: 'POST', headers: { authorization: auth(p), 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
        // The first project's key was sealed under "old": it still signs.
        assert.equal(await post(s, { email: newEmail('k1'), password: STRONG[0], session_duration_minutes: 5 }), 200);
        // A new project's first key is sealed under "new".
        assert.equal(await post(other, { email: newEmail('k2'), password: STRONG[0], session_duration_minutes: 5 }), 200);
        const text = await dump(s);
        assert.match(text, /sealed:v1:new:/);
        assert.match(text, /sealed:v1:old:/);
      } finally {
        await second.close();
      }
      // Without the old key, a key sealed under it cannot be opened: the server refuses to sign rather than sign with a wrong key.
      const third = await createPostern(loadConfig({ POSTERN_LOG_LEVEL: 'silent', POSTERN_MASTER_KEYS: masterNew }, { dataDir: s.dataDir, databaseUrl: s.databaseUrl }), {});
      try {
        const res = await third.app.inject({ method: 'POST', url: '/v1/passwords', headers: { authorization: 'Basic ' + Buffer.from(`${s.projectId}:${s.secret}`).toString('base64'), 'content-type': 'application/json' }, payload: { email: newEmail('k3'), password: STRONG[0], session_duration_minutes: 5 } });
        assert.equal(res.statusCode, 500);
        assert.equal((JSON.parse(res.body) as { error_type: string }).error_type, 'internal_server_error');
      } finally {
        await third.close();
      }
    });
  });
}
