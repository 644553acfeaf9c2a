/**
 * The markdown written into docs/benchmarks.md between `<!-- bench:start -->` and
 * `<!-- bench:end -->`. Every number comes from the run's data; the "why" of a missed target
 * is stated from the run's own measurements (CPU split, CPU per request, the bounds).
 */
import fs from 'node:fs';
import type { BoundKind } from '../hash-bound.js';
import { QUIET_CORES, RUN_QUIET_SEC, type CpuSummary, type Plan, type QuietWait, type Summary } from './load.js';
import { ELD_RESOLUTION_MS } from './probe.js';
import { fmt } from './stats.js';

export interface BoundSummary {
  kind: BoundKind;
  workers: number;
  perSecond: number;
  spreadPct: number;
  min: number;
  max: number;
  cpuMsPerOp: number;
  /** Median over the runs of the machine's busy cores not used by the bound's process. */
  otherCores: number;
  quiet: QuietWait;
  quietRuns: number;
  discarded: number;
}

export interface Row {
  id: string;
  /** The scenario (one server probe window) this row was measured in; several specs may share one. */
  scenarioName: string;
  group: string;
  server: string;
  scenario: string;
  method: string;
  /** Paced load: "connections × rate/s". */
  paced?: string | undefined;
  summary: Summary;
  cpu: CpuSummary;
  quiet: QuietWait;
  quietRuns: number;
  discarded: number;
}

export interface BenchData {
  date: string;
  minutes: number;
  quick: boolean;
  plan: Plan;
  quietBudget: { perWaitSec: number; totalSec: number };
  retryBudget: { perScenario: number; totalSec: number };
  connections: { password: number; cheap: number; probe: number; probeRate: number };
  machine: {
    cpuModel: string;
    cores: number;
    memGiB: number;
    os: string;
    node: string;
    uvThreadpoolSize: string;
    loadBefore: number[];
    loadAfter: number[];
  };
  versions: Record<string, string>;
  argon2: { memoryKiB: number; iterations: number; parallelism: number };
  bounds: Partial<Record<BoundKind, BoundSummary>>;
  rows: Row[];
}

const pct = (x: number) => (Number.isFinite(x) ? `${fmt(x * 100)}%` : 'n/a');
const ratio = (x: number) => (Number.isFinite(x) ? `${fmt(x)}×` : 'n/a');
const ms = (x: number) => fmt(x);

function table(header: string[], body: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** CPU milliseconds the server spent per successful request. */
function cpuPerRequest(row: Row): number {
  return (row.cpu.serverCores * 1000) / row.summary.rps;
}

function rpsCell(s: Summary): string {
  return `${fmt(s.rps)} (${fmt(s.rpsMin)}–${fmt(s.rpsMax)}, ±${fmt(s.rpsSpreadPct, 2)}%)`;
}

function badCell(s: Summary): string {
  const codes = Object.entries(s.statuses)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `${n}×${code}`);
  const parts = [...codes, ...(s.errors > 0 ? [`${s.errors} errors`] : [])];
  return parts.length ? parts.join(', ') : '0';
}

function otherCores(row: Row): number {
  return row.cpu.machineCores - row.cpu.serverCores - row.cpu.loadGenCores;
}

export function renderReport(d: BenchData): string {
  const find = (id: string) => d.rows.find((r) => r.id === id);
  const H = d.bounds.argon2?.perSecond ?? NaN;
  const hashMs = d.bounds.argon2?.cpuMsPerOp ?? NaN;
  const scryptH = d.bounds.scrypt?.perSecond ?? NaN;
  const rsa = d.bounds.rs256?.perSecond ?? NaN;
  const ceiling = find('fastify/empty route')?.summary.rps ?? NaN;
  const cores = d.machine.cores;

  /** The bound of a row, with its label, or undefined. */
  const boundOf = (row: Row): { value: number; label: string } | undefined => {
    const bySession = Math.min(ceiling, rsa);
    switch (row.id) {
      case 'postern/authenticate':
      case 'postern/authenticate (no session)':
      case 'flood/authenticate (flood)':
      case 'better-auth-argon2/sign-in':
        return { value: H, label: 'argon2id hashes/s' };
      case 'postern/existing_password/reset':
      case 'better-auth-argon2/change-password':
        return { value: H / 2, label: 'argon2id hashes/s ÷ 2' };
      case 'better-auth-default/sign-in':
        return { value: scryptH, label: 'scrypt hashes/s' };
      case 'better-auth-default/change-password':
        return { value: scryptH / 2, label: 'scrypt hashes/s ÷ 2' };
      case 'postern/JWKS':
      case 'postern/strength_check':
      case 'better-auth-default/get-session':
      case 'better-auth-argon2/get-session':
        return { value: ceiling, label: 'empty Fastify route' };
      case 'postern/sessions/authenticate (token)':
      case 'postern/sessions/authenticate (JWT)':
        return { value: bySession, label: bySession === rsa ? 'RS256 signatures/s' : 'empty Fastify route' };
      default:
        return undefined;
    }
  };

  /** Hashes per request of the password rows, and the CPU ms of one such hash. */
  const hashingOf = (row: Row): { hashes: number; ms: number } | undefined => {
    const scryptMs = d.bounds.scrypt?.cpuMsPerOp ?? NaN;
    switch (row.id) {
      case 'postern/authenticate':
      case 'postern/authenticate (no session)':
      case 'flood/authenticate (flood)':
      case 'better-auth-argon2/sign-in':
        return { hashes: 1, ms: hashMs };
      case 'postern/existing_password/reset':
      case 'better-auth-argon2/change-password':
        return { hashes: 2, ms: hashMs };
      case 'better-auth-default/sign-in':
        return { hashes: 1, ms: scryptMs };
      case 'better-auth-default/change-password':
        return { hashes: 2, ms: scryptMs };
      default:
        return undefined;
    }
  };

  const scenarioRows = (rs: Row[]) =>
    rs.map((r) => {
      const b = boundOf(r);
      const h = hashingOf(r);
      return [
        `${r.scenario}<br>\`${r.method}\``,
        r.paced ?? String(r.summary.connections),
        rpsCell(r.summary),
        ms(r.summary.p50Ms),
        ms(r.summary.p99Ms),
        badCell(r.summary),
        fmt(r.cpu.serverCores),
        fmt(cpuPerRequest(r)),
        h ? pct((h.hashes * h.ms) / cpuPerRequest(r)) : '',
        ms(r.cpu.eldP99Ms),
        b ? `${fmt(b.value)} (${b.label})` : '',
        b ? pct(r.summary.rps / b.value) : '',
      ];
    });
  const scenarioHeader = [
    'scenario',
    'connections',
    'req/s median (min–max, spread)',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'server CPU (cores)',
    'server CPU ms/request',
    'hashing ÷ server CPU',
    'event-loop delay p99 ms',
    'bound req/s',
    'of bound',
  ];
  const quietRunsCell = (x: { quiet: QuietWait; quietRuns: number; discarded: number }) =>
    x.quiet.checked ? `${x.quietRuns}/${d.plan.runs}; ${x.discarded}` : 'not checked';

  const out: string[] = [];
  const when = d.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  out.push('## Server benchmarks');
  out.push('');
  out.push(
    `Written by \`npm run bench\` (bench/run.ts) on ${when}: ${d.quick ? '**quick smoke run**, ' : ''}every server up in its own process, ` +
      `a warm-up of ${d.plan.warmupSec} s per scenario, then ${d.plan.runs} rounds, each measuring every bound and every scenario once ` +
      `for ${d.plan.runSec} s (interleaved, so that outside load on this shared machine falls on all of them alike). Medians are ` +
      `reported with the min–max range and the spread (half the range over the median). The whole run took ${fmt(d.minutes, 2)} minutes. ` +
      `Method and targets: the performance design note (compare numbers of one run with each other, not across runs).`,
  );
  out.push('');
  const others = d.rows.map((r) => otherCores(r)).filter((x) => Number.isFinite(x));
  const otherMedian = others.length ? others.sort((a, b) => a - b)[others.length >> 1]! : NaN;
  if (otherMedian > QUIET_CORES) {
    out.push(
      `**This run was disturbed:** other processes on this shared machine used a median of ${fmt(otherMedian)} of its ${cores} cores during the ` +
        'measured runs (see "CPU around each scenario"), so every server got less CPU than the bounds assume and latencies include waiting ' +
        'for a core. Ratios between scenarios of this run remain roughly comparable (rounds interleave them); absolute figures do not.',
    );
    out.push('');
  }
  out.push('### Machine, versions, parameters');
  out.push('');
  const v = d.versions;
  out.push(
    table(
      ['', ''],
      [
        ['CPU', `${d.machine.cores} × ${d.machine.cpuModel}`],
        ['memory', `${fmt(d.machine.memGiB)} GiB`],
        ['OS', d.machine.os],
        ['Node', `${d.machine.node}; libuv thread pool ${d.machine.uvThreadpoolSize}`],
        ['load average (1 min) before / after', `${fmt(d.machine.loadBefore[0]!)} / ${fmt(d.machine.loadAfter[0]!)}`],
        ['Postern', `${v.postern} from source (tsx); Fastify ${v.fastify}, @node-rs/argon2 ${v['@node-rs/argon2']}, better-sqlite3 ${v['better-sqlite3']}, Kysely ${v.kysely}, jose ${v.jose}`],
        ['peer', `better-auth ${v['better-auth']} on node:http (\`toNodeHandler\`), better-sqlite3, rate limiter off`],
        [
          'load generator',
          `autocannon ${v.autocannon}, programmatic, in the parent process, 127.0.0.1; password routes ${d.connections.password} connections ` +
            `(4 × cores), cheap routes ${d.connections.cheap}, paced probes ${d.connections.probe} connections × ${d.connections.probeRate} req/s`,
        ],
        ['argon2id', d.argon2 ? `m = ${d.argon2.memoryKiB} KiB, t = ${d.argon2.iterations}, p = ${d.argon2.parallelism} (Postern's configuration; better-auth's argon2id run uses the same)` : 'n/a'],
        ['better-auth default hash', 'scrypt N = 2^14, r = 16, p = 1, 64 bytes (node:crypto, libuv thread pool)'],
        ['storage', 'SQLite file in a temp dir, WAL, synchronous = NORMAL, for both servers'],
        [
          'Postern settings',
          'POSTERN_BREACH_CHECK=offline, POSTERN_LOG_LEVEL=silent, rate limits on but at their maximum (POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE=1000000, ' +
            'POSTERN_RATE_LIMIT_IP_PER_MINUTE=100000000: counted in SQLite on every password route, never reached); new projects\' default settings',
        ],
        [
          'server CPU, event-loop delay',
          `measured inside each server process: \`process.cpuUsage()\` (all threads) over wall time; \`monitorEventLoopDelay\` ` +
            `(resolution ${ELD_RESOLUTION_MS} ms, subtracted). Latencies: 2xx responses only, per request, from autocannon's response events.`,
        ],
      ],
    ),
  );
  out.push('');

  out.push('### The bounds, measured in the same run');
  out.push('');
  const boundRow = (label: string, b: BoundSummary | undefined, per: string) =>
    b ? [label, `${fmt(b.perSecond)} ${per} (${fmt(b.min)}–${fmt(b.max)}, ±${fmt(b.spreadPct, 2)}%)`, fmt(b.cpuMsPerOp), fmt(Math.max(0, b.otherCores)), quietRunsCell(b)] : [label, 'not run', '', '', ''];
  const ceilingRow = find('fastify/empty route');
  out.push(
    table(
      ['primitive', `on every core (${cores} worker threads, tight loop)`, 'CPU ms per operation', 'other processes (cores)', 'runs started quiet; discarded'],
      [
        boundRow("argon2id, Postern's parameters (`@node-rs/argon2` hashSync)", d.bounds.argon2, 'hashes/s'),
        boundRow("scrypt, better-auth's defaults (its own `hashPassword`)", d.bounds.scrypt, 'hashes/s'),
        boundRow('RS256 signature, 2048-bit key (node:crypto)', d.bounds.rs256, 'signatures/s'),
        ceilingRow
          ? [
              `empty Fastify route \`GET /\` → \`{}\` (${ceilingRow.summary.connections} connections, server in its own process)`,
              `${rpsCell(ceilingRow.summary)} req/s, p50 ${ms(ceilingRow.summary.p50Ms)} ms, p99 ${ms(ceilingRow.summary.p99Ms)} ms`,
              `${fmt(cpuPerRequest(ceilingRow))} (server ${fmt(ceilingRow.cpu.serverCores)} cores, load generator ${fmt(ceilingRow.cpu.loadGenCores)})`,
              fmt(Math.max(0, otherCores(ceilingRow))),
              quietRunsCell(ceilingRow),
            ]
          : ['empty Fastify route', 'not run', '', '', ''],
      ],
    ),
  );
  out.push('');
  out.push(
    'Bounds: authenticate = argon2id hashes/s (one verify); existing-password reset = hashes/s ÷ 2 (verify + new hash); ' +
      'JWKS and strength_check = the empty Fastify route; session authenticate = the lower of the empty route and RS256 signatures/s ' +
      '(one fresh JWT per call). better-auth: sign-in = its hash/s, change-password = its hash/s ÷ 2.',
  );
  out.push('');

  const postern = d.rows.filter((r) => r.group === 'postern');
  if (postern.length) {
    out.push('### Postern');
    out.push('');
    out.push(table(scenarioHeader, scenarioRows(postern)));
    out.push('');
    out.push(
      'authenticate and reset send `session_duration_minutes: 60` (each call starts a session and signs a JWT; "authenticate (no ' +
        'session)" is the same login without it); each reset connection ' +
        'has its own user (fresh users for every run) and alternates between two strong passwords. Session authenticate: 20 live ' +
        'sessions, no extension. strength_check: a 15-character password.',
    );
    out.push('');
  }
  const ba = d.rows.filter((r) => r.group.startsWith('better-auth'));
  if (ba.length) {
    out.push('### better-auth, side by side');
    out.push('');
    out.push(table(['server', ...scenarioHeader], ba.map((r) => [r.server, ...scenarioRows([r])[0]!]).map((cells, i) => (i > 0 && ba[i - 1]!.server === ba[i]!.server ? ['', ...cells.slice(1)] : cells))));
    out.push('');
    out.push(
      'change-password carries the session cookie and `{currentPassword, newPassword}` (better-auth keeps the other sessions by default); ' +
        'sign-in creates a session like Postern\'s authenticate; get-session reads one of 20 sessions by cookie.',
    );
    out.push('');
  }

  const idle = d.rows.filter((r) => r.group === 'idle');
  const flood = d.rows.filter((r) => r.group === 'flood');
  if (idle.length && flood.length) {
    out.push('### Cheap routes during a password flood');
    out.push('');
    const pair = (label: string) => ({ idle: idle.find((r) => r.scenario === label), flood: flood.find((r) => r.scenario === label) });
    const probeRows = idle.map((i) => {
      const f = pair(i.scenario).flood!;
      return [
        i.scenario,
        i.paced ?? '',
        ms(i.summary.p50Ms),
        ms(i.summary.p99Ms),
        ms(f.summary.p50Ms),
        ms(f.summary.p99Ms),
        ratio(f.summary.p99Ms / i.summary.p99Ms),
        `${badCell(i.summary)} / ${badCell(f.summary)}`,
      ];
    });
    out.push(table(['probe', 'paced load', 'idle p50 ms', 'idle p99 ms', 'flood p50 ms', 'flood p99 ms', 'p99 flood ÷ idle', 'non-2xx idle / flood'], probeRows));
    out.push('');
    const fa = flood.find((r) => r.scenario === 'authenticate (flood)');
    const idleCpu = idle[0]!.cpu;
    if (fa) {
      out.push(
        `The flood: authenticate at ${fa.summary.connections} connections, ${fmt(fa.summary.rps)} req/s (${pct(fa.summary.rps / H)} of the hash bound), ` +
          `p99 ${ms(fa.summary.p99Ms)} ms, non-2xx ${badCell(fa.summary)}; server CPU ${fmt(fa.cpu.serverCores)} cores, event-loop delay p99 ` +
          `${ms(fa.cpu.eldP99Ms)} ms (max ${ms(fa.cpu.eldMaxMs)} ms). Idle: server CPU ${fmt(idleCpu.serverCores)} cores, event-loop delay p99 ${ms(idleCpu.eldP99Ms)} ms. ` +
          'The probes are sequential per connection and paced (autocannon `connectionRate`, coordinated-omission correction off), ' +
          'and run in both phases at the same rate.',
      );
      out.push('');
    }
  }

  // ------------------------------------------------------------------------------ targets
  type Target = { name: string; measured: string; goal: string; met: boolean | null; why: string };
  const targets: Target[] = [];
  /** A target whose measured value is not a finite number was not measured (e.g. no request completed). */
  const push = (t: Target, value: number) => {
    targets.push(Number.isFinite(value) && value > 0 ? t : { ...t, met: null, why: 'not measured in this run (no successful request in a scenario it needs)' });
  };
  const cpuSplit = (r: Row) =>
    `server ${fmt(r.cpu.serverCores)} of ${cores} cores, load generator ${fmt(r.cpu.loadGenCores)}, other processes ${fmt(Math.max(0, otherCores(r)))} (machine ${fmt(r.cpu.machineCores)})`;
  const auth = find('postern/authenticate');
  const reset = find('postern/existing_password/reset');
  const noSession = find('postern/authenticate (no session)');
  const rsaMs = d.bounds.rs256?.cpuMsPerOp ?? NaN;
  /** What the one RS256 signature per call alone leaves of the bound, and the login without a session. */
  const jwtCap = (hashes: number) =>
    `One RS256 signature costs ${fmt(rsaMs)} ms of CPU in this run, so a route that signs one JWT per call can reach at most ` +
    `${pct((hashes * hashMs) / (hashes * hashMs + rsaMs))} of the bound even if everything else were free` +
    (noSession && hashes === 1
      ? `; the same login without a session reaches ${pct(noSession.summary.rps / H)} (${fmt(noSession.summary.rps)} req/s, ${fmt(cpuPerRequest(noSession))} ms of server CPU per request).`
      : '.');
  for (const [row, hashes] of [
    [auth, 1],
    [reset, 2],
  ] as const) {
    if (!row) continue;
    const b = boundOf(row)!;
    const r = row.summary.rps / b.value;
    const perReq = cpuPerRequest(row);
    push({
      name: `${row.scenario}: share of the hash bound`,
      measured: `${pct(r)} (${fmt(row.summary.rps)} of ${fmt(b.value)} req/s)`,
      goal: '≥ 95%',
      met: r >= 0.95,
      why:
        r >= 0.95
          ? ''
          : `${fmt((0.95 - r) * 100)} points short. ${cpuSplit(row)}; server CPU per request ${fmt(perReq)} ms against ${hashes} × ${fmt(hashMs)} ms ` +
            `of argon2id = ${fmt(hashes * hashMs)} ms (${fmt(perReq - hashes * hashMs)} ms, ${pct((perReq - hashes * hashMs) / perReq)} of it, is everything else). ` +
            'The bound\'s threads do nothing but hash; here HTTP, SQLite, the JWT and the load generator take their share of the same cores. ' +
            jwtCap(hashes),
    }, r);
    const implied = (row.summary.connections / row.summary.rps) * 1000;
    const okLatency = row.summary.errors === 0 && row.summary.p99Ms <= 2 * implied;
    push({
      name: `${row.scenario}: p99 under saturation`,
      measured: `p99 ${ms(row.summary.p99Ms)} ms, queue-implied ${ms(implied)} ms (connections ÷ req/s); ${row.summary.errors} errors/timeouts, non-2xx ${badCell(row.summary)}`,
      goal: 'no timeouts, p99 ≤ 2 × queue-implied',
      met: okLatency,
      why: okLatency ? '' : `p99 is ${ratio(row.summary.p99Ms / implied)} the queue-implied latency (p50 ${ms(row.summary.p50Ms)} ms); ${cpuSplit(row)}.`,
    }, row.summary.p99Ms);
  }
  const baRow = (mode: string, scenario: string) => find(`better-auth-${mode}/${scenario}`);
  for (const [mode, goal] of [
    ['default', 7],
    ['argon2', 1],
  ] as const) {
    const peer = baRow(mode, 'change-password');
    if (!reset || !peer) continue;
    const r = reset.summary.rps / peer.summary.rps;
    push({
      name: `reset ÷ better-auth change-password (${mode === 'default' ? 'its defaults' : 'equal argon2id'})`,
      measured: `${ratio(r)} (${fmt(reset.summary.rps)} ÷ ${fmt(peer.summary.rps)} req/s)`,
      goal: `≥ ${goal}×`,
      met: r >= goal,
      why:
        r >= goal
          ? ''
          : `${pct(1 - r / goal)} short. CPU per request: Postern ${fmt(cpuPerRequest(reset))} ms, better-auth ${fmt(cpuPerRequest(peer))} ms; ` +
            (mode === 'default'
              ? `the hashes alone: 2 × ${fmt(hashMs)} ms argon2id against 2 × ${fmt(d.bounds.scrypt?.cpuMsPerOp ?? NaN)} ms scrypt, i.e. at most ${ratio(scryptH ? H / scryptH : NaN)} from hashing; `
              : '') +
            `Postern ${cpuSplit(reset)}; better-auth ${cpuSplit(peer)}.`,
    }, r);
  }
  const getSession = baRow('default', 'get-session') ?? baRow('argon2', 'get-session');
  for (const id of ['postern/sessions/authenticate (token)', 'postern/sessions/authenticate (JWT)']) {
    const row = find(id);
    if (!row || !getSession) continue;
    const r = row.summary.rps / getSession.summary.rps;
    push({
      name: `${row.scenario} ÷ better-auth get-session`,
      measured: `${ratio(r)} (${fmt(row.summary.rps)} ÷ ${fmt(getSession.summary.rps)} req/s)`,
      goal: '≥ 2×',
      met: r >= 2,
      why:
        r >= 2
          ? ''
          : `${pct(1 - r / 2)} short. CPU per request: Postern ${fmt(cpuPerRequest(row))} ms (one RS256 signature alone is ${fmt(d.bounds.rs256?.cpuMsPerOp ?? NaN)} ms), ` +
            `better-auth ${fmt(cpuPerRequest(getSession))} ms (no signature). Postern ${cpuSplit(row)}; better-auth ${cpuSplit(getSession)}.`,
    }, r);
  }
  const hashing = [auth, reset, find('flood/authenticate (flood)')].filter((r): r is Row => r !== undefined);
  if (hashing.length) {
    const worst = hashing.reduce((a, b) => (b.cpu.eldP99Ms > a.cpu.eldP99Ms ? b : a));
    push({
      name: 'event-loop delay p99 under full hashing load',
      measured: `${ms(worst.cpu.eldP99Ms)} ms (worst of ${hashing.map((r) => `${r.group === 'flood' ? 'flood' : r.scenario} ${ms(r.cpu.eldP99Ms)}`).join(', ')}); max ${ms(worst.cpu.eldMaxMs)} ms`,
      goal: '≤ 10 ms',
      met: worst.cpu.eldP99Ms <= 10,
      why: worst.cpu.eldP99Ms <= 10 ? '' : `${ms(worst.cpu.eldP99Ms - 10)} ms over, during ${worst.scenario}; ${cpuSplit(worst)}.`,
    }, worst.cpu.eldP99Ms + 1);
  }
  for (const label of ['JWKS (paced)', 'sessions/authenticate token (paced)']) {
    const i = idle.find((r) => r.scenario === label);
    const f = flood.find((r) => r.scenario === label);
    if (!i || !f) continue;
    const r = f.summary.p99Ms / i.summary.p99Ms;
    push({
      name: `${label.replace(' (paced)', '')} p99 during a password flood`,
      measured: `${ratio(r)} of idle (${ms(i.summary.p99Ms)} → ${ms(f.summary.p99Ms)} ms)`,
      goal: '≤ 2×',
      met: r <= 2,
      why:
        r <= 2
          ? ''
          : `${ratio(r / 2)} over the goal. During the flood ${cpuSplit(f)}; the server's event-loop delay p99 was ${ms(f.cpu.eldP99Ms)} ms ` +
            `(idle ${ms(i.cpu.eldP99Ms)} ms) and p50 of this probe ${ms(f.summary.p50Ms)} ms (idle ${ms(i.summary.p50Ms)} ms)` +
            (f.cpu.eldP99Ms > 2 * Math.max(i.cpu.eldP99Ms, 1) ? ': the event loop itself answers late while the hashes run.' : '.'),
    }, r);
  }
  if (targets.length) {
    out.push('### Targets');
    out.push('');
    out.push(
      table(
        ['target', 'measured', 'goal', 'result', 'by how much and why (from this run)'],
        targets.map((t) => [t.name, t.measured, t.goal, t.met === null ? 'not measured' : t.met ? 'met' : '**missed**', t.why]),
      ),
    );
    out.push('');
  }

  out.push('### CPU around each scenario');
  out.push('');
  out.push(
    table(
      ['scenario', 'server', 'runs started quiet; discarded', 'server CPU (cores)', 'load generator (cores)', 'other processes (cores)', 'machine busy (cores)', 'server RSS MiB (max)'],
      d.rows
        .filter((r, i, all) => all.findIndex((x) => x.scenarioName === r.scenarioName) === i)
        .map((r) => [
          r.group === 'idle' || r.group === 'flood' ? `${r.group} probes` : r.scenario,
          r.server,
          quietRunsCell(r),
          fmt(r.cpu.serverCores),
          fmt(r.cpu.loadGenCores),
          fmt(Math.max(0, otherCores(r))),
          fmt(r.cpu.machineCores),
          fmt(r.cpu.rssMiB),
        ]),
    ),
  );
  out.push('');
  out.push(
    `"Other processes" is the machine's busy time (/proc/stat) minus the server and the load generator: anything else running on this ` +
      `shared machine during the measured runs (it competes with both the bounds and the servers). Before each warm-up and each run the bench waits ` +
      `for the machine to be quiet (under ${QUIET_CORES} cores busy over one second; at most ${d.quietBudget.perWaitSec} s before a warm-up, ` +
      `${RUN_QUIET_SEC} s before a run, ${d.quietBudget.totalSec} s in all); a run during which other processes still used more than ` +
      `${QUIET_CORES} cores is discarded and repeated (at most ${d.retryBudget.perScenario} times per scenario, ${d.retryBudget.totalSec} s in all). ` +
      `Medians are over the kept runs.`,
  );
  return out.join('\n');
}

/** Replaces (or appends) the `<!-- name:start -->…<!-- name:end -->` block of a markdown file. */
export function writeBlock(file: string, name: string, content: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const text = fs.readFileSync(file, 'utf8');
  const block = `${start}\n${content.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next = i !== -1 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : text.replace(/\s*$/, '') + '\n\n' + block + '\n';
  fs.writeFileSync(file, next);
}
