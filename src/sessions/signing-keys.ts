/**
 * Each project's signing keys, cached per process. Several instances may share one store, so
 * the cache lives only `CACHE_TTL_MS` and is reloaded early when a JWT names a kid it has not
 * seen (another instance may just have created that key).
 */
import type { Clock } from '../clock.js';
import type { Project } from '../projects/project.js';
import type { SigningKeyRecord, Store } from '../storage/store.js';
import type { PublishedKey } from './jwt.js';
import { createKeySealer, type KeySealer } from './key-sealing.js';
import { generateSigningKey, importSigningKey, type SigningKey } from './keys.js';

export const CACHE_TTL_MS = 30_000;
/** At most one unknown-kid reload per project per this long, so junk kids cannot flood the store. */
const UNKNOWN_KID_RELOAD_MS = 5_000;
/** A retired key stays published this long: JWTs it signed live at most 5 minutes. */
export const RETIRED_PUBLISHED_MS = 5 * 60_000;

interface Entry {
  /** Order of the load's start; a slower older load never replaces a newer one. */
  seq: number;
  loadedAt: number;
  records: SigningKeyRecord[];
  published: PublishedKey[];
}

export class SigningKeys {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private readonly creating = new Map<string, Promise<void>>();
  private readonly lastUnknownKidReload = new Map<string, number>();
  /** Imported private keys by kid (kids are unique across projects). */
  private readonly signers = new Map<string, SigningKey>();
  private seq = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Seals new private keys (and opens stored ones) when a master key is configured. */
    private readonly sealer: KeySealer = createKeySealer([]),
  ) {}

  /** The key to sign with now; creates the project's first key when it has none. */
  async current(project: Project): Promise<SigningKey> {
    let record = newestActive((await this.entry(project.id)).records, this.clock.now());
    if (!record) {
      await this.ensureKey(project);
      record = newestActive((await this.entry(project.id)).records, this.clock.now());
      if (!record) throw new Error(`project ${project.id} has no active signing key after creating one`);
    }
    let signer = this.signers.get(record.kid);
    if (!signer) {
      signer = importSigningKey(record, this.sealer);
      this.signers.set(record.kid, signer);
    }
    return signer;
  }

  /**
   * The keys a JWT may be verified with. Pass the JWT's `kid` (`peekKid(jwt)`): when it is not
   * among the cached keys, the store is read again (rate-limited) before answering.
   */
  async publicKeys(projectId: string, kid?: string | null): Promise<PublishedKey[]> {
    let entry = await this.entry(projectId);
    if (typeof kid === 'string' && !entry.records.some((r) => r.kid === kid) && this.mayReloadForUnknownKid(projectId)) {
      entry = await this.load(projectId);
    }
    const now = this.clock.now();
    return entry.published.filter((_, i) => isPublished(entry.records[i], now));
  }

  /** The JWKS `keys` array; never empty, since it creates the first key when needed. */
  async jwks(project: Project): Promise<Record<string, unknown>[]> {
    await this.current(project);
    return (await this.publicKeys(project.id)).map((k) => k.publicJwk);
  }

  private async entry(projectId: string): Promise<Entry> {
    const cached = this.entries.get(projectId);
    if (cached && this.clock.now() - cached.loadedAt < CACHE_TTL_MS) return cached;
    // Concurrent misses share one query.
    let pending = this.loading.get(projectId);
    if (!pending) {
      pending = this.load(projectId).finally(() => this.loading.delete(projectId));
      this.loading.set(projectId, pending);
    }
    return pending;
  }

  /** Always queries: used after an insert, where joining an older in-flight read could miss it. */
  private async load(projectId: string): Promise<Entry> {
    const seq = ++this.seq;
    const loadedAt = this.clock.now();
    const records = await this.store.listSigningKeys(projectId);
    const entry: Entry = { seq, loadedAt, records, published: records.map((r) => ({ kid: r.kid, publicJwk: r.publicJwk })) };
    const existing = this.entries.get(projectId);
    if (!existing || existing.seq < seq) this.entries.set(projectId, entry);
    return entry;
  }

  /**
   * Creates a key unless one became active meanwhile. Requests in this process share one
   * creation; two instances racing may each insert one, and both are valid and published.
   */
  private ensureKey(project: Project): Promise<void> {
    let pending = this.creating.get(project.id);
    if (!pending) {
      pending = (async () => {
        const fresh = await this.load(project.id);
        if (newestActive(fresh.records, this.clock.now())) return;
        await this.store.insertSigningKey(await generateSigningKey(project.id, project.environment, this.clock.now(), this.sealer));
        await this.load(project.id);
      })().finally(() => this.creating.delete(project.id));
      this.creating.set(project.id, pending);
    }
    return pending;
  }

  private mayReloadForUnknownKid(projectId: string): boolean {
    const now = this.clock.now();
    const last = this.lastUnknownKidReload.get(projectId);
    if (last !== undefined && now - last < UNKNOWN_KID_RELOAD_MS) return false;
    this.lastUnknownKidReload.set(projectId, now);
    return true;
  }
}

/** A key with a future `retiredAt` is scheduled for retirement and still signs until then. */
export function isActive(record: SigningKeyRecord, now: number): boolean {
  // A rotated-in key is published before it signs: its createdAt is when signing begins.
  return record.createdAt <= now && (record.retiredAt === null || record.retiredAt > now);
}

export function isPublished(record: SigningKeyRecord | undefined, now: number): boolean {
  return record !== undefined && (record.retiredAt === null || record.retiredAt + RETIRED_PUBLISHED_MS > now);
}

/** Newest by createdAt, then the greater kid: every instance picks the same key from the same rows. */
export function newestActive(records: readonly SigningKeyRecord[], now: number): SigningKeyRecord | undefined {
  let best: SigningKeyRecord | undefined;
  for (const r of records) {
    if (!isActive(r, now)) continue;
    if (!best || r.createdAt > best.createdAt || (r.createdAt === best.createdAt && r.kid > best.kid)) best = r;
  }
  return best;
}
