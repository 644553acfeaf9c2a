/**
 * Where a password login's CPU goes, thread by thread (Linux only: it reads /proc).
 *
 *   node --import tsx bench/threads.ts [--seconds N] [--connections C] [--no-session]
 *
 * Starts bench/postern-server.ts (as `npm run bench` does), makes one user per connection,
 * warms up for 3 s, then drives POST /v1/passwords/authenticate (with
 * `session_duration_minutes: 60` unless --no-session) for N seconds (default 10) on C
 * connections (default 8), and prints each server thread's CPU time per answered request,
 * from /proc/<pid>/task/<tid>/schedstat (time on a CPU, not wall time).
 *
 * Threads are named by what they do: the event loop (the process's own id); the hash workers
 * (the threads that spent most, one per POSTERN_HASH_WORKERS); the rest are V8's platform
 * threads (garbage collection, compilation), libuv's threadpool (where WebCrypto signs the
 * session JWT) and the strength worker. Used for docs/performance-notes.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { loadConfig } from '../src/config/index.js';
import { ServerChild } from './lib/child.js';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    'no-session': { type: 'boolean', default: false },
  },
});
const seconds = Number(opts.seconds);
const connections = Number(opts.connections);
if (!(seconds > 0 && seconds <= 120)) throw new Error('--seconds must be in (0, 120]');
if (!(Number.isInteger(connections) && connections >= 1 && connections <= 256)) throw new Error('--connections must be an integer from 1 to 256');
if (process.platform !== 'linux') throw new Error('bench/threads.ts reads /proc: Linux only');

const PASSWORD = 'plinth-mango-quasar-7x';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-threads-'));
const env = {
  ...process.env,
  POSTERN_DATA_DIR: dataDir,
  POSTERN_LOG_LEVEL: 'silent',
  POSTERN_BREACH_CHECK: 'offline',
  // Counted on every request, as in `npm run bench`, but never reached.
  POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '1000000',
  POSTERN_RATE_LIMIT_IP_PER_MINUTE: '100000000',
};
const hashWorkers = loadConfig(env).hashPool.workers;
const server = await ServerChild.start('postern', new URL('./postern-server.ts', import.meta.url), [], env);
const pid = server.pid!;
try {
  const headers = {
    'content-type': 'application/json',
    authorization: 'Basic ' + Buffer.from(`${String(server.ready.projectId)}:${String(server.ready.secret)}`).toString('base64'),
  };
  const users = Array.from({ length: connections }, (_, i) => `threads${i}@bench.example.com`);
  for (const email of users) {
    const res = await fetch(`${server.url}/v1/passwords`, { method: 'POST', headers, body: JSON.stringify({ email, password: PASSWORD }) });
    if (res.status !== 200) throw new Error(`create ${email}: ${res.status} ${await res.text()}`);
  }
  const session = opts['no-session'] ? {} : { session_duration_minutes: 60 };
  const load = (duration: number) =>
    new Promise<Result>((resolve, reject) => {
      autocannon(
        {
          url: server.url,
          connections,
          duration,
          requests: users.map((email) => ({ method: 'POST', path: '/v1/passwords/authenticate', headers, body: JSON.stringify({ email, password: PASSWORD, ...session }) })),
        },
        (err, result) => (err ? reject(err) : resolve(result)),
      );
    });

  /** Nanoseconds on a CPU, per thread id. */
  const cpuByThread = (): Map<string, number> => {
    const out = new Map<string, number>();
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        out.set(tid, Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return out;
  };

  await load(3);
  const before = cpuByThread();
  const result = await load(seconds);
  const after = cpuByThread();
  const answered = result.requests.total - result.non2xx;
  if (answered === 0) throw new Error(`no request answered with 2xx (non-2xx ${result.non2xx})`);

  const perRequestMs = [...after].map(([tid, ns]) => ({ tid, ms: (ns - (before.get(tid) ?? 0)) / 1e6 / answered }));
  const main = perRequestMs.find((t) => t.tid === String(pid))?.ms ?? 0;
  const others = perRequestMs.filter((t) => t.tid !== String(pid)).sort((a, b) => b.ms - a.ms);
  const hash = others.slice(0, hashWorkers);
  const rest = others.slice(hashWorkers).filter((t) => t.ms >= 0.001);
  const sum = (ts: { ms: number }[]) => ts.reduce((s, t) => s + t.ms, 0);
  const total = main + sum(hash) + sum(rest);
  const line = (label: string, value: number) => `${label.padEnd(44)} ${value.toFixed(3).padStart(8)} ms  ${((value / total) * 100).toFixed(1).padStart(5)}%`;
  process.stdout.write(
    [
      `authenticate${opts['no-session'] ? ' (no session)' : ''}: ${answered} answered in ${seconds} s (${(answered / seconds).toFixed(1)}/s), ` +
        `${connections} connections, non-2xx ${result.non2xx}; CPU per answered request:`,
      line(`hash workers (${hashWorkers})`, sum(hash)),
      line('event loop (main thread)', main),
      line(`other threads (${rest.length}: V8 platform, libuv, strength)`, sum(rest)),
      ...rest.map((t) => line(`  thread ${t.tid}`, t.ms)),
      line('total', total),
      `outside the hash: ${(total - sum(hash)).toFixed(3)} ms, hash share ${((sum(hash) / total) * 100).toFixed(1)}%`,
      '',
    ].join('\n'),
  );
} finally {
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
