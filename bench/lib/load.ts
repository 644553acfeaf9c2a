/**
 * Load generation with autocannon's programmatic API, in the parent process, against server
 * children on 127.0.0.1. Every run is bounded in time (`duration`, plus a hard stop) and in
 * requests (`maxOverallRequests`).
 *
 * Latencies are taken from autocannon's per-response `response` event (sub-millisecond
 * floats; autocannon's own histogram keeps whole milliseconds) and, like autocannon's, only
 * for 2xx responses. Non-2xx responses (429 from admission control included) are counted
 * and reported by status code, never folded into requests/s.
 */
import fs from 'node:fs';
import os from 'node:os';
import autocannon, { type Request } from 'autocannon';
import type { ServerChild } from './child.js';
import type { ProbeReading } from './probe.js';
import { max, median, percentile, spreadPct } from './stats.js';

/** Hard cap on requests per run and connection set, far above anything these servers reach. */
const MAX_REQUESTS_PER_SECOND = 100_000;
/** A run that has not ended this long after its duration is stopped. */
const HARD_STOP_GRACE_MS = 20_000;

export interface LoadSpec {
  label: string;
  /** Full URL; its path is the default request path. */
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  /** Paced load: requests per second per connection (each connection stays sequential). */
  connectionRate?: number;
  /**
   * Stateful scenarios: the request sequence of one connection. `run` is 0 for the warm-up
   * and 1..n for the measured runs, so each run can use fresh accounts.
   */
  requestsFor?: (connection: number, run: number) => Request[];
}

export interface LoadResult {
  label: string;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface Plan {
  warmupSec: number;
  runSec: number;
  runs: number;
}

/** CPU use around one run: the server, this process (the load generator), the whole machine. */
export interface RunCpu {
  server: ProbeReading | null;
  loadGenCores: number;
  machineCores: number;
}

export interface ScenarioResult {
  name: string;
  /** Seconds spent waiting for the machine to quieten before the scenario, and whether it did. */
  quiet: QuietWait;
  /** How many measured runs started on a quiet machine (each waits up to RUN_QUIET_SEC). */
  quietRuns: number;
  /** Runs thrown away because other processes were busy during them (and repeated). */
  discarded: number;
  /** Measured runs only, per spec label. */
  runs: Record<string, LoadResult[]>;
  cpu: RunCpu[];
}

export interface Summary {
  rps: number;
  rpsSpreadPct: number;
  rpsMin: number;
  rpsMax: number;
  p50Ms: number;
  p99Ms: number;
  p99MaxMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  connections: number;
}

/** Busy and total jiffies of all CPUs (Linux); null elsewhere. */
function machineJiffies(): { busy: number; total: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export interface QuietWait {
  /** False when no waiting was allowed (quick runs, or the run's waiting budget was spent). */
  checked: boolean;
  waitedSec: number;
  reached: boolean;
  /** Busy cores in the last one-second sample before starting. */
  busyCores: number;
}

/** Machine-wide busy cores over the next `ms` milliseconds (NaN where /proc/stat is missing). */
export async function busyCores(ms: number): Promise<number> {
  const before = machineJiffies();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineJiffies();
  if (!before || !after || after.total <= before.total) return NaN;
  return ((after.busy - before.busy) / (after.total - before.total)) * os.availableParallelism();
}

/** Runs `fn` and reports the machine's busy cores over it. */
export async function machineDuring<T>(fn: () => Promise<T>): Promise<{ value: T; cores: number; wallMs: number }> {
  const before = machineJiffies();
  const start = performance.now();
  const value = await fn();
  const wallMs = performance.now() - start;
  const after = machineJiffies();
  const cores = before && after && after.total > before.total ? ((after.busy - before.busy) / (after.total - before.total)) * os.availableParallelism() : NaN;
  return { value, cores, wallMs };
}

/**
 * Waits (at most `maxSec`) until the machine is quiet: less than QUIET_CORES busy over one
 * second while nothing of ours runs. These machines are shared; a scenario started while
 * other work runs measures that work too (the report shows how much there was).
 */
export const QUIET_CORES = 0.3;
/** The longest wait before each measured run (the scenario's first wait may be longer). */
export const RUN_QUIET_SEC = 10;
const quietBudget = { perWaitSec: 0, remainingSec: 0 };
/** At most `perWaitSec` per wait and `totalSec` over the whole run. */
export function setQuietBudget(perWaitSec: number, totalSec: number): void {
  quietBudget.perWaitSec = perWaitSec;
  quietBudget.remainingSec = totalSec;
}
export async function waitQuiet(capSec = Infinity): Promise<QuietWait> {
  const maxSec = Math.min(capSec, quietBudget.perWaitSec, quietBudget.remainingSec);
  if (!(maxSec > 0)) return { checked: false, waitedSec: 0, reached: false, busyCores: NaN };
  const start = performance.now();
  let busy = await busyCores(1000);
  while (!(busy < QUIET_CORES) && performance.now() - start < maxSec * 1000) busy = await busyCores(1000);
  const waitedSec = (performance.now() - start) / 1000;
  quietBudget.remainingSec = Math.max(0, quietBudget.remainingSec - waitedSec);
  return { checked: true, waitedSec, reached: busy < QUIET_CORES, busyCores: busy };
}

/** One autocannon instance for one spec; resolves with its own counts and latencies. */
function runSpec(spec: LoadSpec, seconds: number, run: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let non2xx = 0;
  let connection = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: spec.method ?? 'GET',
        headers: spec.headers,
        body: spec.body,
        connections: spec.connections,
        duration: seconds,
        maxOverallRequests: Math.max(spec.connections, Math.ceil(seconds * MAX_REQUESTS_PER_SECOND)),
        timeout: 30,
        ...(spec.connectionRate ? { connectionRate: spec.connectionRate, ignoreCoordinatedOmission: true } : {}),
        ...(spec.requestsFor
          ? {
              setupClient: (client) => {
                client.setRequests(spec.requestsFor!(connection++, run));
              },
            }
          : {}),
      },
      (err, result) => {
        clearTimeout(hardStop);
        if (err) return reject(err);
        latencies.sort((a, b) => a - b);
        resolve({
          label: spec.label,
          ok,
          non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statuses,
          seconds: result.duration,
          rps: ok / result.duration,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          maxMs: latencies.length ? latencies[latencies.length - 1]! : NaN,
        });
      },
    );
    instance.on('response', (_client, statusCode: number, _bytes: number, responseTime: number) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        latencies.push(responseTime);
      } else {
        non2xx++;
      }
    });
    const hardStop = setTimeout(() => instance.stop(), seconds * 1000 + HARD_STOP_GRACE_MS);
  });
}

/** Several specs at once (e.g. a flood and a paced probe), with the server probed around them. */
export async function runOnce(specs: LoadSpec[], seconds: number, run: number, server: ServerChild | null): Promise<{ results: LoadResult[]; cpu: RunCpu }> {
  await server?.mark();
  const machineBefore = machineJiffies();
  const selfBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const results = await Promise.all(specs.map((spec) => runSpec(spec, seconds, run)));
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const self = process.cpuUsage(selfBefore);
  const machineAfter = machineJiffies();
  const reading = server ? await server.read() : null;
  const machineCores =
    machineBefore && machineAfter && machineAfter.total > machineBefore.total
      ? ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * os.availableParallelism()
      : NaN;
  return { results, cpu: { server: reading, loadGenCores: (self.user + self.system) / 1000 / wallMs, machineCores } };
}

function describe(r: LoadResult): string {
  const bad = r.non2xx + r.errors > 0 ? ` non-2xx ${r.non2xx} errors ${r.errors} ${JSON.stringify(r.statuses)}` : '';
  return `${r.label}: ${r.rps.toFixed(1)} req/s p50 ${r.p50Ms.toFixed(2)} ms p99 ${r.p99Ms.toFixed(2)} ms${bad}`;
}

/** Other processes' share of a run: the machine's busy cores minus the server and the load generator. */
export function otherCores(cpu: RunCpu): number {
  return cpu.machineCores - (cpu.server?.cpuCores ?? 0) - cpu.loadGenCores;
}

/**
 * Runs disturbed by other processes (more than QUIET_CORES of the machine) are discarded and
 * repeated: at most `perScenario` times per scenario and `totalSec` seconds of repeats in all.
 */
const retryBudget = { perScenario: 0, remainingSec: 0 };
export function setRetryBudget(perScenario: number, totalSec: number): void {
  retryBudget.perScenario = perScenario;
  retryBudget.remainingSec = totalSec;
}

function log(line: string): void {
  process.stderr.write(line + '\n');
}

/**
 * One scenario: a set of load specs against one server, warmed up once, then measured one run
 * per round (bench/run.ts interleaves the scenarios round by round, so that a burst of outside
 * load lands on all of them rather than on one).
 */
export class Scenario {
  readonly result: ScenarioResult;
  private attempt = 0;
  private retries = 0;

  constructor(
    readonly name: string,
    readonly server: ServerChild | null,
    readonly specs: LoadSpec[],
  ) {
    const notChecked: QuietWait = { checked: false, waitedSec: 0, reached: false, busyCores: NaN };
    this.result = { name, quiet: notChecked, quietRuns: 0, discarded: 0, runs: Object.fromEntries(specs.map((s) => [s.label, []])), cpu: [] };
  }

  /** The most measured attempts any scenario makes (runs plus repeats): provision accounts for this many. */
  static maxAttempts(plan: Plan): number {
    return plan.runs + retryBudget.perScenario;
  }

  async warmUp(plan: Plan): Promise<void> {
    log(`[${this.name}] warm-up`);
    this.result.quiet = await waitQuiet();
    if (plan.warmupSec > 0) {
      const warm = await runOnce(this.specs, plan.warmupSec, 0, this.server);
      log(`  ${warm.results.map(describe).join(' | ')}`);
    }
  }

  /** One measured run, repeated if other processes disturbed it and the budget allows. */
  async measure(plan: Plan, round: number): Promise<void> {
    for (;;) {
      const q = await waitQuiet(RUN_QUIET_SEC);
      const attempt = ++this.attempt;
      const started = performance.now();
      const { results, cpu } = await runOnce(this.specs, plan.runSec, attempt, this.server);
      const other = otherCores(cpu);
      const srv = cpu.server ? ` | server ${cpu.server.cpuCores.toFixed(2)} cores, ELD p99 ${cpu.server.eldP99Ms.toFixed(1)} ms` : '';
      const line = `  ${results.map(describe).join(' | ')}${srv} | loadgen ${cpu.loadGenCores.toFixed(2)}, other ${other.toFixed(2)} cores`;
      if (other > QUIET_CORES && this.retries < retryBudget.perScenario && retryBudget.remainingSec > 0) {
        this.retries++;
        this.result.discarded++;
        retryBudget.remainingSec -= (performance.now() - started) / 1000;
        log(`[${this.name}] round ${round}: DISCARDED (other processes busy)\n${line}`);
        continue;
      }
      if (q.reached) this.result.quietRuns++;
      for (const r of results) this.result.runs[r.label]!.push(r);
      this.result.cpu.push(cpu);
      log(`[${this.name}] round ${round}${q.checked && !q.reached ? ` (NOT QUIET at start: ${q.busyCores.toFixed(2)} cores busy)` : ''}\n${line}`);
      return;
    }
  }
}

export function summarize(runs: LoadResult[], connections: number): Summary {
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  const rps = runs.map((r) => r.rps);
  return {
    rps: median(rps),
    rpsSpreadPct: spreadPct(rps),
    rpsMin: Math.min(...rps),
    rpsMax: Math.max(...rps),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    p99MaxMs: max(runs.map((r) => r.p99Ms)),
    ok: runs.reduce((a, r) => a + r.ok, 0),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    statuses,
    connections,
  };
}

export interface CpuSummary {
  serverCores: number;
  eldP99Ms: number;
  eldMaxMs: number;
  rssMiB: number;
  loadGenCores: number;
  machineCores: number;
}

export function summarizeCpu(cpu: RunCpu[]): CpuSummary {
  const srv = cpu.map((c) => c.server).filter((s): s is ProbeReading => s !== null);
  return {
    serverCores: median(srv.map((s) => s.cpuCores)),
    eldP99Ms: median(srv.map((s) => s.eldP99Ms)),
    eldMaxMs: srv.length ? max(srv.map((s) => s.eldMaxMs)) : NaN,
    rssMiB: srv.length ? max(srv.map((s) => s.rssMiB)) : NaN,
    loadGenCores: median(cpu.map((c) => c.loadGenCores)),
    machineCores: median(cpu.map((c) => c.machineCores)),
  };
}
