import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { BreachCorpusError } from '../../src/passwords/breach/index.js';
import { openHashList } from '../../src/passwords/breach/hash-list.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'postern-hashlist-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
let files = 0;
const write = (text: string): string => {
  const file = path.join(tmp, `list-${files++}.txt`);
  writeFileSync(file, text);
  return file;
};

describe('on-disk bisection of a hash list', () => {
  it('agrees with an in-memory map for any sorted list, line ending and window', async () => {
    const entry = fc.tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 0, max: 3_000_000 }));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(entry, { maxLength: 80, selector: ([hash]) => hex(hash) }),
        fc.array(fc.uint8Array({ minLength: 20, maxLength: 20 }), { maxLength: 10 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.integer({ min: 1, max: 400 }),
        async (entries, probes, eol, finalNewline, windowBytes) => {
          const counts = new Map(entries.map(([hash, count]) => [hex(hash), count]));
          const lines = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([hash, count]) => `${hash}:${count}`);
          const list = await openHashList(write(lines.join(eol) + (finalNewline && lines.length > 0 ? eol : '')), { windowBytes });
          try {
            for (const hash of [...counts.keys(), ...probes.map(hex)]) {
              assert.equal(await list.count(hash), counts.get(hash) ?? 0, hash);
            }
          } finally {
            await list.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads lowercase hex and a doubled final newline', async () => {
    const a = `${'0'.repeat(39)}1`;
    const b = `${'A'.repeat(39)}B`;
    const list = await openHashList(write(`${a}:3\n${b.toLowerCase()}:9\n\n`), { windowBytes: 1 });
    assert.equal(await list.count(a), 3);
    assert.equal(await list.count(b), 9);
    assert.equal(await list.count('F'.repeat(40)), 0);
    await list.close();
  });

  it('refuses files that are not hash lists', async () => {
    await assert.rejects(openHashList(write('hello world\n')), BreachCorpusError);
    await assert.rejects(openHashList(write(`${'1'.repeat(40)}\n`)), BreachCorpusError, 'no count');
    const long = write(`${'1'.repeat(40)}:1\n${'x'.repeat(5000)}\n${'2'.repeat(40)}:1\n`);
    const list = await openHashList(long, { windowBytes: 16 });
    await assert.rejects(list.count('2'.repeat(40)), BreachCorpusError);
    await list.close();
  });
});
