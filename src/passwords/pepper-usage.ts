/**
 * Which pepper each stored password hash was made with, server-wide: tells an operator when an
 * older pepper key may be removed from POSTERN_PEPPER (`postern passwords peppers`).
 */
import type { PepperKey } from '../config/index.js';
import type { Store } from '../storage/store.js';
import { parseArgon2Phc } from './legacy/argon2.js';

export type PepperKeyState = 'current' | 'older' | 'not configured';

export interface PepperUsage {
  /** The key new hashes are made with; null when no pepper is configured. */
  current: string | null;
  /** Hashes made without a pepper: before one was configured, or imported (legacy) hashes. */
  none: number;
  /** Every configured key (even unused) and every key found in a hash, configured order first. */
  keys: Array<{ id: string; hashes: number; state: PepperKeyState }>;
}

/** Rows read per query: bounded memory whatever the number of users. */
const PAGE = 1000;

export async function countPepperUsage(store: Store, peppers: readonly PepperKey[]): Promise<PepperUsage> {
  const counts = new Map<string, number>(peppers.map((p) => [p.id, 0]));
  let none = 0;
  let after: string | null = null;
  for (;;) {
    const page = await store.listPasswordHashes(after, PAGE);
    for (const { hash } of page) {
      const keyId = hash.startsWith('$argon2') ? parseArgon2Phc(hash)?.keyId : undefined;
      if (keyId === undefined) none++;
      else counts.set(keyId, (counts.get(keyId) ?? 0) + 1);
    }
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) break;
    after = last.id;
  }
  const current = peppers[0]?.id ?? null;
  const configured = new Set(peppers.map((p) => p.id));
  const keys = [...counts].map(([id, hashes]) => ({
    id,
    hashes,
    state: id === current ? 'current' : configured.has(id) ? 'older' : 'not configured',
  } as const));
  return { current, none, keys };
}

/** The table `postern passwords peppers` prints. */
export function formatPepperUsage(usage: PepperUsage): string {
  const rows: Array<[string, number, string]> = [
    [
      '(none)',
      usage.none,
      usage.current === null
        ? 'no pepper is configured'
        : `made without a pepper: peppered with "${usage.current}" at the next login`,
    ],
  ];
  for (const k of usage.keys) {
    const note =
      k.state === 'current'
        ? 'current: new hashes use it'
        : k.state === 'older'
          ? k.hashes === 0
            ? 'older, unused: it can be removed from POSTERN_PEPPER'
            : `older: rehashed to "${usage.current ?? ''}" at each user's next login; keep it until this is 0`
          : 'not configured: these users cannot log in until the key is listed again or they reset their password';
    rows.push([k.id, k.hashes, note]);
  }
  const idWidth = Math.max('pepper key'.length, ...rows.map(([id]) => id.length));
  const countWidth = Math.max('hashes'.length, ...rows.map(([, n]) => String(n).length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(idWidth)}  ${b.padStart(countWidth)}  ${c}`.trimEnd();
  return [line('pepper key', 'hashes', ''), ...rows.map(([id, n, note]) => line(id, String(n), note))].join('\n') + '\n';
}
