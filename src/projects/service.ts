import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import { newId, randomToken, type Environment } from '../random.js';
import type { ProjectSecretRecord, PublicTokenRecord, Store } from '../storage/store.js';
import { originAllowed } from './allowlists.js';
import { PROJECT_DEFAULTS, type Project } from './project.js';
import { applyAssignments } from './settings.js';

// Authenticated projects are remembered briefly so that a request costs no extra database
// round trip for its credentials. A settings change or a deleted secret reaches every instance
// within CACHE_MS; a secret the cache does not know yet is looked up again after REFRESH_MS, so a
// new secret works everywhere within about a second (and wrong secrets cost at most one lookup
// per project per REFRESH_MS).
const CACHE_MS = 5_000;
const REFRESH_MS = 1_000;
const CACHE_MAX = 1_000;

/**
 * Project secrets are stored only as SHA-256 digests: they are 216 random bits, so a fast
 * hash is enough to make a database dump useless as an API credential.
 */
function digestSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Whether `given` equals one of `digests`; every digest is compared, in constant time. */
function matchesAny(given: Buffer, digests: Buffer[]): boolean {
  let found = false;
  for (const d of digests) found = (d.length === given.length && timingSafeEqual(given, d)) || found;
  return found;
}

interface CachedProject {
  project: Project;
  secretDigests: Buffer[];
  at: number;
}

export interface ProjectSecretInfo {
  secretId: string;
  createdAt: number;
}

export class ProjectService {
  private readonly cache = new Map<string, CachedProject>();
  private readonly publicTokenCache = new Map<string, { project: Project; at: number }>();
  private allProjects: { projects: Project[]; at: number } | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  private newSecret(environment: Environment): { secret: string; record: ProjectSecretRecord } {
    // 27 random bytes -> 36 URL-safe characters, the length of Stytch's secrets.
    const secret = `secret-${environment}-${randomToken(27)}`;
    return { secret, record: { id: newId('project-secret', environment), hash: digestSecret(secret).toString('hex'), createdAt: this.clock.now() } };
  }

  /** Creates a project with its first secret and public token; the secret is shown only this once. */
  async create(opts: { live: boolean }): Promise<{ projectId: string; secret: string; publicToken: string; project: Project }> {
    const environment: Environment = opts.live ? 'live' : 'test';
    const project: Project = {
      id: newId('project', environment),
      environment,
      createdAt: this.clock.now(),
      settings: { ...PROJECT_DEFAULTS },
    };
    const { secret, record } = this.newSecret(environment);
    const publicToken = this.newPublicToken(environment);
    await this.store.transaction(async (tx) => {
      await tx.insertProject(project, record);
      await tx.insertPublicToken(project.id, publicToken);
    });
    return { projectId: project.id, secret, publicToken: publicToken.token, project };
  }

  private newPublicToken(environment: Environment): PublicTokenRecord {
    return { token: newId('public-token', environment), createdAt: this.clock.now() };
  }

  /**
   * The project a frontend SDK names by its public token, or null. Remembered like
   * authenticated projects (CACHE_MS), so a settings change or a deleted token reaches every
   * instance within seconds; unknown tokens are not remembered.
   */
  async byPublicToken(token: string): Promise<Project | null> {
    const now = this.clock.now();
    const hit = this.publicTokenCache.get(token);
    if (hit && now - hit.at < CACHE_MS) return hit.project;
    const project = await this.store.getProjectByPublicToken(token);
    if (this.publicTokenCache.size >= CACHE_MAX) this.publicTokenCache.clear();
    if (project) this.publicTokenCache.set(token, { project, at: now });
    else this.publicTokenCache.delete(token);
    return project;
  }

  /**
   * Whether some project allows browsers on `origin`. A CORS preflight names no project (it
   * carries no credentials), so it is answered for origins that at least one project allows;
   * the request itself is then checked against its own project.
   */
  async anyProjectAllowsOrigin(origin: string): Promise<boolean> {
    const now = this.clock.now();
    if (!this.allProjects || now - this.allProjects.at >= CACHE_MS) this.allProjects = { projects: await this.store.listProjects(), at: now };
    return this.allProjects.projects.some((p) => originAllowed(p, origin));
  }

  /** Adds a public token to the project (null: no such project). */
  async createPublicToken(projectId: string): Promise<PublicTokenRecord | null> {
    const project = await this.get(projectId);
    if (!project) return null;
    const record = this.newPublicToken(project.environment);
    await this.store.insertPublicToken(projectId, record);
    return record;
  }

  /** The project's public tokens, oldest first (null: no such project). */
  async listPublicTokens(projectId: string): Promise<PublicTokenRecord[] | null> {
    if (!(await this.get(projectId))) return null;
    return this.store.listPublicTokens(projectId);
  }

  /** Deletes one of the project's public tokens; a project always keeps at least one. */
  async deletePublicToken(projectId: string, token: string): Promise<'deleted' | 'not_found' | 'last'> {
    const outcome = await this.store.deletePublicToken(projectId, token);
    this.publicTokenCache.delete(token);
    return outcome;
  }

  async count(): Promise<number> {
    return this.store.countProjects();
  }

  private async load(projectId: string, now: number): Promise<CachedProject | null> {
    const found = await this.store.getProjectWithSecretHashes(projectId);
    if (!found) return null;
    const entry = { project: found.project, secretDigests: found.secretHashes.map((h) => Buffer.from(h, 'hex')), at: now };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(projectId, entry);
    return entry;
  }

  /** The project whose id and one of whose secrets these are, or null. Compares digests in constant time. */
  async authenticate(projectId: string, secret: string): Promise<Project | null> {
    const now = this.clock.now();
    const given = digestSecret(secret);
    let entry = this.cache.get(projectId);
    if (entry && now - entry.at < CACHE_MS) {
      if (matchesAny(given, entry.secretDigests)) return entry.project;
      if (now - entry.at < REFRESH_MS) return null;
    }
    entry = (await this.load(projectId, now)) ?? undefined;
    return entry && matchesAny(given, entry.secretDigests) ? entry.project : null;
  }

  async get(projectId: string): Promise<Project | null> {
    return (await this.store.getProjectWithSecretHashes(projectId))?.project ?? null;
  }

  /** Adds a secret to the project (null: no such project); the secret is shown only this once. */
  async createSecret(projectId: string): Promise<(ProjectSecretInfo & { secret: string }) | null> {
    const project = await this.get(projectId);
    if (!project) return null;
    const { secret, record } = this.newSecret(project.environment);
    await this.store.insertProjectSecret(projectId, record);
    this.cache.delete(projectId);
    return { secretId: record.id, createdAt: record.createdAt, secret };
  }

  /** The project's secrets, oldest first (null: no such project). */
  async listSecrets(projectId: string): Promise<ProjectSecretInfo[] | null> {
    if (!(await this.get(projectId))) return null;
    return (await this.store.listProjectSecrets(projectId)).map((s) => ({ secretId: s.id, createdAt: s.createdAt }));
  }

  /** Deletes one of the project's secrets; a project always keeps at least one. */
  async deleteSecret(projectId: string, secretId: string): Promise<'deleted' | 'not_found' | 'last'> {
    const outcome = await this.store.deleteProjectSecret(projectId, secretId);
    this.cache.delete(projectId);
    return outcome;
  }

  /**
   * Applies `key=value` assignments (Stytch's setting names) and stores the result; throws
   * SettingsError listing every bad assignment, and changes nothing then.
   */
  async set(projectId: string, assignments: string[]): Promise<Project | null> {
    const project = await this.get(projectId);
    if (!project) return null;
    const settings = applyAssignments(project.settings, assignments);
    await this.store.updateProjectSettings(projectId, settings);
    this.cache.delete(projectId);
    this.publicTokenCache.clear();
    this.allProjects = null;
    return { ...project, settings };
  }
}
