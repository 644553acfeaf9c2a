/**
 * The authentication audit trail: every attempt on a route that proves (or tries to prove) a
 * credential is one `auth_events` row and one `auth_attempt` log line, with the project, the
 * user when known, the route, the outcome, the client address and the response's request id,
 * whether the handler, the schema, a rate limit, the lock or the hash queue answered it.
 * Session authenticate is recorded only when it fails; project-credential failures, migrate
 * and strength_check are not attempts.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import * as stytch from 'stytch';
import { loadConfig } from '../../src/config/index.js';
import { readOutbox } from '../../src/email/outbox.js';
import { createPostern } from '../../src/main.js';
import { createTestDatabase } from '../storage/fixtures.js';
import { DIALECTS, basicAuth, startTestServer, type TestServer } from '../helpers/server.js';
import { MORE_STRONG, STRONG, WRONG, expectError, expectOk, newEmail, type Res } from './support.js';

const ROUTES = {
  create: '/v1/passwords',
  authenticate: '/v1/passwords/authenticate',
  existing: '/v1/passwords/existing_password/reset',
  session: '/v1/passwords/session/reset',
  start: '/v1/passwords/email/reset/start',
  email: '/v1/passwords/email/reset',
  sessions: '/v1/sessions/authenticate',
} as const;

interface Captured {
  server: TestServer;
  lines: string[];
}

function capture(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { lines, sink };
}

function attemptLines(lines: string[], requestId: string): Record<string, unknown>[] {
  return lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.event === 'auth_attempt' && l.request_id === requestId);
}

async function rowsFor(s: TestServer, requestId: string): Promise<Record<string, unknown>[]> {
  return s.query('SELECT * FROM auth_events WHERE request_id = ?', [requestId]);
}

/**
 * The response's attempt, as stored and as logged. The hook runs as the response finishes,
 * which may be a moment after the client has it: flush until the row is there (bounded).
 */
async function recorded(c: Captured, res: Res): Promise<{ row: Record<string, unknown>; line: Record<string, unknown> }> {
  const requestId = res.body.request_id as string;
  assert.ok(typeof requestId === 'string' && requestId !== '', 'the response has a request_id');
  for (let i = 0; i < 200; i++) {
    await c.server.postern.events.flush();
    const rows = await rowsFor(c.server, requestId);
    if (rows.length > 0) {
      assert.equal(rows.length, 1, 'one row per attempt');
      const lines = attemptLines(c.lines, requestId);
      assert.equal(lines.length, 1, 'one auth_attempt log line per attempt');
      return { row: rows[0]!, line: lines[0]! };
    }
    await sleep(10);
  }
  assert.fail(`no auth_events row for ${requestId}`);
}

/** Asserts the attempt of `res` was recorded with these values (outcome: from the response). */
async function expectAttempt(c: Captured, res: Res, route: string, userId: string | null, opts: { projectId?: string; outcome?: string } = {}) {
  const { row, line } = await recorded(c, res);
  const outcome = opts.outcome ?? (res.status < 400 ? 'success' : (res.body.error_type as string));
  const expected = {
    project_id: opts.projectId ?? c.server.projectId,
    user_id: userId,
    route,
    outcome,
    client_address: '127.0.0.1',
    request_id: res.body.request_id as string,
  };
  assert.deepEqual(
    { project_id: row.project_id, user_id: row.user_id, route: row.route, outcome: row.outcome, client_address: row.client_address, request_id: row.request_id },
    expected,
    'the row',
  );
  assert.match(String(row.id), /^auth-event-test-/);
  assert.ok(Math.abs(Number(row.created_at) - Date.now()) < 3_600_000, 'created_at is the time of the attempt');
  assert.deepEqual(
    { project_id: line.project_id, user_id: line.user_id, route: line.route, outcome: line.outcome, client_address: line.client_address, request_id: line.request_id },
    expected,
    'the log line',
  );
  assert.equal(line.level, 30, 'logged at info');
}

/** Asserts nothing was recorded for `res` (after the same bounded wait a recorded one gets). */
async function expectNoAttempt(c: Captured, res: Res) {
  const requestId = res.body.request_id as string;
  // A recorded control request answered after this one proves its hook has run.
  const probe = await c.server.request('POST', ROUTES.authenticate, { email: newEmail('probe'), password: WRONG });
  await recorded(c, probe);
  assert.deepEqual(await rowsFor(c.server, requestId), []);
  assert.deepEqual(attemptLines(c.lines, requestId), []);
}

for (const dialect of DIALECTS) {
  describe(`authentication audit events (${dialect})`, () => {
    const c = {} as Captured;
    let s: TestServer;
    before(async () => {
      const { lines, sink } = capture();
      s = await startTestServer(dialect, { env: { POSTERN_LOG_LEVEL: 'info' }, logStream: sink });
      c.server = s;
      c.lines = lines;
      await s.postern.projects.set(s.projectId, ['lock_threshold=3']);
    });
    after(() => s.close());

    async function newUser(): Promise<{ email: string; userId: string; res: Res }> {
      const email = newEmail('audit');
      const res = await s.request('POST', ROUTES.create, { email, password: STRONG[0], session_duration_minutes: 60 });
      expectOk(res);
      return { email, userId: res.body.user_id as string, res };
    }

    it('passwords/create: success, duplicate email (naming the existing user), weak password, bad input', async () => {
      const u = await newUser();
      await expectAttempt(c, u.res, ROUTES.create, u.userId);
      const dup = await s.request('POST', ROUTES.create, { email: u.email, password: STRONG[1] });
      expectError(dup, 400, 'duplicate_email');
      await expectAttempt(c, dup, ROUTES.create, u.userId);
      const weak = await s.request('POST', ROUTES.create, { email: newEmail('weak'), password: 'password' });
      expectError(weak, 400, 'weak_password');
      await expectAttempt(c, weak, ROUTES.create, null);
      const missing = await s.request('POST', ROUTES.create, { email: newEmail('missing') });
      assert.equal(missing.status, 400);
      await expectAttempt(c, missing, ROUTES.create, null);
      const badJson = await s.request('POST', ROUTES.create, undefined, { rawBody: '{"email":' });
      expectError(badJson, 400, 'bad_request');
      await expectAttempt(c, badJson, ROUTES.create, null);
    });

    it('passwords/authenticate: success, wrong password, unknown email, lock, reset required, invalid argument', async () => {
      const u = await newUser();
      const ok = await s.request('POST', ROUTES.authenticate, { email: u.email, password: STRONG[0] });
      expectOk(ok);
      await expectAttempt(c, ok, ROUTES.authenticate, u.userId);

      const wrong = await s.request('POST', ROUTES.authenticate, { email: u.email, password: WRONG });
      expectError(wrong, 401, 'unauthorized_credentials');
      await expectAttempt(c, wrong, ROUTES.authenticate, u.userId);

      const unknown = await s.request('POST', ROUTES.authenticate, { email: newEmail('nobody'), password: WRONG });
      expectError(unknown, 404, 'email_not_found');
      await expectAttempt(c, unknown, ROUTES.authenticate, null);

      const invalid = await s.request('POST', ROUTES.authenticate, { email: u.email, password: 42 });
      assert.equal(invalid.status, 400);
      await expectAttempt(c, invalid, ROUTES.authenticate, null);

      // Two more failures reach the threshold of 3; the next attempt meets the lock.
      for (let i = 0; i < 2; i++) expectError(await s.request('POST', ROUTES.authenticate, { email: u.email, password: WRONG }), 401, 'unauthorized_credentials');
      const locked = await s.request('POST', ROUTES.authenticate, { email: u.email, password: STRONG[0] });
      expectError(locked, 429, 'user_lock_limit_reached');
      await expectAttempt(c, locked, ROUTES.authenticate, u.userId);

      const v = await newUser();
      await markRequiresReset(s, v.userId);
      const mustReset = await s.request('POST', ROUTES.authenticate, { email: v.email, password: STRONG[0] });
      expectError(mustReset, 400, 'reset_password');
      await expectAttempt(c, mustReset, ROUTES.authenticate, v.userId);
    });

    it('passwords/existing_password/reset: success, wrong existing password, weak new password', async () => {
      const u = await newUser();
      const wrong = await s.request('POST', ROUTES.existing, { email: u.email, existing_password: WRONG, new_password: STRONG[1] });
      expectError(wrong, 401, 'unauthorized_credentials');
      await expectAttempt(c, wrong, ROUTES.existing, u.userId);
      const weak = await s.request('POST', ROUTES.existing, { email: u.email, existing_password: STRONG[0], new_password: 'password' });
      expectError(weak, 400, 'weak_password');
      await expectAttempt(c, weak, ROUTES.existing, u.userId);
      const ok = await s.request('POST', ROUTES.existing, { email: u.email, existing_password: STRONG[0], new_password: STRONG[1] });
      expectOk(ok);
      await expectAttempt(c, ok, ROUTES.existing, u.userId);
    });

    it('passwords/session/reset: success, unknown session, weak password (naming the session user)', async () => {
      const u = await newUser();
      const unknown = await s.request('POST', ROUTES.session, { session_token: 'x'.repeat(44), password: STRONG[1] });
      expectError(unknown, 404, 'session_not_found');
      await expectAttempt(c, unknown, ROUTES.session, null);
      const weak = await s.request('POST', ROUTES.session, { session_token: u.res.body.session_token, password: 'password' });
      expectError(weak, 400, 'weak_password');
      await expectAttempt(c, weak, ROUTES.session, u.userId);
      const ok = await s.request('POST', ROUTES.session, { session_token: u.res.body.session_token, password: STRONG[1] });
      expectOk(ok);
      await expectAttempt(c, ok, ROUTES.session, u.userId);
    });

    it('passwords/email/reset/start and email/reset: success, unknown email, unknown token, weak password on a good token', async () => {
      const u = await newUser();
      const RESET_URL = 'https://app.example.com/reset';
      const unknown = await s.request('POST', ROUTES.start, { email: newEmail('nobody'), reset_password_redirect_url: RESET_URL, login_redirect_url: RESET_URL });
      expectError(unknown, 404, 'email_not_found');
      await expectAttempt(c, unknown, ROUTES.start, null);
      const started = await s.request('POST', ROUTES.start, { email: u.email, reset_password_redirect_url: RESET_URL, login_redirect_url: RESET_URL });
      expectOk(started);
      await expectAttempt(c, started, ROUTES.start, u.userId);

      const [mail] = (await readOutbox(path.join(s.dataDir, 'outbox'))).filter((m) => m.to === u.email);
      const token = new URL(/https:\/\/app\.example\.com\/reset\?\S+/.exec(mail?.text ?? '')![0]).searchParams.get('token')!;
      const badToken = await s.request('POST', ROUTES.email, { token: 'A'.repeat(43) + '=', password: STRONG[1] });
      expectError(badToken, 404, 'magic_link_not_found');
      await expectAttempt(c, badToken, ROUTES.email, null);
      const weak = await s.request('POST', ROUTES.email, { token, password: 'password' });
      expectError(weak, 400, 'weak_password');
      await expectAttempt(c, weak, ROUTES.email, u.userId);
      const ok = await s.request('POST', ROUTES.email, { token, password: STRONG[1] });
      expectOk(ok);
      await expectAttempt(c, ok, ROUTES.email, u.userId);
      const reused = await s.request('POST', ROUTES.email, { token, password: STRONG[2] });
      expectError(reused, 401, 'unable_to_auth_magic_link');
      await expectAttempt(c, reused, ROUTES.email, u.userId);
    });

    it('with enumeration protection: the caller learns nothing, the audit trail names the outcome and the user', async () => {
      const p = await s.createProject();
      await s.postern.projects.set(p.projectId, ['enumeration_protection=true']);
      const auth = basicAuth(p.projectId, p.secret);
      const email = newEmail('protected');
      const created = await s.request('POST', ROUTES.create, { email, password: STRONG[0] }, { auth });
      expectOk(created);
      await expectAttempt(c, created, ROUTES.create, created.body.user_id as string, { projectId: p.projectId });
      const start = await s.request('POST', ROUTES.start, { email: newEmail('nobody'), reset_password_redirect_url: 'https://app.example.com/r', login_redirect_url: 'https://app.example.com/l' }, { auth });
      expectOk(start);
      assert.equal(start.body.user_id, '');
      await expectAttempt(c, start, ROUTES.start, null, { projectId: p.projectId, outcome: 'email_not_found' });
      const wrong = await s.request('POST', ROUTES.authenticate, { email, password: WRONG }, { auth });
      expectError(wrong, 401, 'unauthorized_credentials');
      await expectAttempt(c, wrong, ROUTES.authenticate, created.body.user_id as string, { projectId: p.projectId });
    });

    it('sessions/authenticate: failures are recorded, successes are not', async () => {
      const u = await newUser();
      const unknown = await s.request('POST', ROUTES.sessions, { session_token: 'y'.repeat(44) });
      expectError(unknown, 404, 'session_not_found');
      await expectAttempt(c, unknown, ROUTES.sessions, null);
      const malformed = await s.request('POST', ROUTES.sessions, { session_jwt: 'not-a-jwt' });
      assert.equal(malformed.status, 400);
      await expectAttempt(c, malformed, ROUTES.sessions, null);
      const none = await s.request('POST', ROUTES.sessions, {});
      expectError(none, 400, 'no_session_arguments');
      await expectAttempt(c, none, ROUTES.sessions, null);
      const ok = await s.request('POST', ROUTES.sessions, { session_token: u.res.body.session_token });
      expectOk(ok);
      await expectNoAttempt(c, ok);
    });

    it('not attempts: a wrong project secret, passwords/migrate, passwords/strength_check', async () => {
      const badProject = await s.request('POST', ROUTES.authenticate, { email: newEmail('x'), password: WRONG }, { auth: basicAuth(s.projectId, 'secret-test-wrong-wrong-wrong') });
      expectError(badProject, 401, 'unauthorized_credentials');
      await expectNoAttempt(c, badProject);
      const strength = await s.request('POST', '/v1/passwords/strength_check', { password: STRONG[0] });
      expectOk(strength);
      await expectNoAttempt(c, strength);
      const migrated = await s.request('POST', '/v1/passwords/migrate', {
        email: newEmail('migrated'),
        hash_type: 'bcrypt',
        hash: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
      });
      expectOk(migrated);
      await expectNoAttempt(c, migrated);
    });

    it('the log lines hold no password, token or secret', () => {
      const attempts = c.lines.filter((l) => l.includes('"auth_attempt"'));
      assert.ok(attempts.length > 20);
      for (const l of attempts) {
        const keys = Object.keys(JSON.parse(l) as object).sort();
        assert.deepEqual(keys, ['client_address', 'event', 'hostname', 'level', 'msg', 'outcome', 'pid', 'project_id', 'reqId', 'request_id', 'route', 'time', 'user_id']);
        for (const secret of [s.secret, STRONG[0], STRONG[1], WRONG, MORE_STRONG[0]]) assert.equal(l.includes(secret), false);
      }
    });
  });

  describe(`audit events survive a restart (${dialect})`, () => {
    it('close() writes the buffered events; a new server on the same database lists them', async () => {
      const db = await createTestDatabase(dialect);
      try {
        const config = loadConfig({ POSTERN_LOG_LEVEL: 'silent' }, { ...db.target, port: 0 });
        const first = await createPostern(config);
        const { projectId, secret } = await first.projects.create({ live: false });
        const url = (await first.app.listen({ host: '127.0.0.1', port: 0 })).replace(/\/$/, '');
        const client = new stytch.Client({ project_id: projectId, secret, env: url + '/' });
        const created = await client.passwords.create({ email: newEmail('restart'), password: STRONG[0] });
        const requestIds = [created.request_id];
        for (let i = 0; i < 3; i++) {
          const failed = (await client.passwords.authenticate({ email: newEmail('nobody'), password: WRONG }).catch((e: unknown) => e)) as { request_id: string };
          requestIds.push(failed.request_id);
        }
        await first.close();

        const second = await createPostern(config);
        try {
          const listed = await second.store.listAuthEvents({ projectId, limit: 10 });
          assert.deepEqual(listed.map((e) => e.requestId).sort(), [...requestIds].sort());
          assert.equal(listed.find((e) => e.requestId === created.request_id)?.userId, created.user_id);
        } finally {
          await second.close();
        }
      } finally {
        await db.drop();
      }
    });
  });

  describe(`audit events of requests refused before the domain code (${dialect})`, () => {
    it('rate limited (429) attempts, with the user unknown', async () => {
      const { lines, sink } = capture();
      const s = await startTestServer(dialect, { env: { POSTERN_LOG_LEVEL: 'info', POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '2' }, logStream: sink });
      try {
        const c = { server: s, lines };
        const email = newEmail('limited');
        const results: Res[] = [];
        for (let i = 0; i < 4; i++) results.push(await s.request('POST', ROUTES.authenticate, { email, password: WRONG }));
        const limited = results.filter((r) => r.status === 429);
        assert.ok(limited.length >= 1, 'the limit was reached');
        for (const r of limited) {
          expectError(r, 429, 'too_many_requests');
          await expectAttempt(c, r, ROUTES.authenticate, null);
        }
        for (const r of results.filter((x) => x.status !== 429)) await expectAttempt(c, r, ROUTES.authenticate, null);
      } finally {
        await s.close();
      }
    });

    it('hash queue full (429) attempts', async () => {
      const { lines, sink } = capture();
      const s = await startTestServer(dialect, {
        env: { POSTERN_LOG_LEVEL: 'info', POSTERN_HASH_WORKERS: '1', POSTERN_HASH_QUEUE: '1', POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '0', POSTERN_RATE_LIMIT_IP_PER_MINUTE: '0' },
        logStream: sink,
      });
      try {
        const c = { server: s, lines };
        const email = newEmail('flood');
        const created = await s.request('POST', ROUTES.create, { email, password: STRONG[0] });
        expectOk(created);
        const results = await Promise.all(Array.from({ length: 30 }, () => s.request('POST', ROUTES.authenticate, { email, password: STRONG[0] })));
        const busy = results.filter((r) => r.status === 429);
        assert.ok(busy.length > 0, 'some attempts were refused');
        for (const r of busy) {
          expectError(r, 429, 'too_many_requests');
          await expectAttempt(c, r, ROUTES.authenticate, created.body.user_id as string);
        }
        for (const r of results.filter((x) => x.status !== 429)) await expectAttempt(c, r, ROUTES.authenticate, created.body.user_id as string);
      } finally {
        await s.close();
      }
    });
  });
}

async function markRequiresReset(s: TestServer, userId: string): Promise<void> {
  // Behind the API: the state a breached or below-policy password leaves.
  if (s.dialect === 'postgres') {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: s.databaseUrl });
    await client.connect();
    try {
      await client.query('UPDATE passwords SET requires_reset = 1 WHERE user_id = $1', [userId]);
    } finally {
      await client.end();
    }
    return;
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path.join(s.dataDir, 'postern.sqlite'));
  try {
    db.prepare('UPDATE passwords SET requires_reset = 1 WHERE user_id = ?').run(userId);
  } finally {
    db.close();
  }
}
