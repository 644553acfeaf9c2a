import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { BreachCorpusError } from '../../src/passwords/breach/index.js';
import { encodeTable, FLAG_CASE_FOLDED, parseTable, TABLE_HEADER_BYTES } from '../../src/passwords/breach/table.js';

const digest = (s: string): Buffer => createHash('sha1').update(s, 'utf8').digest();
const words = Array.from({ length: 500 }, (_, i) => `word ${i}`);

describe('SHA-1 prefix table', () => {
  it('round-trips: every encoded hash is found, others are not', () => {
    for (const width of [4, 8, 20]) {
      const table = parseTable(encodeTable(words.map(digest), width, 0), 'test');
      assert.equal(table.count, words.length);
      assert.equal(table.width, width);
      for (const word of words) assert.ok(table.has(digest(word)), word);
      for (let i = 0; i < 500; i++) assert.ok(!table.has(digest(`other ${i}`)));
    }
  });

  it('sorts and deduplicates, and keeps the case-folded flag', () => {
    const buf = encodeTable([digest('b'), digest('a'), digest('b')], 8, FLAG_CASE_FOLDED);
    assert.equal(buf.length, TABLE_HEADER_BYTES + 2 * 8);
    const table = parseTable(buf, 'test');
    assert.equal(table.count, 2);
    assert.equal(table.caseFolded, true);
    assert.ok(table.has(digest('a')) && table.has(digest('b')));
  });

  it('an empty table finds nothing', () => {
    assert.equal(parseTable(encodeTable([], 8, 0), 'test').has(digest('a')), false);
  });

  it('refuses damaged files instead of answering "not breached"', () => {
    const good = encodeTable(words.map(digest), 8, 0);
    const damaged = {
      magic: Buffer.concat([Buffer.from('XXXX'), good.subarray(4)]),
      version: Buffer.from(good).fill(2, 4, 5),
      width: Buffer.from(good).fill(3, 5, 6),
      flags: Buffer.from(good).fill(0x80, 6, 7),
      truncated: good.subarray(0, good.length - 1),
      extended: Buffer.concat([good, Buffer.alloc(8)]),
      unsorted: Buffer.concat([good.subarray(0, TABLE_HEADER_BYTES), good.subarray(TABLE_HEADER_BYTES + 8, TABLE_HEADER_BYTES + 16), good.subarray(TABLE_HEADER_BYTES, TABLE_HEADER_BYTES + 8), good.subarray(TABLE_HEADER_BYTES + 16)]),
      duplicate: Buffer.concat([good.subarray(0, TABLE_HEADER_BYTES + 8), good.subarray(TABLE_HEADER_BYTES, TABLE_HEADER_BYTES + 8), good.subarray(TABLE_HEADER_BYTES + 16)]),
    };
    for (const [what, buf] of Object.entries(damaged)) {
      assert.throws(() => parseTable(buf, what), BreachCorpusError, what);
    }
  });
});
