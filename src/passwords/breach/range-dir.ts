/**
 * A folder of HIBP range files, one per 5-hex prefix (`21BD1.txt` as HIBP's downloader writes
 * with `-s false`, or a bare `21BD1`), each holding the API's body: `SUFFIX:COUNT` lines, 35 hex
 * digits, CRLF or LF. A lookup reads one file of a few tens of KB; nothing is held in memory.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BreachCorpusError } from './errors.js';

const LINE = /^([0-9A-Fa-f]{35}):(\d+)$/;

export interface RangeDir {
  /** The count for this uppercase 40-hex hash, or 0 when its range file does not list it. */
  count(hashHex: string): Promise<number>;
}

export function openRangeDir(dir: string): RangeDir {
  return {
    async count(hashHex) {
      const prefix = hashHex.slice(0, 5);
      const suffix = hashHex.slice(5);
      const body = await readRange(dir, prefix);
      // A prefix without a file has no entries: partial mirrors and test folders are allowed.
      if (body === undefined) return 0;
      return findSuffix(body, suffix, path.join(dir, prefix));
    },
  };
}

async function readRange(dir: string, prefix: string): Promise<string | undefined> {
  for (const name of [`${prefix}.txt`, prefix]) {
    try {
      return await readFile(path.join(dir, name), 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return undefined;
}

/** Validates every line, so a file that is not a range file fails instead of matching nothing. */
export function findSuffix(body: string, suffix: string, source: string): number {
  for (const raw of body.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const match = LINE.exec(line);
    if (!match) throw new BreachCorpusError(`${source}: malformed range line ${JSON.stringify(line.slice(0, 60))}`);
    if (match[1]!.toUpperCase() === suffix) return Number(match[2]);
  }
  return 0;
}
