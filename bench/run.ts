/**
 * Postern's benchmark suite: one command, every scenario, written to docs/benchmarks.md.
 *
 *   npm run bench                  # full run (about 10 minutes on 2 cores); rewrites the report block
 *   npm run bench -- --quick       # smoke run, a few seconds per scenario; writes nothing
 *   npm run bench -- --quick --write
 *   npm run bench -- --only=postern,flood --no-write
 *   npm run bench -- --json=/tmp/bench.json
 *
 * Groups (for --only): bound, fastify, postern, flood, better-auth-default, better-auth-argon2.
 *
 * Every server runs in a child process of its own (bench/*-server.ts, forked through tsx);
 * autocannon drives them from this process over 127.0.0.1. Each scenario is a warm-up
 * followed by PLAN.runs measured runs, each bounded in time and in requests; the report gives
 * the median and the spread. The method, and what the targets mean, is
 * /work/shared/design/performance.md (summarised in the report).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Request } from 'autocannon';
import { ServerChild } from './lib/child.js';
import { QUIET_CORES, RUN_QUIET_SEC, Scenario, machineDuring, setQuietBudget, setRetryBudget, summarize, summarizeCpu, waitQuiet, type LoadSpec, type Plan } from './lib/load.js';
import { renderReport, writeBlock, type BenchData, type BoundSummary, type Row } from './lib/report.js';
import { median, spreadPct } from './lib/stats.js';
import type { BoundKind, BoundResult } from './hash-bound.js';
import { loadConfig } from '../src/config/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const QUICK = flag('quick');
const ONLY = option('only')?.split(',');
const WRITE = !flag('no-write') && !ONLY && (flag('write') || !QUICK);
const JSON_OUT = option('json');
const GROUPS = ['bound', 'fastify', 'postern', 'flood', 'better-auth-default', 'better-auth-argon2'];
for (const g of ONLY ?? []) if (!GROUPS.includes(g)) throw new Error(`unknown group ${g}; groups: ${GROUPS.join(', ')}`);
const runs = (group: string) => !ONLY || ONLY.includes(group);

const PLAN: Plan = QUICK ? { warmupSec: 1, runSec: 2, runs: 3 } : { warmupSec: 3, runSec: 8, runs: 3 };
// Before each scenario and run, wait for the shared machine to be quiet: at most this long
// each, and in all. A run disturbed by other processes anyway is repeated, within RETRIES.
const QUIET = QUICK ? { perWaitSec: 0, totalSec: 0 } : { perWaitSec: 30, totalSec: 150 };
const RETRIES = QUICK ? { perScenario: 0, totalSec: 0 } : { perScenario: 2, totalSec: 90 };
const CORES = os.availableParallelism();
/** Password routes: enough concurrent requests to keep every core hashing, not more. */
const PASSWORD_CONNECTIONS = 4 * CORES;
/** Cheap routes (and the empty Fastify route they are compared with). */
const CHEAP_CONNECTIONS = 10;
/** The paced probes of the flood scenario: connections × requests/s per connection. */
const PROBE_CONNECTIONS = 2;
const PROBE_RATE = 25;
const SESSIONS = 20;

// Two strong passwords (checked at setup: valid for strength_check, so zxcvbn ≥ 3 and not breached); resets alternate between them.
const PW_A = 'plinth-mango-quasar-7x!';
const PW_B = 'Orbit-lantern-fjord-42';
const other = (pw: string) => (pw === PW_A ? PW_B : PW_A);
/** strength_check input: a typical 12-16 character password. */
const STRENGTH_INPUT = 'quiet-Harbor-58';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-bench-'));
const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  BENCH_TMP_DIR: tmpRoot,
  POSTERN_LOG_LEVEL: 'silent',
  POSTERN_BREACH_CHECK: 'offline',
  // Postern's per-address and per-email limits stay on (their counting is part of each
  // request's cost) but at their maximum, so that one load generator with a few accounts is
  // never refused by them: every 429 in the report is admission control, not a rate limit.
  POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '1000000',
  POSTERN_RATE_LIMIT_IP_PER_MINUTE: '100000000',
};

const children = new Set<ServerChild>();
async function startServer(name: string, script: string, scriptArgs: string[], env: NodeJS.ProcessEnv = baseEnv): Promise<ServerChild> {
  const child = await ServerChild.start(name, new URL(script, import.meta.url), scriptArgs, env);
  children.add(child);
  return child;
}
async function stopServer(child: ServerChild): Promise<void> {
  await child.stop();
  children.delete(child);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

async function call(url: string, init: RequestInit): Promise<{ status: number; body: any; cookies: string[] }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, cookies: res.headers.getSetCookie() };
}

async function expectOk(what: string, p: Promise<{ status: number; body: any; cookies: string[] }>) {
  const r = await p;
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// The hash bound

const execFileP = promisify(execFile);
/** One bound run in a child process, with the other processes' CPU during it. */
async function bound(kind: BoundKind, seconds: number): Promise<BoundResult & { otherCores: number }> {
  const machine = machineDuring(async () => {
    const { stdout } = await execFileP(process.execPath, ['--import', 'tsx', path.join(here, 'hash-bound.ts'), String(seconds), kind], {
      env: baseEnv,
      cwd: root,
      timeout: (seconds + 60) * 1000,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as BoundResult;
  });
  const { value, cores, wallMs } = await machine;
  return { ...value, otherCores: cores - (value.processCpuMs / wallMs) };
}

class BoundScenario {
  readonly results: (BoundResult & { otherCores: number })[] = [];
  quiet = { checked: false, waitedSec: 0, reached: false, busyCores: NaN };
  quietRuns = 0;
  discarded = 0;
  private retries = 0;
  constructor(
    readonly kind: BoundKind,
    readonly seconds: number,
  ) {}

  async measure(round: number): Promise<void> {
    if (round === 1) this.quiet = await waitQuiet();
    for (;;) {
      const q = await waitQuiet(RUN_QUIET_SEC);
      const started = performance.now();
      const r = await bound(this.kind, this.seconds);
      const line = `  ${r.perSecond.toFixed(1)} ops/s on ${r.workers} workers, ${r.cpuMsPerOp.toFixed(2)} ms CPU/op, other ${r.otherCores.toFixed(2)} cores`;
      if (r.otherCores > QUIET_CORES && this.retries < RETRIES.perScenario && retryBudgetSec > 0) {
        this.retries++;
        this.discarded++;
        retryBudgetSec -= (performance.now() - started) / 1000;
        process.stderr.write(`[bound ${this.kind}] round ${round}: DISCARDED (other processes busy)\n${line}\n`);
        continue;
      }
      if (q.reached) this.quietRuns++;
      this.results.push(r);
      process.stderr.write(`[bound ${this.kind}] round ${round}\n${line}\n`);
      return;
    }
  }

  summary(): BoundSummary {
    const ops = this.results.map((r) => r.perSecond);
    return {
      kind: this.kind,
      workers: this.results[0]!.workers,
      perSecond: median(ops),
      spreadPct: spreadPct(ops),
      min: Math.min(...ops),
      max: Math.max(...ops),
      cpuMsPerOp: median(this.results.map((r) => r.cpuMsPerOp)),
      otherCores: median(this.results.map((r) => r.otherCores)),
      quiet: this.quiet,
      quietRuns: this.quietRuns,
      discarded: this.discarded,
    };
  }
}
// The bound's own repeat budget (the scenarios' is in load.ts), in seconds.
let retryBudgetSec = RETRIES.totalSec / 3;

// ---------------------------------------------------------------------------------------------
// Rows for the report

const rows: Row[] = [];
/** A measured scenario and the report rows it becomes. */
interface Planned {
  scenario: Scenario;
  group: string;
  server: string;
}
const planned: Planned[] = [];
function plan(group: string, server: string, name: string, child: ServerChild, specs: LoadSpec[]): void {
  planned.push({ scenario: new Scenario(name, child, specs), group, server });
}

function addRows({ scenario, group, server }: Planned): void {
  const result = scenario.result;
  const cpu = summarizeCpu(result.cpu);
  for (const spec of scenario.specs) {
    rows.push({
      id: `${group}/${spec.label}`,
      scenarioName: result.name,
      group,
      server,
      scenario: spec.label,
      method: `${spec.method ?? 'GET'} ${new URL(spec.url).pathname.replace(/project-test-[\w-]+/, '{project_id}')}`,
      paced: spec.connectionRate ? `${spec.connections} × ${spec.connectionRate}/s` : undefined,
      summary: summarize(result.runs[spec.label]!, spec.connections),
      cpu,
      quiet: result.quiet,
      quietRuns: result.quietRuns,
      discarded: result.discarded,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Postern

interface PosternSetup {
  server: ServerChild;
  projectId: string;
  headers: Record<string, string>;
  authUsers: string[];
  resetUsers: string[];
  sessions: { token: string; jwt: string }[];
}

async function setupPostern(): Promise<PosternSetup> {
  const server = await startServer('postern', './postern-server.ts', [], { ...baseEnv, POSTERN_DATA_DIR: path.join(tmpRoot, 'postern') });
  const projectId = server.ready.projectId as string;
  const secret = server.ready.secret as string;
  const headers = {
    'content-type': 'application/json',
    authorization: 'Basic ' + Buffer.from(`${projectId}:${secret}`).toString('base64'),
  };
  const post = (p: string, body: unknown) => call(server.url + p, { method: 'POST', headers, body: JSON.stringify(body) });
  for (const pw of [PW_A, PW_B, STRENGTH_INPUT]) {
    const r = await expectOk('strength_check', post('/v1/passwords/strength_check', { password: pw }));
    if (r.body.valid_password !== true) throw new Error(`bench password ${pw} is not accepted: ${JSON.stringify(r.body)}`);
  }
  const create = async (email: string): Promise<{ session_token: string; session_jwt: string }> =>
    (await expectOk(`create ${email}`, post('/v1/passwords', { email, password: PW_A, session_duration_minutes: 60 }))).body as {
      session_token: string;
      session_jwt: string;
    };
  const authUsers = Array.from({ length: PASSWORD_CONNECTIONS }, (_, i) => `auth${i}@bench.example.com`);
  const resetUsers = Array.from({ length: PASSWORD_CONNECTIONS * (Scenario.maxAttempts(PLAN) + 1) }, (_, i) => `reset${i}@bench.example.com`);
  const sessionUsers = Array.from({ length: SESSIONS }, (_, i) => `session${i}@bench.example.com`);
  process.stderr.write(`postern: creating ${authUsers.length + resetUsers.length + sessionUsers.length} users\n`);
  await mapLimit([...authUsers, ...resetUsers], PASSWORD_CONNECTIONS, create);
  const sessions = (await mapLimit(sessionUsers, PASSWORD_CONNECTIONS, create)).map((b) => ({ token: b.session_token, jwt: b.session_jwt }));
  return { server, projectId, headers, authUsers, resetUsers, sessions };
}

function posternSpecs(s: PosternSetup) {
  const url = (p: string) => s.server.url + p;
  const json = (path: string, body: unknown): Request => ({ method: 'POST', path, headers: s.headers, body: JSON.stringify(body) });
  const jwks: LoadSpec = { label: 'JWKS', url: url(`/v1/sessions/jwks/${s.projectId}`), connections: CHEAP_CONNECTIONS };
  const strength: LoadSpec = {
    label: 'strength_check',
    url: url('/v1/passwords/strength_check'),
    method: 'POST',
    headers: s.headers,
    body: JSON.stringify({ password: STRENGTH_INPUT }),
    connections: CHEAP_CONNECTIONS,
  };
  const sessionBy = (label: string, field: 'token' | 'jwt', connections: number, connectionRate?: number): LoadSpec => ({
    label,
    url: url('/v1/sessions/authenticate'),
    method: 'POST',
    connections,
    connectionRate,
    requestsFor: (c) => {
      const session = s.sessions[c % s.sessions.length]!;
      return [json('/v1/sessions/authenticate', field === 'token' ? { session_token: session.token } : { session_jwt: session.jwt })];
    },
  });
  const authenticate: LoadSpec = {
    label: 'authenticate',
    url: url('/v1/passwords/authenticate'),
    method: 'POST',
    connections: PASSWORD_CONNECTIONS,
    requestsFor: (c) => [json('/v1/passwords/authenticate', { email: s.authUsers[c % s.authUsers.length], password: PW_A, session_duration_minutes: 60 })],
  };
  // The same login without a session: no session row, no JWT to sign. Beside the row above it
  // shows what the session and its RS256 signature cost, and what the rest of the route costs.
  const authenticateNoSession: LoadSpec = {
    label: 'authenticate (no session)',
    url: url('/v1/passwords/authenticate'),
    method: 'POST',
    connections: PASSWORD_CONNECTIONS,
    requestsFor: (c) => [json('/v1/passwords/authenticate', { email: s.authUsers[c % s.authUsers.length], password: PW_A })],
  };
  const reset: LoadSpec = {
    label: 'existing_password/reset',
    url: url('/v1/passwords/existing_password/reset'),
    method: 'POST',
    connections: PASSWORD_CONNECTIONS,
    // A fresh user per connection and attempt, so a reset cut short at the end of a run cannot
    // leave the next run guessing the password. A 401 means the last reset landed after all.
    requestsFor: (c, run) => {
      const email = s.resetUsers[run * PASSWORD_CONNECTIONS + c];
      if (!email) throw new Error(`no reset user for connection ${c} of attempt ${run}`);
      const state = { current: PW_A };
      return [
        {
          method: 'POST',
          path: '/v1/passwords/existing_password/reset',
          headers: s.headers,
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ email, existing_password: state.current, new_password: other(state.current), session_duration_minutes: 60 }),
          }),
          onResponse: (status) => {
            if (status === 200 || status === 401) state.current = other(state.current);
          },
        },
      ];
    },
  };
  return {
    jwks,
    strength,
    sessionToken: sessionBy('sessions/authenticate (token)', 'token', CHEAP_CONNECTIONS),
    sessionJwt: sessionBy('sessions/authenticate (JWT)', 'jwt', CHEAP_CONNECTIONS),
    authenticate,
    authenticateNoSession,
    reset,
    jwksProbe: { ...jwks, label: 'JWKS (paced)', connections: PROBE_CONNECTIONS, connectionRate: PROBE_RATE } satisfies LoadSpec,
    sessionProbe: sessionBy('sessions/authenticate token (paced)', 'token', PROBE_CONNECTIONS, PROBE_RATE),
  };
}

// ---------------------------------------------------------------------------------------------
// better-auth

async function setupBetterAuth(mode: 'default' | 'argon2'): Promise<void> {
  const group = `better-auth-${mode}`;
  const server = await startServer(group, './better-auth-server.ts', [mode]);
  {
    const base = server.url;
    const jsonHeaders = { 'content-type': 'application/json', origin: base };
    const signUp = async (email: string) => {
      const r = await expectOk(
        `sign-up ${email}`,
        call(`${base}/api/auth/sign-up/email`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ email, password: PW_A, name: 'Bench' }) }),
      );
      const cookie = r.cookies.map((c) => c.split(';', 1)[0]).join('; ');
      if (!cookie.includes('session_token')) throw new Error(`sign-up ${email}: no session cookie`);
      return cookie;
    };
    const signInUsers = Array.from({ length: PASSWORD_CONNECTIONS }, (_, i) => `signin${i}@bench.example.com`);
    const changeUsers = Array.from({ length: PASSWORD_CONNECTIONS * (Scenario.maxAttempts(PLAN) + 1) }, (_, i) => `change${i}@bench.example.com`);
    const sessionUsers = Array.from({ length: SESSIONS }, (_, i) => `session${i}@bench.example.com`);
    process.stderr.write(`${group}: creating ${signInUsers.length + changeUsers.length + sessionUsers.length} users\n`);
    await mapLimit(signInUsers, PASSWORD_CONNECTIONS, signUp);
    const changeCookies = await mapLimit(changeUsers, PASSWORD_CONNECTIONS, signUp);
    const sessionCookies = await mapLimit(sessionUsers, PASSWORD_CONNECTIONS, signUp);

    const getSession: LoadSpec = {
      label: 'get-session',
      url: `${base}/api/auth/get-session`,
      connections: CHEAP_CONNECTIONS,
      requestsFor: (c) => [{ method: 'GET', path: '/api/auth/get-session', headers: { cookie: sessionCookies[c % sessionCookies.length]!, origin: base } }],
    };
    const signIn: LoadSpec = {
      label: 'sign-in',
      url: `${base}/api/auth/sign-in/email`,
      method: 'POST',
      connections: PASSWORD_CONNECTIONS,
      requestsFor: (c) => [
        { method: 'POST', path: '/api/auth/sign-in/email', headers: jsonHeaders, body: JSON.stringify({ email: signInUsers[c % signInUsers.length], password: PW_A }) },
      ],
    };
    const changePassword: LoadSpec = {
      label: 'change-password',
      url: `${base}/api/auth/change-password`,
      method: 'POST',
      connections: PASSWORD_CONNECTIONS,
      requestsFor: (c, run) => {
        const cookie = changeCookies[run * PASSWORD_CONNECTIONS + c];
        if (!cookie) throw new Error(`no change-password user for connection ${c} of attempt ${run}`);
        const state = { current: PW_A };
        return [
          {
            method: 'POST',
            path: '/api/auth/change-password',
            headers: { ...jsonHeaders, cookie },
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ currentPassword: state.current, newPassword: other(state.current) }) }),
            onResponse: (status) => {
              if (status === 200) state.current = other(state.current);
            },
          },
        ];
      },
    };
    for (const spec of [getSession, signIn, changePassword]) {
      plan(group, mode === 'default' ? 'better-auth (scrypt defaults)' : 'better-auth (argon2id = Postern)', `${group} ${spec.label}`, server, [spec]);
    }
  }
}

// ---------------------------------------------------------------------------------------------

function packageVersion(name: string): string {
  try {
    const file = name === 'postern' ? path.join(root, 'package.json') : path.join(root, 'node_modules', name, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = new Date();
  setQuietBudget(QUIET.perWaitSec, QUIET.totalSec);
  setRetryBudget(RETRIES.perScenario, (RETRIES.totalSec * 2) / 3);
  const loadBefore = os.loadavg();
  // The parameters every child reads from this same environment (the server reports its own).
  const argon2 = loadConfig(baseEnv).argon2;

  // Setup: every server up (each in its own process, idle until measured), accounts created.
  const bounds: BoundScenario[] = runs('bound')
    ? [new BoundScenario('argon2', PLAN.runSec), new BoundScenario('scrypt', PLAN.runSec), new BoundScenario('rs256', Math.max(1, PLAN.runSec / 2))]
    : [];
  if (runs('fastify')) {
    const server = await startServer('fastify', './fastify-server.ts', []);
    plan('fastify', `Fastify ${packageVersion('fastify')}`, 'fastify empty route', server, [{ label: 'empty route', url: `${server.url}/`, connections: CHEAP_CONNECTIONS }]);
  }
  if (runs('postern') || runs('flood')) {
    const setup = await setupPostern();
    if (JSON.stringify(setup.server.ready.argon2) !== JSON.stringify(argon2)) {
      throw new Error(`Postern runs with argon2 ${JSON.stringify(setup.server.ready.argon2)}, the bound with ${JSON.stringify(argon2)}`);
    }
    const s = posternSpecs(setup);
    if (runs('postern')) {
      for (const spec of [s.jwks, s.strength, s.sessionToken, s.sessionJwt, s.authenticate, s.authenticateNoSession, s.reset]) plan('postern', 'Postern', `postern ${spec.label}`, setup.server, [spec]);
    }
    if (runs('flood')) {
      const probes = [s.jwksProbe, s.sessionProbe];
      plan('idle', 'Postern', 'postern paced probes, idle', setup.server, probes);
      plan('flood', 'Postern', 'postern paced probes during an authenticate flood', setup.server, [...probes, { ...s.authenticate, label: 'authenticate (flood)' }]);
    }
  }
  if (runs('better-auth-default')) await setupBetterAuth('default');
  if (runs('better-auth-argon2')) await setupBetterAuth('argon2');

  // Warm-up once per scenario, then the measured runs round by round: one run of every
  // scenario (and of every bound) per round, so that outside load spreads over all of them.
  process.stderr.write('\n== warm-up\n');
  for (const p of planned) await p.scenario.warmUp(PLAN);
  for (let round = 1; round <= PLAN.runs; round++) {
    process.stderr.write(`\n== round ${round} of ${PLAN.runs}\n`);
    for (const b of bounds) await b.measure(round);
    for (const p of planned) await p.scenario.measure(PLAN, round);
  }
  for (const p of planned) addRows(p);
  const boundSummaries: Partial<Record<BoundKind, BoundSummary>> = Object.fromEntries(bounds.map((b) => [b.kind, b.summary()]));
  for (const child of [...children]) await stopServer(child);

  const cpus = os.cpus();
  const data: BenchData = {
    date: started.toISOString(),
    minutes: (Date.now() - started.getTime()) / 60_000,
    quick: QUICK,
    plan: PLAN,
    quietBudget: QUIET,
    retryBudget: RETRIES,
    connections: { password: PASSWORD_CONNECTIONS, cheap: CHEAP_CONNECTIONS, probe: PROBE_CONNECTIONS, probeRate: PROBE_RATE },
    machine: {
      cpuModel: cpus[0]?.model ?? 'unknown',
      cores: CORES,
      memGiB: os.totalmem() / 2 ** 30,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
      loadBefore,
      loadAfter: os.loadavg(),
    },
    versions: Object.fromEntries(
      ['postern', 'fastify', '@node-rs/argon2', 'better-sqlite3', 'kysely', 'jose', 'better-auth', 'autocannon'].map((n) => [n, packageVersion(n)]),
    ),
    argon2,
    bounds: boundSummaries,
    rows,
  };
  if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify(data, null, 2) + '\n');
  const report = renderReport(data);
  process.stdout.write('\n' + report + '\n');
  if (WRITE) {
    writeBlock(path.join(root, 'docs', 'benchmarks.md'), 'bench', report);
    process.stderr.write('\nwrote docs/benchmarks.md\n');
  }
}

process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted: stopping the servers\n');
  void Promise.allSettled([...children].map((c) => c.stop())).finally(() => {
    fs.rmSync(tmpRoot, { recursive: true, force: true });
    process.exit(130);
  });
});

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  for (const child of children) await child.stop().catch(() => {});
  fs.rmSync(tmpRoot, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
