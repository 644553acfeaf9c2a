/**
 * Several `postern serve` processes on one store behave as one server, through the official
 * client: sessions, revocations, lock counters, rate limits and the signing key are shared;
 * `--workers` restarts a worker that dies and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as stytch from 'stytch';
import { decodeProtectedHeader } from 'jose';
import { startServe, type ServeProcess } from '../helpers/processes.js';
import { createPgDatabase } from '../helpers/server.js';
import { MORE_STRONG, STRONG, WRONG, newEmail } from '../api/support.js';
import { rejectsWith } from '../helpers/stytch-errors.js';

const PG_URL = process.env.POSTERN_TEST_DATABASE_URL;

const TARGETS: Array<{ name: string; skip: string | false }> = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: PG_URL ? false : 'POSTERN_TEST_DATABASE_URL is not set' },
];

for (const target of TARGETS) {
  describe(`two server processes on one ${target.name} store`, { skip: target.skip }, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-multi-'));
    let pgDb: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
    let env: Record<string, string | undefined>;
    let a: ServeProcess;
    let b: ServeProcess;
    let ca: stytch.Client;
    let cb: stytch.Client;

    before(async () => {
      env = { POSTERN_DATA_DIR: dataDir, POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '30' };
      if (target.name === 'postgres') {
        pgDb = await createPgDatabase('postern_m');
        env.DATABASE_URL = pgDb.url;
      }
      a = await startServe(env, ['--workers', '1']);
      b = await startServe(env, ['--workers', '1']);
      const projectId = /project_id: (\S+)/.exec(a.out())?.[1];
      const secret = /secret:\s+(\S+)/.exec(a.out())?.[1];
      assert.ok(projectId && secret, 'the first process created the project');
      assert.doesNotMatch(b.out(), /Created a test project/);
      ca = new stytch.Client({ project_id: projectId, secret, env: a.url + '/' });
      cb = new stytch.Client({ project_id: projectId, secret, env: b.url + '/' });
    });

    after(async () => {
      assert.equal(await a.stop(), 0);
      assert.equal(await b.stop(), 0);
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('a session made on one authenticates on the other; both sign with the same key', async () => {
      const email = newEmail('multi');
      const created = await ca.passwords.create({ email, password: STRONG[0], session_duration_minutes: 60 });
      const onB = await cb.sessions.authenticate({ session_token: created.session_token });
      assert.equal(onB.session.session_id, created.session?.session_id);
      assert.equal(decodeProtectedHeader(onB.session_jwt).kid, decodeProtectedHeader(created.session_jwt).kid);
      const local = await cb.sessions.authenticateJwtLocal({ session_jwt: created.session_jwt });
      assert.equal(local.session_id, created.session?.session_id);
    });

    it('a revoke on one is refused at once on the other', async () => {
      const email = newEmail('revoke');
      const s1 = await ca.passwords.create({ email, password: STRONG[0], session_duration_minutes: 60 });
      await cb.sessions.revoke({ session_token: s1.session_token });
      await rejectsWith(ca.sessions.authenticate({ session_token: s1.session_token }), 404, 'session_not_found');
      await rejectsWith(ca.sessions.authenticate({ session_jwt: s1.session_jwt }), 404, 'session_not_found');
    });

    it('lock counters are shared: failures on both lock the user on both', async () => {
      const email = newEmail('lock');
      await ca.passwords.create({ email, password: STRONG[0] });
      for (let i = 0; i < 10; i++) {
        await rejectsWith((i % 2 === 0 ? ca : cb).passwords.authenticate({ email, password: WRONG }), 401, 'unauthorized_credentials');
      }
      await rejectsWith(ca.passwords.authenticate({ email, password: STRONG[0] }), 429, 'user_lock_limit_reached');
      await rejectsWith(cb.passwords.authenticate({ email, password: STRONG[0] }), 429, 'user_lock_limit_reached');
    });

    it('parallel wrong passwords on both processes are counted exactly at the lock threshold (10)', async () => {
      // Nine failures at once, split over the two processes: not one lost (a tenth then locks)
      // and not one counted twice (the right password still works after nine).
      const wrongs = async (email: string, n: number) => {
        const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? ca : cb).passwords.authenticate({ email, password: WRONG })));
        for (const r of results) {
          assert.equal(r.status, 'rejected');
          assert.equal((r.reason as stytch.StytchError).error_type, 'unauthorized_credentials');
        }
      };
      const under = newEmail('lock-par-under');
      const at = newEmail('lock-par-at');
      await ca.passwords.create({ email: under, password: STRONG[0] });
      await cb.passwords.create({ email: at, password: STRONG[0] });
      await Promise.all([wrongs(under, 9), wrongs(at, 9)]);
      assert.equal((await cb.passwords.authenticate({ email: under, password: STRONG[0] })).status_code, 200, 'nine failures do not lock');
      await rejectsWith(cb.passwords.authenticate({ email: at, password: WRONG }), 401, 'unauthorized_credentials');
      await rejectsWith(ca.passwords.authenticate({ email: at, password: STRONG[0] }), 429, 'user_lock_limit_reached');
      await rejectsWith(cb.passwords.authenticate({ email: at, password: STRONG[0] }), 429, 'user_lock_limit_reached');
    });

    it('rate limits are shared', async () => {
      const email = newEmail('rate');
      let limited = 0;
      for (let i = 0; i < 32; i++) {
        try {
          await (i % 2 === 0 ? ca : cb).passwords.authenticate({ email, password: WRONG });
        } catch (err) {
          if (err instanceof stytch.StytchError && err.error_type === 'too_many_requests') limited++;
        }
      }
      // 30 per minute per email in all; a window boundary may fall inside the loop.
      assert.ok(limited >= 1, `expected some of 32 requests to be limited, got ${limited}`);
    });

    it('an existing-password reset on one ends the sessions the other made', async () => {
      const email = newEmail('reset');
      await ca.passwords.create({ email, password: STRONG[0] });
      const onB = await cb.passwords.authenticate({ email, password: STRONG[0], session_duration_minutes: 60 });
      await ca.passwords.existingPassword.reset({ email, existing_password: STRONG[0], new_password: MORE_STRONG[0] });
      await rejectsWith(cb.sessions.authenticate({ session_token: onB.session_token }), 404, 'session_not_found');
      await cb.passwords.authenticate({ email, password: MORE_STRONG[0] });
    });
  });
}

describe('serve --workers', () => {
  it('runs N workers on one port, replaces a worker that dies, and stops on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-workers-'));
    const server = await startServe({ POSTERN_DATA_DIR: dataDir }, ['--workers', '2']);
    try {
      assert.match(server.out(), /2 workers/);
      const children = () =>
        execFileSync('ps', ['-o', 'pid=', '--ppid', String(server.child.pid)], { encoding: 'utf8' })
          .split('\n')
          .map((l) => Number(l.trim()))
          .filter((n) => n > 0);
      const deadline = Date.now() + 30_000;
      while (children().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const [victim] = children();
      assert.ok(victim);
      process.kill(victim, 'SIGKILL');
      while (!/starting another/.test(server.err()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.match(server.err(), new RegExp(`worker ${victim} exited`));
      for (let i = 0; i < 10; i++) assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      while (children().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(children().length, 2);
    } finally {
      assert.equal(await server.stop(), 0);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
