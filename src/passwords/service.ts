import type { Clock } from '../clock.js';
import type { Config } from '../config/index.js';
import { AuthError } from '../errors.js';
import type { Project } from '../projects/project.js';
import { newId } from '../random.js';
import {
  PASSWORD_FACTOR,
  type IssuedSession,
  type SessionRequest,
  type SessionService,
} from '../sessions/service.js';
import type { Store, StoredPassword } from '../storage/store.js';
import { normalizeEmail } from '../users/email.js';
import { assertMetadata } from '../users/metadata.js';
import { isLocked, type Name, type User } from '../users/user.js';
import { hashPassword, verifyPassword } from './hashing.js';
import { assertAcceptablePassword } from './policy.js';
import type { StrengthScorer } from './strength.js';

export interface AuthResult {
  user: User;
  session: IssuedSession | null;
}

export interface CreateInput {
  email: string;
  password: string;
  name?: Partial<Name> | undefined;
  trustedMetadata?: Record<string, unknown> | undefined;
  untrustedMetadata?: Record<string, unknown> | undefined;
  session: SessionRequest;
}

export interface ResetExistingInput {
  email: string;
  existingPassword: string;
  newPassword: string;
  session: SessionRequest;
}

export class PasswordService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'argon2'>,
    private readonly sessions: SessionService,
    private readonly scorer: StrengthScorer,
  ) {}

  /** POST /v1/passwords: a new active user with an unverified email and a password. */
  async create(project: Project, input: CreateInput): Promise<AuthResult & { emailId: string }> {
    const email = normalizeEmail(input.email);
    this.sessions.validate(input.session);
    const trustedMetadata = input.trustedMetadata ?? {};
    const untrustedMetadata = input.untrustedMetadata ?? {};
    assertMetadata(trustedMetadata);
    assertMetadata(untrustedMetadata);
    // Checked before hashing so a taken email costs no hash; checked again on insert.
    if (await this.store.getUserByEmail(project.id, email)) throw new AuthError('duplicate_email');
    await assertAcceptablePassword(this.scorer, input.password, email);
    const hash = await hashPassword(input.password, this.config.argon2);

    const now = this.clock.now();
    const env = project.environment;
    const userId = newId('user', env);
    const emailId = newId('email', env);
    const held = await this.store.transaction(async (tx) => {
      const inserted = await tx.insertUser({
        id: userId,
        projectId: project.id,
        status: 'active',
        name: {
          firstName: input.name?.firstName ?? '',
          middleName: input.name?.middleName ?? '',
          lastName: input.name?.lastName ?? '',
        },
        email: { id: emailId, email, verified: false },
        trustedMetadata,
        untrustedMetadata,
        externalId: null,
        roles: [],
        createdAt: now,
      });
      if (!inserted) throw new AuthError('duplicate_email');
      await tx.insertPassword(project.id, { id: newId('password', env), userId, hash, requiresReset: false }, now);
      return this.sessions.startOrExtend(tx, project, userId, null, input.session, PASSWORD_FACTOR);
    });
    return { ...(await this.finish(project, userId, held)), emailId };
  }

  /** POST /v1/passwords/authenticate. */
  async authenticate(project: Project, input: { email: string; password: string; session: SessionRequest }): Promise<AuthResult> {
    this.sessions.validate(input.session);
    const { user, stored } = await this.verifyCredentials(project, input.email, input.password);
    if (stored.requiresReset) throw new AuthError('reset_password');
    const passed = await this.sessions.resolvePassed(project, user.id, input.session);
    const held = await this.store.transaction(async (tx) => {
      await tx.clearFailedAttempts(project.id, user.id);
      return this.sessions.startOrExtend(tx, project, user.id, passed, input.session, PASSWORD_FACTOR);
    });
    return this.finish(project, user.id, held);
  }

  /**
   * POST /v1/passwords/existing_password/reset. The password change, the revocation of the
   * user's other sessions and the new or extended session are one transaction.
   */
  async resetExisting(project: Project, input: ResetExistingInput): Promise<AuthResult> {
    this.sessions.validate(input.session);
    const { user, stored } = await this.verifyCredentials(project, input.email, input.existingPassword);
    if (stored.requiresReset) throw new AuthError('cannot_reset_password_with_existing_password');
    await assertAcceptablePassword(this.scorer, input.newPassword, user.emails[0]?.email ?? '');
    const passed = await this.sessions.resolvePassed(project, user.id, input.session);
    const newHash = await hashPassword(input.newPassword, this.config.argon2);

    const held = await this.store.transaction(async (tx) => {
      const now = this.clock.now();
      // Compare-and-set on the hash we verified: of concurrent resets from the same password
      // exactly one lands; the others see a changed hash and fail as a wrong password.
      if (!(await tx.replacePasswordHash(project.id, stored.id, stored.hash, newHash, now))) {
        throw new AuthError('unauthorized_credentials');
      }
      await tx.clearFailedAttempts(project.id, user.id);
      await tx.revokeUserSessions(project.id, user.id, now, passed?.session.id);
      return this.sessions.startOrExtend(tx, project, user.id, passed, input.session, PASSWORD_FACTOR);
    });
    return this.finish(project, user.id, held);
  }

  /**
   * Finds the user by email and checks the password, in the order of spec Decision 4. A wrong
   * password counts toward the user's lock.
   */
  private async verifyCredentials(project: Project, rawEmail: string, password: string): Promise<{ user: User; stored: StoredPassword }> {
    const email = normalizeEmail(rawEmail);
    const user = await this.store.getUserByEmail(project.id, email);
    if (!user) throw new AuthError('email_not_found');
    if (isLocked(user.lock, this.clock.now())) throw new AuthError('user_lock_limit_reached');
    const stored = await this.store.getPassword(project.id, user.id);
    if (!stored) throw new AuthError('no_user_password');
    if (!(await verifyPassword(stored.hash, password))) {
      const { lockThreshold, lockDurationMinutes } = project.settings;
      await this.store.recordFailedAttempt(project.id, user.id, this.clock.now(), lockThreshold, lockDurationMinutes * 60_000);
      throw new AuthError('unauthorized_credentials');
    }
    return { user, stored };
  }

  /** Reads the user as it now stands and signs a JWT for the session, if there is one. */
  private async finish(project: Project, userId: string, held: Awaited<ReturnType<SessionService['startOrExtend']>>): Promise<AuthResult> {
    const user = await this.store.getUser(project.id, userId);
    if (!user) throw new AuthError('user_not_found');
    const session = held ? await this.sessions.issue(project, user.roles, held) : null;
    return { user, session };
  }
}
