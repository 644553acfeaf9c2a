/**
 * The corpus that ships with Postern (assets/breached-sha1.bin, built by
 * scripts/build-breach-corpus.ts), so offline checks work on an air-gapped machine from the
 * first start.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BreachCorpusError } from './errors.js';
import { parseTable, type Sha1Table } from './table.js';

/**
 * src/passwords/breach/ and dist/passwords/breach/ are both three levels below the package
 * root, so one relative URL serves running from source and from the build.
 */
export const SHIPPED_CORPUS_PATH = fileURLToPath(new URL('../../../assets/breached-sha1.bin', import.meta.url));

export async function loadTableFile(file: string): Promise<Sha1Table> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new BreachCorpusError(`cannot read breach corpus ${file}`, { cause: err });
  }
  return parseTable(buf, file);
}

let shipped: Promise<Sha1Table> | undefined;

/** Read once per process and shared by every checker: it is immutable and 240 KB. */
export function loadShippedTable(): Promise<Sha1Table> {
  shipped ??= loadTableFile(SHIPPED_CORPUS_PATH).catch((err: unknown) => {
    shipped = undefined; // let a later call retry, e.g. after the file is restored
    throw err;
  });
  return shipped;
}
