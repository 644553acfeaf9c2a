/**
 * The password pepper (POSTERN_PEPPER) across server restarts on one database: new hashes are
 * made with the current pepper and name its key id; a database alone does not verify them;
 * without the key a login is refused like a wrong password (never a 500) and logged; rotation
 * ("b,a") rehashes users to the new key as they log in; unpeppered and migrated legacy hashes
 * get the pepper at their next login; `postern passwords peppers` counts hashes per key.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { verify as argon2Verify } from '@node-rs/argon2';
import { loadConfig } from '../../src/config/index.js';
import { createPostern, type Postern } from '../../src/main.js';
import { FIXTURES } from '../fixtures/legacy-hashes.js';
import { CLI } from '../helpers/processes.js';
import { DIALECTS, basicAuth, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, WRONG, expectError, expectOk, newEmail, type Res } from './support.js';

const BCRYPT = FIXTURES.find((f) => f.hash_type === 'bcrypt')!;
const SECRET_A = randomBytes(32).toString('base64');
const SECRET_B = randomBytes(48).toString('base64');
const A = `a:${SECRET_A}`;
const B = `b:${SECRET_B}`;

interface Running {
  request(method: string, path: string, body?: unknown): Promise<Res>;
  logs(): string;
  close(): Promise<void>;
}

/** `postern passwords peppers --json` against the test server's store. */
function peppersCli(s: TestServer, pepper: string, json = true): { status: number | null; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, POSTERN_DATA_DIR: s.dataDir, DATABASE_URL: s.databaseUrl ?? '', POSTERN_PEPPER: pepper };
  const res = spawnSync(process.execPath, [...CLI, 'passwords', 'peppers', ...(json ? ['--json'] : [])], { env, encoding: 'utf8' });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

for (const dialect of DIALECTS) {
  describe(`password pepper and its rotation (${dialect})`, () => {
    let s: TestServer;
    let running: Running | undefined;
    const users = {
      /** Created before any pepper; logs in first under "a". */
      plainThenA: { email: newEmail('plain-a'), password: STRONG[0], id: '' },
      /** Created before any pepper; logs in first under "b,a". */
      plainThenB: { email: newEmail('plain-b'), password: STRONG[1], id: '' },
      /** Migrated bcrypt hash; logs in first under "a". */
      legacy: { email: newEmail('legacy'), password: BCRYPT.password, id: '' },
      /** Created under "a"; logs in under "b,a". */
      rotated: { email: newEmail('rotated'), password: STRONG[2], id: '' },
      /** Created under "a"; never logs in while "a" is configured. */
      absent: { email: newEmail('absent'), password: STRONG[0], id: '' },
    };

    /** A fresh server process-equivalent (config, store, hash workers) on the same database. */
    async function boot(pepper: string | undefined): Promise<Running> {
      await running?.close();
      let text = '';
      const logStream = new PassThrough();
      logStream.on('data', (b: Buffer) => (text += b.toString()));
      const env: Record<string, string> = { POSTERN_LOG_LEVEL: 'info', POSTERN_HASH_WORKERS: '1' };
      if (pepper !== undefined) env.POSTERN_PEPPER = pepper;
      const postern: Postern = await createPostern(loadConfig(env, { dataDir: s.dataDir, databaseUrl: s.databaseUrl, port: 0 }), { logStream });
      const url = (await postern.app.listen({ host: '127.0.0.1', port: 0 })).replace(/\/$/, '');
      const r: Running = {
        async request(method, path, body) {
          const res = await fetch(url + path, {
            method,
            headers: { authorization: basicAuth(s.projectId, s.secret), 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          return { status: res.status, body: (await res.json()) as Res['body'], headers: res.headers };
        },
        logs: () => text,
        async close() {
          await postern.close();
          if (running === r) running = undefined;
        },
      };
      running = r;
      return r;
    }

    const login = (r: Running, u: { email: string; password: string }, password = u.password) =>
      r.request('POST', '/v1/passwords/authenticate', { email: u.email, password });
    const storedHash = async (u: { id: string }) => {
      const rows = await s.query('select hash from passwords where user_id = ?', [u.id]);
      assert.equal(rows.length, 1);
      return String(rows[0]!.hash);
    };
    const keyIdOf = (hash: string) => /,keyid=([A-Za-z0-9+/]+)\$/.exec(hash)?.[1] ?? null;
    const b64 = (id: string) => Buffer.from(id).toString('base64').replace(/=+$/, '');

    before(async () => {
      s = await startTestServer(dialect);
      // Fixture passwords are common ones; this suite is about hashes, not breach policy.
      await s.postern.projects.set(s.projectId, ['check_breach_on_authentication=false']);
      // Before any pepper: two plain argon2id users and a migrated bcrypt one.
      for (const u of [users.plainThenA, users.plainThenB]) {
        const res = await s.request('POST', '/v1/passwords', { email: u.email, password: u.password });
        expectOk(res);
        u.id = res.body.user_id;
      }
      const migrated = await s.request('POST', '/v1/passwords/migrate', { email: users.legacy.email, hash: BCRYPT.hash, hash_type: 'bcrypt' });
      expectOk(migrated);
      users.legacy.id = migrated.body.user_id;
      await s.postern.close();
    });
    after(async () => {
      await running?.close();
      await s.close();
    });

    it('with pepper "a": new hashes name key a and a dump alone does not verify them; unpeppered and legacy hashes get "a" at login', async () => {
      assert.equal(keyIdOf(await storedHash(users.plainThenA)), null);
      assert.match(await storedHash(users.legacy), /^\$2[ab]\$/);
      const r = await boot(A);
      for (const u of [users.rotated, users.absent]) {
        const res = await r.request('POST', '/v1/passwords', { email: u.email, password: u.password });
        expectOk(res);
        u.id = res.body.user_id;
      }
      expectOk(await login(r, users.rotated));
      expectError(await login(r, users.rotated, WRONG), 401, 'unauthorized_credentials');

      const hash = await storedHash(users.rotated);
      assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1,keyid=YQ\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      // What an attacker holding only the database can do: argon2 with the stored parameters.
      assert.equal(await argon2Verify(hash, users.rotated.password), false);
      assert.equal(await argon2Verify(hash.replace(',keyid=YQ', ''), users.rotated.password), false);
      // The pepper is what was missing.
      assert.equal(await argon2Verify(hash, users.rotated.password, { secret: Buffer.from(SECRET_A, 'base64') }), true);

      // An unpeppered argon2id hash and a migrated bcrypt hash: verified as they are, then
      // replaced by the one rehash-on-login path, now with the pepper.
      expectOk(await login(r, users.plainThenA));
      assert.equal(keyIdOf(await storedHash(users.plainThenA)), b64('a'));
      expectOk(await login(r, users.legacy));
      assert.match(await storedHash(users.legacy), /^\$argon2id\$v=19\$m=19456,t=2,p=1,keyid=YQ\$/);
      expectOk(await login(r, users.legacy));
      expectError(await login(r, users.legacy, BCRYPT.wrong_password), 401, 'unauthorized_credentials');

      const all = (await s.query('select hash from passwords')).map((row) => String(row.hash)).join('\n');
      assert.equal(all.includes(SECRET_A), false);
      assert.equal(all.includes(Buffer.from(SECRET_A, 'base64').toString('hex')), false);
      await r.close();
      assert.doesNotMatch(r.logs(), new RegExp(SECRET_A.slice(0, 20).replace(/[+/]/g, '.')));
    });

    it('restarted without the pepper: a peppered user is refused like a wrong password (401, not 500), and the missing key id is logged', async () => {
      const r = await boot(undefined);
      const before = await storedHash(users.rotated);
      expectError(await login(r, users.rotated), 401, 'unauthorized_credentials');
      assert.equal(await storedHash(users.rotated), before, 'nothing is rewritten');
      const lines = r.logs().split('\n').filter((l) => l.includes('pepperKeyId'));
      assert.equal(lines.length, 1, r.logs());
      const entry = JSON.parse(lines[0]!) as { level: number; pepperKeyId: string; msg: string };
      assert.equal(entry.level, 50, 'an error');
      assert.equal(entry.pepperKeyId, 'a');
      assert.match(entry.msg, /pepper key "a"/);
      // An unpeppered user still logs in without a pepper.
      expectOk(await login(r, users.plainThenB));
      assert.equal(keyIdOf(await storedHash(users.plainThenB)), null);
      await r.close();
    });

    it('rotation: with "b,a" an "a" user logs in and is rehashed to b; `postern passwords peppers` counts per key', async () => {
      const before = JSON.parse(peppersCli(s, `${B},${A}`).stdout) as unknown;
      assert.deepEqual(before, {
        current: 'b',
        none: 1,
        keys: [
          { id: 'b', hashes: 0, state: 'current' },
          { id: 'a', hashes: 4, state: 'older' },
        ],
      });
      const r = await boot(`${B},${A}`);
      expectOk(await login(r, users.rotated));
      assert.equal(keyIdOf(await storedHash(users.rotated)), b64('b'));
      expectOk(await login(r, users.rotated));
      expectError(await login(r, users.rotated, WRONG), 401, 'unauthorized_credentials');
      // A never-peppered hash goes straight to the current key.
      expectOk(await login(r, users.plainThenB));
      assert.equal(keyIdOf(await storedHash(users.plainThenB)), b64('b'));
      // New users get b.
      const created = await r.request('POST', '/v1/passwords', { email: newEmail('new-b'), password: STRONG[1] });
      expectOk(created);
      assert.equal(keyIdOf(await storedHash({ id: created.body.user_id })), b64('b'));
      await r.close();
      assert.doesNotMatch(r.logs(), /pepperKeyId/);

      const counted = peppersCli(s, `${B},${A}`);
      assert.equal(counted.status, 0, counted.stderr);
      assert.deepEqual(JSON.parse(counted.stdout), {
        current: 'b',
        none: 0,
        keys: [
          { id: 'b', hashes: 3, state: 'current' },
          { id: 'a', hashes: 3, state: 'older' },
        ],
      });
      const table = peppersCli(s, `${B},${A}`, false);
      assert.equal(table.status, 0, table.stderr);
      assert.match(table.stdout, /^\(none\)\s+0\s/m);
      assert.match(table.stdout, /^b\s+3\s+current/m);
      assert.match(table.stdout, /^a\s+3\s+older: .*keep it until this is 0/m);
      assert.equal(table.stdout.includes(SECRET_A) || table.stdout.includes(SECRET_B), false);
    });

    it('after rotation, with only "b": rotated users still log in; one who never logged in during rotation is refused as documented', async () => {
      const r = await boot(B);
      expectOk(await login(r, users.rotated));
      expectOk(await login(r, users.plainThenB));
      expectError(await login(r, users.absent), 401, 'unauthorized_credentials');
      expectError(await login(r, users.plainThenA), 401, 'unauthorized_credentials');
      assert.equal(keyIdOf(await storedHash(users.absent)), b64('a'));
      const keys = r.logs().split('\n').filter((l) => l.includes('pepperKeyId')).map((l) => (JSON.parse(l) as { pepperKeyId: string }).pepperKeyId);
      assert.deepEqual(keys, ['a', 'a']);
      // The way out for such a user: a password reset (here by the existing-password route,
      // which needs the old password to verify, so it is refused too), or listing "a" again.
      expectError(
        await r.request('POST', '/v1/passwords/existing_password/reset', { email: users.absent.email, existing_password: users.absent.password, new_password: STRONG[1] }),
        401,
        'unauthorized_credentials',
      );
      await r.close();

      const counted = JSON.parse(peppersCli(s, B).stdout) as unknown;
      assert.deepEqual(counted, {
        current: 'b',
        none: 0,
        keys: [
          { id: 'b', hashes: 3, state: 'current' },
          { id: 'a', hashes: 3, state: 'not configured' },
        ],
      });

      // Listing "a" again (as an older key) lets them in, and moves them to b.
      const again = await boot(`${B},${A}`);
      expectOk(await login(again, users.absent));
      assert.equal(keyIdOf(await storedHash(users.absent)), b64('b'));
      await again.close();
    });
  });
}
