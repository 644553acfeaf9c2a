/**
 * The command line as a user meets it: `project create --json`, `migrate`, and `serve` on an
 * empty data dir printing working credentials, answering /healthz, and stopping on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import * as stytch from 'stytch';
import { CLI, startServe } from '../helpers/processes.js';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/index.js';
import { createMailer } from '../../src/email/mailer.js';
import { openStore } from '../../src/storage/open.js';
import { randomUUID } from 'node:crypto';
import { POLICY_DOC } from '../fixtures/rbac-policy.js';


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
  it('project create --json prints exactly one JSON line with the id, secret and public token', () => {
    const dir = dataDir();
    const res = run(['project', 'create', '--json'], { POSTERN_DATA_DIR: dir });
    assert.equal(res.status, 0, res.stderr);
    const lines = res.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1);
    const parsed = JSON.parse(lines[0]!) as Record<string, string>;
    assert.deepEqual(Object.keys(parsed).sort(), ['project_id', 'public_token', 'secret']);
    assert.match(parsed.project_id!, /^project-test-[0-9a-f-]{36}$/);
    assert.match(parsed.secret!, /^secret-test-[A-Za-z0-9_-]{36}$/);
    assert.match(parsed.public_token!, /^public-token-test-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const plain = run(['project', 'create'], { POSTERN_DATA_DIR: dir });
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /^project_id: project-test-\S+\nsecret: +secret-test-\S+\npublic_token: public-token-test-\S+\n$/);
    assert.ok(fs.existsSync(path.join(dir, 'postern.sqlite')));

    const live = run(['project', 'create', '--live', '--json'], { POSTERN_DATA_DIR: dir });
    assert.equal(live.status, 0, live.stderr);
    assert.match((JSON.parse(live.stdout) as { project_id: string }).project_id, /^project-live-/);
    assert.match((JSON.parse(live.stdout) as { public_token: string }).public_token, /^public-token-live-/);
  });

  it('project show and set: Stytch names, ranges enforced, all problems listed, nothing changed on error', () => {
    const dir = dataDir();
    const env = { POSTERN_DATA_DIR: dir };
    const created = JSON.parse(run(['project', 'create', '--json'], env).stdout) as { project_id: string; public_token: string };
    const id = created.project_id;

    const shown = run(['project', 'show', id, '--json'], env);
    assert.equal(shown.status, 0, shown.stderr);
    const shownJson = JSON.parse(shown.stdout) as { public_tokens: Array<{ public_token: string; created_at: string }> };
    assert.equal(shownJson.public_tokens.length, 1);
    assert.equal(shownJson.public_tokens[0]!.public_token, created.public_token);
    assert.match(shownJson.public_tokens[0]!.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(JSON.parse(shown.stdout), {
      project_id: id,
      environment: 'test',
      public_tokens: shownJson.public_tokens,
      settings: {
        password_strength_policy: 'zxcvbn',
        luds_min_password_length: 8,
        luds_min_password_complexity: 3,
        check_breach_on_creation: true,
        check_breach_on_authentication: true,
        validate_on_authentication: false,
        lock_threshold: 10,
        lock_duration_minutes: 60,
        enumeration_protection: false,
        reset_password_redirect_url: '',
        login_redirect_url: '',
        allowed_redirect_urls: [],
        allowed_origins: [],
        allow_localhost: true,
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
    assert.match(text.stdout, new RegExp(`public_tokens:\\n  ${created.public_token}  created \\d{4}-`));
    const origins = run(['project', 'set', id, 'allowed_origins=https://a.example.org,https://b.example.org', 'allow_localhost=false'], env);
    assert.equal(origins.status, 0, origins.stderr);
    assert.match(origins.stdout, /allowed_origins = https:\/\/a\.example\.org,https:\/\/b\.example\.org/);
    assert.match(origins.stdout, /allow_localhost = false/);
    assert.match(origins.stdout, /allowed_redirect_urls = \n/);
    assert.equal(run(['project', 'show', 'project-test-00000000-0000-4000-8000-000000000000'], env).status, 1);
  });

  it('outbox prints the messages kept without SMTP, newest last, as text or JSON lines', async () => {
    const dir = dataDir();
    const env = { POSTERN_DATA_DIR: dir };
    assert.equal(run(['outbox', '--json'], env).stdout, '');
    const mailer = createMailer(loadConfig({ POSTERN_DATA_DIR: dir }).email, new FixedClock(Date.UTC(2026, 0, 2, 3, 4, 5)));
    await mailer.send({ to: 'a@example.com', subject: 'First', text: 'one https://x.example/reset?token=1', html: '<p>one</p>' });
    await mailer.send({ to: 'b@example.com', subject: 'Second', text: 'two https://x.example/reset?token=2', html: '<p>two</p>' });
    await mailer.close();
    const json = run(['outbox', '--json'], env);
    assert.equal(json.status, 0, json.stderr);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { to: string; subject: string; text: string });
    assert.deepEqual(lines.map((m) => m.subject), ['First', 'Second']);
    const last = run(['outbox', '--last', '1'], env);
    assert.match(last.stdout, /Second/);
    assert.doesNotMatch(last.stdout, /First/);
    assert.match(last.stdout, /https:\/\/x\.example\/reset\?token=2/);
    assert.notEqual(run(['outbox', '--last', '0'], env).status, 0);
  });

  it('users unlock clears a lock; an unknown user exits 1', async () => {
    const dir = dataDir();
    const env = { POSTERN_DATA_DIR: dir };
    const { project_id: projectId } = JSON.parse(run(['project', 'create', '--json'], env).stdout) as { project_id: string };
    const opened = openStore({ dataDir: dir, databaseUrl: undefined });
    const userId = `user-test-${randomUUID()}`;
    try {
      assert.equal(
        await opened.store.insertUser({
          id: userId, projectId, status: 'active', name: { firstName: '', middleName: '', lastName: '' },
          email: { id: `email-test-${randomUUID()}`, email: 'locked@example.com', verified: false },
          trustedMetadata: {}, untrustedMetadata: {}, externalId: null, roles: [], createdAt: Date.now(),
        }),
        'inserted',
      );
      await opened.store.recordFailedAttempt(projectId, userId, Date.now(), 1, 3_600_000);
      assert.notEqual((await opened.store.getUser(projectId, userId))?.lock.lockExpiresAt, null);
      const res = run(['users', 'unlock', projectId, userId], env);
      assert.equal(res.status, 0, res.stderr);
      const lock = (await opened.store.getUser(projectId, userId))?.lock;
      assert.deepEqual(lock, { failedAttempts: 0, lockCreatedAt: null, lockExpiresAt: null });
      assert.equal(run(['users', 'unlock', projectId, 'user-test-nobody'], env).status, 1);
    } finally {
      await opened.store.close();
    }
  });

  it('keys rotate publishes a next key; keys list shows the states', () => {
    const dir = dataDir();
    const env = { POSTERN_DATA_DIR: dir };
    const { project_id: projectId } = JSON.parse(run(['project', 'create', '--json'], env).stdout) as { project_id: string };
    const first = run(['keys', 'rotate', projectId, '--immediate', '--json'], env);
    assert.equal(first.status, 0, first.stderr);
    const firstKid = (JSON.parse(first.stdout) as { kid: string }).kid;
    const second = JSON.parse(run(['keys', 'rotate', projectId, '--json'], env).stdout) as { kid: string; signs_from: string };
    assert.match(second.kid, /^jwk-test-/);
    const listed = run(['keys', 'list', projectId, '--json'], env).stdout.trim().split('\n').map((l) => JSON.parse(l) as { kid: string; state: string });
    assert.deepEqual(listed.map((k) => [k.kid, k.state]).sort(), [[firstKid, 'current'], [second.kid, 'next']].sort());
    assert.match(run(['keys', 'list', projectId], env).stdout, /next/);
    assert.equal(run(['keys', 'rotate', 'project-test-00000000-0000-4000-8000-000000000000'], env).status, 1);
  });

  it('project public-tokens: a new token works on a running server, a deleted one is refused, the last one never goes', async () => {
    const dir = dataDir();
    const env = { POSTERN_DATA_DIR: dir };
    const { project_id: projectId, public_token: first } = JSON.parse(run(['project', 'create', '--json'], env).stdout) as { project_id: string; public_token: string };
    const server = await startServeIn(dir);
    const bootstrap = async (token: string) => (await fetch(`${server.url}/sdk/v1/projects/bootstrap/${token}`)).status;
    const eventually = async (token: string, status: number) => {
      for (let i = 0; i < 100 && (await bootstrap(token)) !== status; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await bootstrap(token), status);
    };
    try {
      assert.equal(await bootstrap(first), 200);
      const created = run(['project', 'public-tokens', 'create', projectId, '--json'], env);
      assert.equal(created.status, 0, created.stderr);
      const second = JSON.parse(created.stdout) as { public_token: string; created_at: string };
      assert.match(second.public_token, /^public-token-test-[0-9a-f-]{36}$/);
      assert.notEqual(second.public_token, first);
      assert.equal(await bootstrap(second.public_token), 200);

      const listed = run(['project', 'public-tokens', 'list', projectId, '--json'], env).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { public_token: string }).public_token);
      assert.deepEqual(listed, [first, second.public_token]);
      assert.match(run(['project', 'public-tokens', 'list', projectId], env).stdout, new RegExp(`^${first}  created .*\\n${second.public_token}  created `));

      const deleted = run(['project', 'public-tokens', 'delete', projectId, first], env);
      assert.equal(deleted.status, 0, deleted.stderr);
      await eventually(first, 404);
      assert.equal(await bootstrap(second.public_token), 200);
      const last = run(['project', 'public-tokens', 'delete', projectId, second.public_token], env);
      assert.equal(last.status, 1);
      assert.match(last.stderr, /only public token/);
      const gone = run(['project', 'public-tokens', 'delete', projectId, first], env);
      assert.equal(gone.status, 1);
      assert.match(gone.stderr, /no public token/);
      assert.equal(run(['project', 'public-tokens', 'list', 'project-test-00000000-0000-4000-8000-000000000000'], env).status, 1);
      assert.equal(run(['project', 'public-tokens', 'create', 'project-test-00000000-0000-4000-8000-000000000000'], env).status, 1);
      assert.equal(await bootstrap(second.public_token), 200);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('project secrets: a second secret works on a running server, the old one is deleted, the last one never is', async () => {
    const dir = dataDir();
    const env = { POSTERN_DATA_DIR: dir };
    const { project_id: projectId, secret: first } = JSON.parse(run(['project', 'create', '--json'], env).stdout) as { project_id: string; secret: string };
    const server = await startServeIn(dir);
    /** The HTTP status of an authenticated call with this secret. */
    const statusWith = async (secret: string) =>
      (await fetch(`${server.url}/v1/users/user-test-00000000-0000-4000-8000-000000000000`, { headers: { authorization: 'Basic ' + Buffer.from(`${projectId}:${secret}`).toString('base64') } })).status;
    /** Polls until the secret gets `status` (servers pick changes up within seconds, not at once). */
    const eventually = async (secret: string, status: number) => {
      for (let i = 0; i < 100 && (await statusWith(secret)) !== status; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await statusWith(secret), status);
    };
    try {
      assert.equal(await statusWith(first), 404); // authenticated: the user is simply not there
      const [listedFirst] = run(['project', 'secrets', 'list', projectId, '--json'], env).stdout.trim().split('\n').map((l) => JSON.parse(l) as { secret_id: string; created_at: string });
      assert.match(listedFirst!.secret_id, /^project-secret-test-[0-9a-f-]{36}$/);
      assert.match(listedFirst!.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const created = run(['project', 'secrets', 'create', projectId, '--json'], env);
      assert.equal(created.status, 0, created.stderr);
      const second = JSON.parse(created.stdout) as { secret_id: string; secret: string; created_at: string };
      assert.match(second.secret, /^secret-test-[A-Za-z0-9_-]{36}$/);
      assert.notEqual(second.secret, first);
      assert.equal(await statusWith(first), 404);
      await eventually(second.secret, 404);
      const ids = run(['project', 'secrets', 'list', projectId, '--json'], env).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { secret_id: string }).secret_id);
      assert.deepEqual(ids, [listedFirst!.secret_id, second.secret_id]);
      const listed = run(['project', 'secrets', 'list', projectId], env).stdout;
      assert.ok(listed.includes(second.secret_id) && !listed.includes(first) && !listed.includes(second.secret), 'the list shows ids, never a secret');

      const deleted = run(['project', 'secrets', 'delete', projectId, listedFirst!.secret_id], env);
      assert.equal(deleted.status, 0, deleted.stderr);
      await eventually(first, 401);
      assert.equal(await statusWith(second.secret), 404);
      const last = run(['project', 'secrets', 'delete', projectId, second.secret_id], env);
      assert.equal(last.status, 1);
      assert.match(last.stderr, /only secret/);
      assert.equal(run(['project', 'secrets', 'delete', projectId, listedFirst!.secret_id], env).status, 1);
      assert.equal(run(['project', 'secrets', 'create', 'project-test-00000000-0000-4000-8000-000000000000'], env).status, 1);
      assert.equal(await statusWith(second.secret), 404);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('rbac set and show: a policy file applied and printed back, served at once; an invalid one refused whole with every problem', async () => {
    const dir = dataDir();
    const env = { POSTERN_DATA_DIR: dir };
    const { project_id: projectId, secret } = JSON.parse(run(['project', 'create', '--json'], env).stdout) as { project_id: string; secret: string };
    const shownDefault = run(['rbac', 'show', projectId], env);
    assert.equal(shownDefault.status, 0, shownDefault.stderr);
    assert.deepEqual((JSON.parse(shownDefault.stdout) as { roles: Array<{ role_id: string }> }).roles.map((r) => r.role_id), ['stytch_user', 'stytch_admin']);

    const file = path.join(dir, 'policy.json');
    fs.writeFileSync(file, JSON.stringify(POLICY_DOC));
    const server = await startServeIn(dir);
    try {
      const set = run(['rbac', 'set', projectId, file], env);
      assert.equal(set.status, 0, set.stderr);
      assert.match(set.stdout, /4 roles, 2 resources, 1 scopes/);
      const shown = run(['rbac', 'show', projectId], env);
      assert.equal(shown.status, 0, shown.stderr);
      assert.deepEqual(JSON.parse(shown.stdout), POLICY_DOC);
      fs.writeFileSync(file, shown.stdout);
      assert.equal(run(['rbac', 'set', projectId, file], env).status, 0, 'what show prints, set takes back');
      const served = await fetch(`${server.url}/v1/rbac/policy`, { headers: { authorization: 'Basic ' + Buffer.from(`${projectId}:${secret}`).toString('base64') } });
      assert.deepEqual(((await served.json()) as { policy: unknown }).policy, POLICY_DOC, 'a running server serves it at once');
    } finally {
      assert.equal(await server.stop(), 0);
    }

    const bad = structuredClone(POLICY_DOC) as any;
    bad.roles[2].permissions[0].actions.push('publish');
    bad.roles[3].permissions.push({ resource_id: 'payroll', actions: ['read'] });
    fs.writeFileSync(file, JSON.stringify(bad));
    const refused = run(['rbac', 'set', projectId, file], env);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /not applied/);
    assert.match(refused.stderr, /roles\[2\]\.permissions\[0\]\.actions\[2\]: unknown action "publish" of resource "documents"/);
    assert.match(refused.stderr, /roles\[3\]\.permissions\[1\]: unknown resource "payroll"/);
    assert.deepEqual(JSON.parse(run(['rbac', 'show', projectId], env).stdout), POLICY_DOC, 'nothing changed');

    fs.writeFileSync(file, '{"roles": [');
    const notJson = run(['rbac', 'set', projectId, file], env);
    assert.equal(notJson.status, 2);
    assert.match(notJson.stderr, /cannot read a JSON policy/);
    assert.equal(run(['rbac', 'set', projectId, path.join(dir, 'missing.json')], env).status, 2);
    const ghost = 'project-test-00000000-0000-4000-8000-000000000000';
    fs.writeFileSync(file, JSON.stringify(POLICY_DOC));
    assert.equal(run(['rbac', 'set', ghost, file], env).status, 1);
    const ghostShow = run(['rbac', 'show', ghost], env);
    assert.equal(ghostShow.status, 1);
    assert.match(ghostShow.stderr, /no project/);
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
    const first = await startServeIn(dir);
    try {
      const projectId = /project_id: (\S+)/.exec(first.out())![1]!;
      const secret = /secret:\s+(\S+)/.exec(first.out())![1]!;
      assert.match(first.out(), /new stytch\.Client\(\{ project_id: 'project-test-/);
      assert.equal((await fetch(`${first.url}/healthz`)).status, 200);
      const publicToken = /public_token: (public-token-test-\S+)/.exec(first.out())![1]!;
      assert.match(first.out(), new RegExp(`createStytchClient\\('${publicToken}'`));
      const boot = await fetch(`${first.url}/sdk/v1/projects/bootstrap/${publicToken}`);
      assert.equal(boot.status, 200);
      assert.equal(((await boot.json()) as { data: { project_name: string } }).data.project_name, projectId);

      const client = new stytch.Client({ project_id: projectId, secret, env: first.url + '/' });
      const created = await client.passwords.create({ email: 'cli@example.com', password: 'correct horse battery staple 91' });
      assert.equal(created.status_code, 200);
      const got = await client.users.get({ user_id: created.user_id });
      assert.equal(got.emails[0]?.email, 'cli@example.com');
    } finally {
      assert.equal(await first.stop(), 0);
    }

    // The next start finds the project and creates no other.
    const second = await startServeIn(dir);
    const printed = second.out();
    assert.equal(await second.stop(), 0);
    assert.doesNotMatch(printed, /Created a test project/);
  });

  it('events: attempts answered by a serve process are in the table after SIGTERM, listed as a table or JSON lines, filtered', async () => {
    const dir = dataDir();
    const env = { POSTERN_DATA_DIR: dir };
    const other = JSON.parse(run(['project', 'create', '--json'], env).stdout) as { project_id: string; secret: string };
    const server = await startServeIn(dir);
    const ids: Record<string, string> = {};
    let userId = '';
    try {
      const client = new stytch.Client({ project_id: other.project_id, secret: other.secret, env: server.url + '/' });
      const created = await client.passwords.create({ email: 'events@example.com', password: 'correct horse battery staple 91' });
      userId = created.user_id;
      ids.created = created.request_id;
      const wrong = await client.passwords.authenticate({ email: 'events@example.com', password: 'not the password at all 7' }).catch((e: { request_id: string; error_type: string }) => e);
      assert.equal((wrong as { error_type: string }).error_type, 'unauthorized_credentials');
      ids.wrong = (wrong as { request_id: string }).request_id;
      const unknown = await client.passwords.authenticate({ email: 'nobody@example.com', password: 'not the password at all 7' }).catch((e: { request_id: string }) => e);
      ids.unknown = unknown.request_id;
    } finally {
      // SIGTERM: what the writer's timer had not written yet, its close() writes before exit.
      assert.equal(await server.stop(), 0);
    }

    const json = run(['events', other.project_id, '--json'], env);
    assert.equal(json.status, 0, json.stderr);
    const events = json.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      events.map((e) => [e.request_id, e.route, e.outcome, e.user_id, e.project_id, e.client_address]),
      [
        [ids.created, '/v1/passwords', 'success', userId, other.project_id, '127.0.0.1'],
        [ids.wrong, '/v1/passwords/authenticate', 'unauthorized_credentials', userId, other.project_id, '127.0.0.1'],
        [ids.unknown, '/v1/passwords/authenticate', 'email_not_found', null, other.project_id, '127.0.0.1'],
      ],
      'oldest first, every field',
    );
    for (const e of events) {
      assert.deepEqual(Object.keys(e).sort(), ['client_address', 'created_at', 'id', 'outcome', 'project_id', 'request_id', 'route', 'user_id']);
      assert.match(String(e.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }

    const last = run(['events', other.project_id, '--json', '--last', '1'], env);
    assert.deepEqual(last.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { request_id: string }).request_id), [ids.unknown]);
    const byUser = run(['events', other.project_id, '--json', '--user', userId], env);
    assert.deepEqual(byUser.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { request_id: string }).request_id), [ids.created, ids.wrong]);
    const byOutcome = run(['events', '--json', '--outcome', 'unauthorized_credentials'], env);
    assert.deepEqual(byOutcome.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { request_id: string }).request_id), [ids.wrong], 'across projects');

    const table = run(['events', other.project_id], env);
    assert.equal(table.status, 0, table.stderr);
    const rows = table.stdout.trimEnd().split('\n');
    assert.match(rows[0]!, /^time\s+user\s+route\s+outcome\s+client\s+request_id$/);
    assert.equal(rows.length, 4);
    assert.match(rows[2]!, new RegExp(`${userId}\\s+/v1/passwords/authenticate\\s+unauthorized_credentials\\s+127\\.0\\.0\\.1\\s+${ids.wrong}$`));
    assert.match(rows[3]!, /\s-\s+\/v1\/passwords\/authenticate\s+email_not_found\s/);
    const all = run(['events'], env);
    assert.match(all.stdout.split('\n')[0]!, /^time\s+project\s+user/, 'a project column when listing every project');

    const none = run(['events', other.project_id, '--outcome', 'user_lock_limit_reached'], env);
    assert.equal(none.stdout, 'No authentication events.\n');
    const missing = run(['events', 'project-test-00000000-0000-4000-8000-000000000000'], env);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no project/);
    assert.equal(run(['events', '--last', '0'], env).status, 1, 'a count is positive');
  });
});

function startServeIn(dir: string) {
  return startServe({ POSTERN_DATA_DIR: dir }, ['--workers', '1']);
}
