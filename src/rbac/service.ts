import type { Clock } from '../clock.js';
import type { Project } from '../projects/project.js';
import { sessionRoles } from '../sessions/service.js';
import type { Store } from '../storage/store.js';
import { policyFromDocument } from './document.js';
import { authorize, defaultPolicy, withDefaultRoles, type AuthorizationCheck, type AuthorizationVerdict, type RbacPolicy } from './policy.js';

/** A project's RBAC policy: reading it, replacing it, and evaluating checks against it. */
export class RbacService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The project's policy: the stored one, or the default (Stytch's predefined roles, no resources). */
  async policy(projectId: string): Promise<RbacPolicy> {
    const stored = await this.store.getRbacPolicy(projectId);
    return stored ? withDefaultRoles(stored) : defaultPolicy();
  }

  /**
   * Validates a policy document (Stytch's JSON shape) and makes it the project's policy; throws
   * PolicyError listing every problem, writing nothing. Null when there is no such project.
   */
  async setPolicy(projectId: string, document: unknown): Promise<RbacPolicy | null> {
    const policy = policyFromDocument(document);
    return (await this.store.setRbacPolicy(projectId, policy, this.clock.now())) ? policy : null;
  }

  /**
   * Whether the user's roles (with `stytch_user`) grant the check, by the project's current
   * policy; throws consumer_session_authorization_error when they do not. The policy is read on
   * every check, so a change reaches every instance at once.
   */
  async authorize(project: Project, userRoles: string[], check: AuthorizationCheck): Promise<AuthorizationVerdict> {
    return authorize(await this.policy(project.id), sessionRoles(userRoles), check);
  }
}
