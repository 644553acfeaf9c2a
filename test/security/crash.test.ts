/**
 * Crashes lose nothing (design/security.md, "Consistency under concurrency and crashes"): a
 * real `postern serve` process is killed with SIGKILL in the middle of a load of
 * existing-password resets, restarted on the same store, and every user is checked:
 *
 * - exactly one of the user's passwords authenticates, and it is the last acknowledged one or
 *   the one whose reset was in flight at the kill (never an older one); every other password of
 *   the round fails with 401 `unauthorized_credentials` (after the last round, every password of
 *   the whole chain, for a fifth of the users);
 * - no reset is half done: exactly one session of the user is active (the reset's new session),
 *   every session the reset revoked is refused with 404 `session_not_found`, and the session
 *   the acknowledged reset returned is alive when its password is the current one.
 *
 * Rounds of load, kill and restart run against one store: three on SQLite (a data dir shared
 * by the processes), and two on PostgreSQL when POSTERN_TEST_DATABASE_URL is set (a database of
 * its own) followed by two pinned rounds. The kill points are drawn from POSTERN_CRASH_SEED
 * (fixed by default), so a failure repeats.
 *
 * A kill at a random moment mostly finds resets hashing, outside any transaction. So on
 * PostgreSQL two more rounds pin resets at a chosen statement first: the test holds row locks
 * (FOR UPDATE) on some users' session rows, or on their password rows, fires one reset per such
 * user, waits until every one of them is blocked inside the server on that lock, and only then
 * kills. With the session rows held, a reset that changes the password in one transaction and
 * revokes in another is caught every time (the password commits, the revocation never runs);
 * with the password rows held, so is the reverse order.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startServe, type ServeProcess } from '../helpers/processes.js';
import { createPgDatabase } from '../helpers/server.js';
import { newEmail } from '../api/support.js';

const PG_URL = process.env.POSTERN_TEST_DATABASE_URL;
const SEED = Number(process.env.POSTERN_CRASH_SEED ?? 0x5eed);
/** Sizes: CI's defaults; a long run raises them (docs/security.md, "Long runs"). */
const USERS = Number(process.env.POSTERN_CRASH_USERS ?? 40);
const RESETS_PER_ROUND = 4;
/** Rounds with a kill at a random moment: PostgreSQL has one fewer, and two pinned ones. */
const ROUNDS = Number(process.env.POSTERN_CRASH_ROUNDS ?? 3);
const SESSION_MINUTES = 600;
/** Wrong passwords tried in a row before the current one is used again to clear the count (lock: 10). */
const FAILURES_BETWEEN_SUCCESSES = 4;

/** mulberry32: a small deterministic generator for the kill points. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Password number `idx` of user `user`: distinct along a chain, strong (zxcvbn 4: 14 random
 * base64url characters), and the same string on every call so a chain can be replayed.
 */
function password(user: number, idx: number): string {
  const digest = createHash('sha256').update(`postern-crash/${SEED}/${user}/${idx}`).digest('base64url');
  return `${digest.slice(0, 14)} crash ${idx}`;
}

interface Reply {
  status: number;
  body: any;
}

class Api {
  constructor(
    readonly base: string,
    private readonly auth: string,
  ) {}

  /** Rejects when no complete HTTP response arrived (connection refused or cut by the kill). */
  async call(method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = { authorization: this.auth };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + urlPath, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  }
}

function show(r: Reply): string {
  const text = JSON.stringify(r.body);
  return `HTTP ${r.status} ${text.length > 300 ? text.slice(0, 300) + '…' : text}`;
}

function expectError(r: Reply, status: number, type: string, what: string): void {
  assert.equal(r.status, status, `${what}: expected ${status} ${type}, got ${show(r)}`);
  assert.equal(r.body?.error_type, type, `${what}: ${show(r)}`);
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * Every process below `pid` (e.g. the esbuild service tsx starts for worker threads): a crash
 * takes them down with the server, so none can finish a request after the kill.
 */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const line of execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child && parent) parentOf.set(child, parent);
  }
  const below = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parentOf) {
      if (below.has(parent) && !below.has(child)) {
        below.add(child);
        grew = true;
      }
    }
  }
  below.delete(pid);
  return [...below];
}

/** SIGKILL to the server process and everything below it, parent first (so it restarts nothing). */
function crash(server: ServeProcess): void {
  const below = descendantsOf(server.child.pid!);
  server.child.kill('SIGKILL');
  for (const pid of below) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

interface KnownSession {
  sessionId: string;
  /** null: the session exists (it came from a reset in flight at a kill) but its token never reached us. */
  token: string | null;
  origin: string;
}

interface UserState {
  n: number;
  email: string;
  userId: string;
  /** Index of the password known to be in effect (checked after the last restart). */
  current: number;
  /** Highest password index ever sent as a new password. */
  highest: number;
  /** The one session that must be alive. */
  live: KnownSession;
  /** Sessions that a committed reset revoked. */
  dead: KnownSession[];
}

interface ChainOutcome {
  /** Index of the last password whose reset was acknowledged (HTTP 200 received), or the start. */
  acked: number;
  /** Index of the new password of the reset whose outcome is unknown (sent, no response), if any. */
  inFlight: number | null;
  /** Sessions returned by this round's acknowledged resets, in order. */
  sessions: KnownSession[];
}

const TARGETS: Array<{ name: 'sqlite' | 'postgres'; skip: string | false }> = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: PG_URL ? false : 'POSTERN_TEST_DATABASE_URL is not set' },
];

/** How a round brings the kill about. */
type Round =
  | { kind: 'random'; killAt: number }
  /** Postgres only: resets held on row locks of `table` for `PINNED` users, then the kill. */
  | { kind: 'pinned'; table: 'sessions' | 'passwords' };

const PINNED = 8;

for (const target of TARGETS) {
  describe(`SIGKILL during a reset load on ${target.name}`, { skip: target.skip }, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-crash-'));
    let dbName = '';
    let pgDb: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
    const env: Record<string, string | undefined> = {
      POSTERN_DATA_DIR: dataDir,
      POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '0',
      POSTERN_RATE_LIMIT_IP_PER_MINUTE: '0',
      DATABASE_URL: undefined,
    };
    let server: ServeProcess | undefined;

    before(async () => {
      if (target.name === 'postgres') {
        pgDb = await createPgDatabase('postern_crash');
        dbName = pgDb.name;
        env.DATABASE_URL = pgDb.url;
      }
    });

    after(async () => {
      if (server && server.child.exitCode === null && server.child.signalCode === null) {
        crash(server);
        await server.exited;
      }
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('every acknowledged reset is in effect after the restart, none is half done, one password works', { timeout: 240_000 }, async (t) => {
      const started = performance.now();
      const random = prng(SEED);
      let live: ServeProcess = await startServe(env, ['--workers', '1']);
      server = live;
      const projectId = /project_id: (\S+)/.exec(live.out())?.[1];
      const secret = /secret:\s+(\S+)/.exec(live.out())?.[1];
      assert.ok(projectId && secret, `the first start printed the project: ${live.out()}`);
      const auth = 'Basic ' + Buffer.from(`${projectId}:${secret}`).toString('base64');
      let api = new Api(live.url, auth);

      // Step 1: the users, each with password 0 and one session.
      const users: UserState[] = await mapLimit(
        Array.from({ length: USERS }, (_, n) => n),
        8,
        async (n) => {
          const email = newEmail(`crash${n}`);
          const r = await api.call('POST', '/v1/passwords', { email, password: password(n, 0), session_duration_minutes: SESSION_MINUTES });
          assert.equal(r.status, 200, `create ${email}: ${show(r)}`);
          const session = { sessionId: r.body.session.session_id as string, token: r.body.session_token as string, origin: 'passwords create' };
          return { n, email, userId: r.body.user_id as string, current: 0, highest: 0, live: session, dead: [] };
        },
      );
      t.diagnostic(`${target.name}: ${USERS} users created in ${Math.round(performance.now() - started)} ms (seed ${SEED})`);

      const rounds: Round[] = [];
      for (let i = 0; i < (target.name === 'postgres' ? ROUNDS - 1 : ROUNDS); i++) {
        // Kill once 25–45% of the planned resets were acknowledged.
        rounds.push({ kind: 'random', killAt: Math.floor(USERS * RESETS_PER_ROUND * (0.25 + 0.2 * random())) });
      }
      if (target.name === 'postgres') rounds.push({ kind: 'pinned', table: 'sessions' }, { kind: 'pinned', table: 'passwords' });

      for (const [r, round] of rounds.entries()) {
        const roundStart = performance.now();
        const label = `round ${r + 1} (${round.kind === 'random' ? 'random kill' : `pinned on ${round.table} rows`})`;
        const last = r === rounds.length - 1;
        const victim = live;
        const planned = round.kind === 'random' ? USERS * RESETS_PER_ROUND : PINNED;
        const first = Math.floor(random() * (USERS - PINNED + 1));
        const loaded = round.kind === 'random' ? users : users.slice(first, first + PINNED);

        // Step 2: a chain of resets per user, users in parallel.
        let acked = 0;
        let killed = false;
        const unexpected: string[] = [];
        const kill = () => {
          if (killed) return;
          killed = true;
          crash(victim);
        };
        const chain = async (u: UserState, resets: number, killAt: number): Promise<ChainOutcome> => {
          const out: ChainOutcome = { acked: u.current, inFlight: null, sessions: [] };
          for (let k = 0; k < resets && !killed; k++) {
            const next = out.acked + 1;
            u.highest = Math.max(u.highest, next);
            out.inFlight = next;
            let res: Reply;
            try {
              res = await api.call('POST', '/v1/passwords/existing_password/reset', {
                email: u.email,
                existing_password: password(u.n, out.acked),
                new_password: password(u.n, next),
                session_duration_minutes: SESSION_MINUTES,
              });
            } catch (err) {
              // No complete response: the outcome is unknown. Before the kill this cannot happen.
              if (!killed) unexpected.push(`user ${u.n} reset to #${next}: ${String(err)}`);
              return out;
            }
            if (res.status !== 200) {
              // A complete error response: the server refused, but keep the outcome unknown
              // (and fail below: no reset of this load may be refused).
              unexpected.push(`user ${u.n} reset to #${next}: ${show(res)}`);
              return out;
            }
            assert.equal(res.body.user_id, u.userId);
            assert.equal(typeof res.body.session_token, 'string', show(res));
            out.acked = next;
            out.inFlight = null;
            out.sessions.push({ sessionId: res.body.session.session_id, token: res.body.session_token, origin: `reset to #${next} (${label})` });
            acked += 1;
            // Step 3: the kill, from inside the load, while the other users' requests are in flight.
            if (acked >= killAt) kill();
          }
          return out;
        };

        let outcomes: ChainOutcome[];
        if (round.kind === 'random') {
          outcomes = await Promise.all(users.map((u) => chain(u, RESETS_PER_ROUND, round.killAt)));
          kill(); // in case every chain ended before the kill point (it should not)
        } else {
          // One connection holds the rows; another watches (a transaction sees pg_stat_activity
          // as of its first look, so the watcher must not be the holder).
          const locker = new pg.Client({ connectionString: env.DATABASE_URL });
          const watcher = new pg.Client({ connectionString: env.DATABASE_URL });
          await locker.connect();
          await watcher.connect();
          const pidOf = async (c: pg.Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
          const ours = [await pidOf(locker), await pidOf(watcher)];
          const serverBackends = (where: string) =>
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> ALL($2) ${where}`;
          const count = async (where: string) => (await watcher.query<{ n: number }>(serverBackends(where), [dbName, ours])).rows[0]!.n;
          const deadline = performance.now() + 30_000;
          try {
            await locker.query('BEGIN');
            const held = await locker.query(`SELECT 1 FROM ${round.table} WHERE user_id = ANY($1) FOR UPDATE`, [loaded.map((u) => u.userId)]);
            assert.ok(held.rowCount !== null && held.rowCount >= PINNED, `rows of ${round.table} held for ${PINNED} users`);
            const running = Promise.all(loaded.map((u) => chain(u, 1, Infinity)));
            // Wait until every reset is blocked on one of the held rows, inside the server.
            for (let n = 0; (n = await count("AND wait_event_type = 'Lock'")) < PINNED; ) {
              assert.ok(performance.now() < deadline, `only ${n} of ${PINNED} resets blocked on the ${round.table} rows`);
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
            kill();
            const byUser = new Map((await running).map((o, i) => [loaded[i]!, o]));
            outcomes = users.map((u) => byUser.get(u) ?? { acked: u.current, inFlight: null, sessions: [] });
            await victim.exited;
            // The dead server's connections end, with the statements they were blocked on, before
            // the rows are free: as if the kill came just before those statements were sent. (Were
            // they let run, a statement autocommitted outside the reset's transaction would still
            // take effect and hide a split reset.)
            await watcher.query(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> ALL($2)`,
              [dbName, ours],
            );
            for (let n = 0; (n = await count('')) > 0; ) {
              assert.ok(performance.now() < deadline + 30_000, `${n} connections of the dead server remain`);
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          } finally {
            await locker.query('ROLLBACK');
            await locker.end();
            await watcher.end();
          }
          assert.equal(acked, 0, 'no pinned reset was acknowledged');
        }
        assert.equal(await victim.exited, null, 'the server died of a signal');
        assert.equal(victim.child.signalCode, 'SIGKILL');
        assert.deepEqual(unexpected, [], 'no reset fails before the kill');
        const inFlight = outcomes.filter((o) => o.inFlight !== null).length;
        assert.ok(acked < planned, `the kill came before the load ended (${acked}/${planned} acknowledged)`);
        assert.ok(inFlight > 0, 'some resets were in flight at the kill');

        // Step 4: restart on the same store and check every user.
        live = await startServe(env, ['--workers', '1']);
        server = live;
        assert.doesNotMatch(live.out(), /Created a test project/, 'the restarted server found the store');
        api = new Api(live.url, auth);

        const landed = await mapLimit(users, 8, async (u, i) => {
          const o = outcomes[i]!;
          const who = `user ${u.n} (${label}, acknowledged #${o.acked}, in flight ${o.inFlight === null ? 'none' : `#${o.inFlight}`})`;
          const login = (idx: number) => api.call('POST', '/v1/passwords/authenticate', { email: u.email, password: password(u.n, idx) });

          // Exactly one of the candidates works: never a password older than the last acknowledged one.
          const candidates = o.inFlight === null ? [o.acked] : [o.acked, o.inFlight];
          const works: number[] = [];
          for (const idx of candidates) {
            const res = await login(idx);
            if (res.status === 200) works.push(idx);
            else expectError(res, 401, 'unauthorized_credentials', `${who}: password #${idx}`);
          }
          assert.equal(works.length, 1, `${who}: exactly one candidate password works, got ${JSON.stringify(works)}`);
          const current = works[0]!;
          // Every other password is refused: the one the round started from and those of this
          // round (each password is so checked after the kill that followed it, and only one
          // can work), and after the last round the whole chain for every fifth user. The lock
          // counter is cleared on the way.
          let failures = 0;
          for (let idx = last && u.n % 5 === 0 ? 0 : u.current; idx <= u.highest; idx++) {
            if (candidates.includes(idx)) continue;
            expectError(await login(idx), 401, 'unauthorized_credentials', `${who}: old or unsent password #${idx} (current #${current})`);
            if (++failures % FAILURES_BETWEEN_SUCCESSES === 0) assert.equal((await login(current)).status, 200, `${who}: current password #${current} again`);
          }

          // Sessions: which must be alive, which revoked.
          const previous = [u.live];
          let alive: KnownSession | null;
          let dead: KnownSession[];
          if (current === o.inFlight) {
            // The unacknowledged reset committed: it revoked everything we know of and made a
            // session whose token we never received.
            alive = null;
            dead = [...previous, ...o.sessions];
          } else {
            alive = o.sessions.at(-1) ?? u.live;
            dead = [...previous, ...o.sessions].filter((s) => s !== alive);
          }
          const allDead = [...u.dead, ...dead];
          for (const s of allDead) {
            if (s.token === null) continue;
            expectError(await api.call('POST', '/v1/sessions/authenticate', { session_token: s.token }), 404, 'session_not_found', `${who}: session of ${s.origin}`);
          }
          if (alive?.token) {
            const res = await api.call('POST', '/v1/sessions/authenticate', { session_token: alive.token });
            assert.equal(res.status, 200, `${who}: the session of ${alive.origin} is alive: ${show(res)}`);
            assert.equal(res.body.session.session_id, alive.sessionId);
          }
          const listed = await api.call('GET', `/v1/sessions?user_id=${encodeURIComponent(u.userId)}`);
          assert.equal(listed.status, 200, show(listed));
          const ids = (listed.body.sessions as Array<{ session_id: string }>).map((s) => s.session_id);
          assert.equal(ids.length, 1, `${who}: exactly one active session (that of the reset that set password #${current}), got ${ids.length}`);
          const deadIds = new Set(allDead.map((s) => s.sessionId));
          assert.ok(!deadIds.has(ids[0]!), `${who}: the active session is not one a later reset revoked`);
          if (alive) assert.equal(ids[0], alive.sessionId, `${who}: the active session is that of ${alive.origin}`);

          u.current = current;
          u.dead = allDead;
          u.live = alive ?? { sessionId: ids[0]!, token: null, origin: `reset to #${current} (${label}, in flight at the kill)` };
          return current === o.inFlight;
        });
        const nLanded = landed.filter(Boolean).length;
        // A reset held on a row lock was inside its transaction (or before it) at the kill.
        if (round.kind === 'pinned') assert.equal(nLanded, 0, 'no reset blocked before its commit took effect');
        t.diagnostic(
          `${target.name} ${label}: ` +
            (round.kind === 'random' ? `SIGKILL at acknowledgement ${round.killAt}; ` : `SIGKILL with ${PINNED} resets blocked; `) +
            `${acked}/${planned} resets acknowledged in all; ${inFlight} in flight, of which ${nLanded} committed and ${inFlight - nLanded} did not; ` +
            `load + restart + checks ${Math.round(performance.now() - roundStart)} ms`,
        );
      }

      assert.equal(await live.stop(), 0);
      t.diagnostic(`${target.name}: total ${Math.round(performance.now() - started)} ms`);
    });
  });
}
