import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import { newId, randomToken, type Environment } from '../random.js';
import type { Store } from '../storage/store.js';
import { PROJECT_DEFAULTS, type Project } from './project.js';
import { applyAssignments } from './settings.js';

// Authenticated projects are remembered briefly so that a request costs no extra database
// round trip for its credentials. A settings change reaches every instance within this time.
const CACHE_MS = 5_000;
const CACHE_MAX = 1_000;

/**
 * Project secrets are stored only as SHA-256 digests: they are 216 random bits, so a fast
 * hash is enough to make a database dump useless as an API credential.
 */
function digestSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export class ProjectService {
  private readonly cache = new Map<string, { project: Project; secretDigest: Buffer; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Creates a project and returns its id and secret; the secret is shown only this once. */
  async create(opts: { live: boolean }): Promise<{ projectId: string; secret: string; project: Project }> {
    const environment: Environment = opts.live ? 'live' : 'test';
    const project: Project = {
      id: newId('project', environment),
      environment,
      createdAt: this.clock.now(),
      settings: { ...PROJECT_DEFAULTS },
    };
    // 27 random bytes -> 36 URL-safe characters, the length of Stytch's secrets.
    const secret = `secret-${environment}-${randomToken(27)}`;
    await this.store.insertProject(project, digestSecret(secret).toString('hex'));
    return { projectId: project.id, secret, project };
  }

  async count(): Promise<number> {
    return this.store.countProjects();
  }

  /** The project whose id and secret these are, or null. Compares digests in constant time. */
  async authenticate(projectId: string, secret: string): Promise<Project | null> {
    const now = this.clock.now();
    const given = digestSecret(secret);
    const cached = this.cache.get(projectId);
    if (cached && now - cached.at < CACHE_MS) {
      return timingSafeEqual(given, cached.secretDigest) ? cached.project : null;
    }
    const found = await this.store.getProjectWithSecretHash(projectId);
    if (!found) return null;
    const secretDigest = Buffer.from(found.secretHash, 'hex');
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(projectId, { project: found.project, secretDigest, at: now });
    return secretDigest.length === given.length && timingSafeEqual(given, secretDigest) ? found.project : null;
  }

  async get(projectId: string): Promise<Project | null> {
    return (await this.store.getProjectWithSecretHash(projectId))?.project ?? null;
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
    return { ...project, settings };
  }
}
