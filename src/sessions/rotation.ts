/**
 * Signing-key rotation (`postern keys rotate`, `postern keys list`). A rotation publishes a new
 * key at once but lets it sign only after PREPUBLISH_MS, so that every SDK's cached JWKS holds
 * it before the first JWT it signs arrives (jose re-reads a JWKS at least every 10 minutes; Go's
 * keyfunc re-reads on an unknown kid at most every 5). The old keys stop signing once every
 * instance's key cache has seen the new one, and stay in the JWKS 5 minutes longer: the
 * lifetime of the last JWT they signed. `--immediate` skips the pre-publication (a compromised
 * key): SDKs then refetch on the unknown kid, after their own cooldown.
 */
import { rfc3339 } from '../clock.js';
import type { Project } from '../projects/project.js';
import type { Store } from '../storage/store.js';
import { createKeySealer, type KeySealer } from './key-sealing.js';
import { generateSigningKey } from './keys.js';
import { CACHE_TTL_MS, RETIRED_PUBLISHED_MS, isActive, isPublished, newestActive } from './signing-keys.js';

export interface KeyListing {
  kid: string;
  /** When it begins (or began) to sign. */
  signs_from: string;
  /** When it stops (or stopped) signing; null while it is not scheduled to retire. */
  retires_at: string | null;
  /** When it leaves (or left) the JWKS. */
  unpublished_at: string | null;
  state: 'next' | 'current' | 'active' | 'retiring' | 'published' | 'gone';
}

export const PREPUBLISH_MS = 10 * 60_000;

export async function rotateSigningKey(
  store: Store,
  project: Project,
  now: number,
  opts: { immediate?: boolean; sealer?: KeySealer } = {},
): Promise<{ kid: string; signsFrom: number }> {
  const signsFrom = opts.immediate ? now : now + PREPUBLISH_MS;
  const fresh = await generateSigningKey(project.id, project.environment, signsFrom, opts.sealer ?? createKeySealer([]));
  await store.transaction(async (tx) => {
    await tx.insertSigningKey(fresh);
    // Instances may keep signing with a cached old key until their cache reloads; the old key
    // stays active until then, and published for a JWT lifetime after.
    await tx.retireSigningKeys(project.id, signsFrom + CACHE_TTL_MS, fresh.kid);
  });
  return { kid: fresh.kid, signsFrom };
}

export async function listSigningKeys(store: Store, projectId: string, now: number): Promise<KeyListing[]> {
  const records = await store.listSigningKeys(projectId);
  const current = newestActive(records, now);
  return records.map((r) => ({
    kid: r.kid,
    signs_from: rfc3339(r.createdAt),
    retires_at: r.retiredAt === null ? null : rfc3339(r.retiredAt),
    unpublished_at: r.retiredAt === null ? null : rfc3339(r.retiredAt + RETIRED_PUBLISHED_MS),
    state: r === current ? 'current' : r.createdAt > now ? 'next' : isActive(r, now) ? (r.retiredAt === null ? 'active' : 'retiring') : isPublished(r, now) ? 'published' : 'gone',
  }));
}
