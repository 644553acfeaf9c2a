/**
 * The command line as a user meets it: `project create --json`, `migrate`, and `serve` on an
 * empty data dir printing working credentials, answering /healthz, and stopping on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import * as stytch from 'stytch';

const CLI = ['--import', 'tsx', path.join(import.meta.dirname, '../helpers/cli.ts')];
const dirs: string[] = [];

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-cli-'));
  dirs.push(dir);
  return dir;
}

function run(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [...CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('postern CLI', () => {
  it('project create --json prints exactly one JSON line with the id and secret', () => {
    const dir = dataDir();
    const res = run(['project', 'create', '--json'], { POSTERN_DATA_DIR: dir });
    assert.equal(res.status, 0, res.stderr);
    const lines = res.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1);
    const parsed = JSON.parse(lines[0]!) as Record<string, string>;
    assert.deepEqual(Object.keys(parsed).sort(), ['project_id', 'secret']);
    assert.match(parsed.project_id!, /^project-test-[0-9a-f-]{36}$/);
    assert.match(parsed.secret!, /^secret-test-[A-Za-z0-9_-]{36}$/);
    assert.ok(fs.existsSync(path.join(dir, 'postern.sqlite')));

    const live = run(['project', 'create', '--live', '--json'], { POSTERN_DATA_DIR: dir });
    assert.equal(live.status, 0, live.stderr);
    assert.match((JSON.parse(live.stdout) as { project_id: string }).project_id, /^project-live-/);
  });

  it('project show and set: Stytch names, ranges enforced, all problems listed, nothing changed on error', () => {
    const dir = dataDir();
    const env = { POSTERN_DATA_DIR: dir };
    const created = JSON.parse(run(['project', 'create', '--json'], env).stdout) as { project_id: string };
    const id = created.project_id;

    const shown = run(['project', 'show', id, '--json'], env);
    assert.equal(shown.status, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout), {
      project_id: id,
      environment: 'test',
      settings: {
        password_strength_policy: 'zxcvbn',
        luds_min_password_length: 8,
        luds_min_password_complexity: 3,
        check_breach_on_creation: true,
        check_breach_on_authentication: true,
        validate_on_authentication: false,
        lock_threshold: 10,
        lock_duration_minutes: 60,
      },
    });

    const set = run(['project', 'set', id, 'password_strength_policy=luds', 'luds_min_password_length=12', 'lock_threshold=3', 'check_breach_on_creation=false', '--json'], env);
    assert.equal(set.status, 0, set.stderr);
    const after = (JSON.parse(run(['project', 'show', id, '--json'], env).stdout) as { settings: Record<string, unknown> }).settings;
    assert.equal(after.password_strength_policy, 'luds');
    assert.equal(after.luds_min_password_length, 12);
    assert.equal(after.lock_threshold, 3);
    assert.equal(after.check_breach_on_creation, false);
    assert.equal(after.lock_duration_minutes, 60);

    const bad = run(['project', 'set', id, 'lock_threshold=101', 'luds_min_password_length=7', 'lock_duration_minutes=4', 'password_strength_policy=none', 'nope=1', 'lock_threshold=0'], env);
    assert.equal(bad.status, 2);
    for (const name of ['lock_threshold', 'luds_min_password_length', 'lock_duration_minutes', 'password_strength_policy', 'nope']) {
      assert.match(bad.stderr, new RegExp(name));
    }
    const unchanged = (JSON.parse(run(['project', 'show', id, '--json'], env).stdout) as { settings: Record<string, unknown> }).settings;
    assert.deepEqual(unchanged, after);

    const text = run(['project', 'show', id], env);
    assert.match(text.stdout, /lock_threshold = 3/);
    assert.equal(run(['project', 'show', 'project-test-00000000-0000-4000-8000-000000000000'], env).status, 1);
  });

  it('migrate applies migrations and is idempotent', () => {
    const dir = dataDir();
    for (let i = 0; i < 2; i++) {
      const res = run(['migrate'], { POSTERN_DATA_DIR: dir });
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /Migrations applied \(sqlite\)/);
    }
  });

  it('refuses an invalid configuration with every problem listed and exit code 2', () => {
    const res = run(['migrate'], { POSTERN_DATA_DIR: dataDir(), POSTERN_ARGON2_ITERATIONS: 'many', DATABASE_URL: 'mysql://x' });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /POSTERN_ARGON2_ITERATIONS/);
    assert.match(res.stderr, /DATABASE_URL/);
  });

  it('serve on an empty store prints a working project, answers /healthz, and stops on SIGTERM', async () => {
    const dir = dataDir();
    const first = await startServe(dir);
    try {
      const projectId = /project_id: (\S+)/.exec(first.out())![1]!;
      const secret = /secret:\s+(\S+)/.exec(first.out())![1]!;
      assert.match(first.out(), /new stytch\.Client\(\{ project_id: 'project-test-/);
      assert.equal((await fetch(`${first.url}/healthz`)).status, 200);

      const client = new stytch.Client({ project_id: projectId, secret, env: first.url + '/' });
      const created = await client.passwords.create({ email: 'cli@example.com', password: 'correct horse battery staple 91' });
      assert.equal(created.status_code, 200);
      const got = await client.users.get({ user_id: created.user_id });
      assert.equal(got.emails[0]?.email, 'cli@example.com');
    } finally {
      assert.equal(await first.stop(), 0);
    }

    // The next start finds the project and creates no other.
    const second = await startServe(dir);
    const printed = second.out();
    assert.equal(await second.stop(), 0);
    assert.doesNotMatch(printed, /Created a test project/);
  });
});

async function startServe(dir: string) {
  const child = spawn(process.execPath, [...CLI, 'serve', '--port', '0'], {
    env: { ...process.env, POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/listening on (http:\/\/\S+)/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      assert.fail(`serve did not start: ${out} ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: /listening on (http:\/\/\S+)/.exec(out)![1]!,
    out: () => out,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
