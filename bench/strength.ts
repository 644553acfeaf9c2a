/**
 * Timing of bounded strength scoring against raw zxcvbn 4.4.2, per input class. Prints a
 * markdown table (docs/password-strength.md quotes it).
 *
 *   node --import tsx bench/strength.ts [runs] [--write]
 *
 * Raw zxcvbn on the full input is only run where it finishes in seconds (64 code points of l33t
 * symbols take 1-3 s each; 256 take over a minute), and stops once a class has used RAW_CAP_MS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import zxcvbn from 'zxcvbn';
import { scoreLocally } from '../src/passwords/strength.js';
import { segmentEnd } from '../src/passwords/strength-cost.js';

const RUNS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20);
const RAW_CAP_MS = 15_000;

const L33T = '4@8({[<369|!1$5+70%2';

/** Deterministic pseudo-random strings: the bench must measure the same inputs every time. */
function scrambled(alphabet: string, length: number, seed: number): string {
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}

const adversarial256 = [
  '4@8({[<3661|!1|!£$5+7%2'.repeat(12).slice(0, 256),
  scrambled(L33T, 256, 1),
  scrambled(L33T + 'aeiou', 256, 2),
  scrambled('0123456789', 256, 3),
  scrambled('p@$$w0rd1!|', 256, 4),
  '|\\/|4573r|\\/|4573rdr4g0n'.repeat(11).slice(0, 256),
];

const classes: { name: string; inputs: string[]; raw: boolean }[] = [
  {
    name: 'ordinary short',
    raw: true,
    inputs: ['password', 'P@ssw0rd', 'Tr0ub4dor&3', 'correct horse battery staple', 'michael1987', 'qwertyuiop',
      '12/19/1987', 'xK9mQvTz8RbWnHqJ', '🐶🐱🐭🐹🐰🦊🐻🐼', 'ça va très bien merci'],
  },
  {
    name: 'ordinary long passphrase (70-200)',
    raw: true,
    inputs: [
      'the harbour lights were blinking slowly while seven gulls argued over one cold chip by the pier',
      'My grandmother kept bees on the roof of a bakery in Lyon, and every June the honey tasted of croissants!',
      'correct horse battery staple '.repeat(4).trim(),
      'In 1987 we drove from Oslo to Rome in a borrowed Volvo with no radio, two maps, and a very patient dog named Sputnik who hated tunnels.',
      'a walk in the park; a swim in the lake; a nap under the oak; a book by the fire; a cup of tea. '.repeat(2),
    ],
  },
  {
    name: 'adversarial l33t 64',
    raw: true,
    inputs: [L33T.repeat(4).slice(0, 64), '4@8({[<3661|!1|!£$5+7%2'.repeat(3).slice(0, 64), scrambled(L33T, 64, 5)],
  },
  { name: 'adversarial first segment (bounded prefix)', raw: true, inputs: adversarial256.map(firstSegment) },
  { name: 'adversarial 256', raw: false, inputs: adversarial256 },
  {
    name: 'repeated 256',
    raw: true,
    inputs: ['a'.repeat(256), 'password'.repeat(32), 'abc'.repeat(85) + 'a', '19/12/1987'.repeat(26).slice(0, 256), '🔥'.repeat(256)],
  },
];

function firstSegment(password: string): string {
  const codePoints = Array.from(password);
  return codePoints.slice(0, segmentEnd(codePoints, 0)).join('');
}

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const ms = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(1));

// Warm the JIT and zxcvbn's dictionaries so the first class is not charged for them.
for (let i = 0; i < 20; i++) scoreLocally(`warm up ${i} ${L33T.slice(0, 8)}`, []);

const out: string[] = [];
const emit = (line: string): void => {
  console.log(line);
  out.push(line);
};
emit(`Runs per input: ${RUNS}; Node ${process.version}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}; ${new Date().toISOString().slice(0, 10)}.`);
emit('');
emit('| class | inputs | code points | scoreLocally median ms | scoreLocally worst ms | raw zxcvbn median ms | raw zxcvbn worst ms |');
emit('|---|---|---|---|---|---|---|');
for (const { name, inputs, raw } of classes) {
  const local: number[] = [];
  for (let r = 0; r < RUNS; r++) for (const p of inputs) local.push(time(() => scoreLocally(p, [])));

  const rawTimes: number[] = [];
  let rawNote = '';
  if (raw) {
    let spent = 0;
    for (let r = 0; r < Math.min(RUNS, 3) && spent < RAW_CAP_MS; r++) {
      for (const p of inputs) {
        if (spent >= RAW_CAP_MS) {
          rawNote = ' (capped)';
          break;
        }
        const t = time(() => zxcvbn(p));
        rawTimes.push(t);
        spent += t;
      }
    }
  }
  const lengths = inputs.map((p) => Array.from(p).length);
  const span = `${Math.min(...lengths)}-${Math.max(...lengths)}`;
  const rawMedian = raw ? ms(median(rawTimes)) + rawNote : 'not run (over 1 min each)';
  const rawWorst = raw ? ms(Math.max(...rawTimes)) : 'not run';
  emit(`| ${name} | ${inputs.length} | ${span} | ${ms(median(local))} | ${ms(Math.max(...local))} | ${rawMedian} | ${rawWorst} |`);
}

// `--write` puts the table into docs/benchmarks.md between its strength markers.
if (process.argv.includes('--write')) {
  const file = path.join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
  const start = '<!-- strength:start -->';
  const end = '<!-- strength:end -->';
  const block = `${start}\n${out.join('\n')}\n${end}`;
  const doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const at = doc.indexOf(start);
  const next = at >= 0 ? doc.slice(0, at) + block + doc.slice(doc.indexOf(end) + end.length) : `${doc}\n${block}\n`;
  fs.writeFileSync(file, next);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}
