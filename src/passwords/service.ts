import type { Clock } from '../clock.js';
import { NO_METRICS, type MetricsSink } from '../metrics/sink.js';
import type { Config } from '../config/index.js';
import { AuthError, concerning } from '../errors.js';
import type { Project } from '../projects/project.js';
import { newId, randomToken } from '../random.js';
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
import { HashPoolBusy, type PasswordHasher } from './hash-pool.js';
import { assertWellFormed, type PasswordEvaluation, type PasswordPolicy } from './policy.js';

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
  private dummy: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'argon2' | 'enumerationFloorMs'>,
    private readonly sessions: SessionService,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly metrics: MetricsSink = NO_METRICS,
  ) {}

  /** POST /v1/passwords/strength_check: the project's verdict on a password; no user involved. */
  async strengthCheck(project: Project, input: { password: string; email?: string | undefined }): Promise<PasswordEvaluation & { breachDetectionOnCreate: boolean }> {
    assertWellFormed(input.password, 'password');
    const email = input.email === undefined ? undefined : normalizeEmail(input.email);
    const { settings } = project;
    // Stytch looks the password up in breaches only when an email is given and breach
    // detection on creation is on.
    const evaluation = await this.policy.evaluate(settings, input.password, email, email !== undefined && settings.checkBreachOnCreation);
    return { ...evaluation, breachDetectionOnCreate: settings.checkBreachOnCreation };
  }

  /** POST /v1/passwords: a new active user with an unverified email and a password. */
  async create(project: Project, input: CreateInput): Promise<AuthResult & { emailId: string }> {
    const email = normalizeEmail(input.email);
    assertWellFormed(input.password, 'password');
    this.sessions.validate(input.session);
    const trustedMetadata = input.trustedMetadata ?? {};
    const untrustedMetadata = input.untrustedMetadata ?? {};
    assertMetadata(trustedMetadata);
    assertMetadata(untrustedMetadata);
    // Checked before hashing so a taken email costs no hash; checked again on insert.
    const taken = await this.store.getUserByEmail(project.id, email);
    if (taken) throw new AuthError('duplicate_email', undefined, { userId: taken.id });
    await this.policy.assertNewPassword(project.settings, input.password, email);
    const hash = await this.hasher.hash(input.password);

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
      if (inserted !== 'inserted') throw new AuthError('duplicate_email');
      await tx.insertPassword(project.id, { id: newId('password', env), userId, hash, requiresReset: false }, now);
      return this.sessions.startOrExtend(tx, project, userId, null, input.session, PASSWORD_FACTOR);
    });
    return { ...(await this.finish(project, userId, held)), emailId };
  }

  /** POST /v1/passwords/authenticate. */
  async authenticate(project: Project, input: { email: string; password: string; session: SessionRequest }): Promise<AuthResult> {
    this.sessions.validate(input.session);
    const { user, stored } = await this.verifyCredentials(project, input.email, input.password);
    if (stored.requiresReset) throw new AuthError('reset_password', undefined, { userId: user.id });
    if (await this.policy.requiresResetAtLogin(project.settings, input.password, user.emails[0]?.email ?? '')) {
      await this.store.markPasswordRequiresReset(project.id, stored.id);
      throw new AuthError('reset_password', undefined, { userId: user.id });
    }
    const passed = await this.sessions.resolvePassed(project, user.id, input.session).catch(concerning(user.id));
    // A hash weaker than today's parameters, an imported legacy one, or one without the current
    // pepper is replaced now, while the password is at hand; users migrate one login at a time.
    const rehash = this.hasher.needsRehash(stored.hash)
      ? await this.hasher.hash(input.password).catch((err: unknown) => {
          // A busy pool skips the upgrade rather than refusing a correct login; the next login rehashes.
          if (err instanceof HashPoolBusy) return null;
          throw err;
        })
      : null;
    const held = await this.store.transaction(async (tx) => {
      await tx.clearFailedAttempts(project.id, user.id);
      if (user.status === 'pending') await tx.activateUser(project.id, user.id);
      // Compare-and-set: if a reset landed meanwhile, its hash stays.
      if (rehash) await tx.replacePasswordHash(project.id, stored.id, stored.hash, rehash, this.clock.now());
      return this.sessions.startOrExtend(tx, project, user.id, passed, input.session, PASSWORD_FACTOR);
    });
    return this.finish(project, user.id, held);
  }

  /**
   * POST /v1/passwords/existing_password/reset. The password change, the revocation of the
   * user's other sessions and the new or extended session are one transaction.
   */
  async resetExisting(project: Project, input: ResetExistingInput): Promise<AuthResult> {
    assertWellFormed(input.newPassword, 'new_password');
    this.sessions.validate(input.session);
    const { user, stored } = await this.verifyCredentials(project, input.email, input.existingPassword);
    if (stored.requiresReset) throw new AuthError('cannot_reset_password_with_existing_password', undefined, { userId: user.id });
    await this.policy.assertNewPassword(project.settings, input.newPassword, user.emails[0]?.email ?? '').catch(concerning(user.id));
    const passed = await this.sessions.resolvePassed(project, user.id, input.session).catch(concerning(user.id));
    const newHash = await this.hasher.hash(input.newPassword).catch(concerning(user.id));

    const held = await this.store.transaction(async (tx) => {
      const now = this.clock.now();
      // Compare-and-set on the hash we verified: of concurrent resets from the same password
      // exactly one lands; the others see a changed hash and fail as a wrong password.
      if (!(await tx.replacePasswordHash(project.id, stored.id, stored.hash, newHash, now))) {
        throw new AuthError('unauthorized_credentials', undefined, { userId: user.id });
      }
      await tx.clearFailedAttempts(project.id, user.id);
      if (user.status === 'pending') await tx.activateUser(project.id, user.id);
      await tx.invalidateResetTokens(project.id, user.id, now);
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
    assertWellFormed(password, 'password');
    const started = performance.now();
    const protect = project.settings.enumerationProtection;
    const user = await this.store.getUserByEmail(project.id, email);
    const locked = user !== null && isLocked(user.lock, this.clock.now());
    const stored = user && !locked ? await this.store.getPassword(project.id, user.id) : null;
    if (!user || locked || !stored) {
      if (protect) {
        // The same answer and hashing work as a wrong password, at the same floor time, so
        // neither the response nor its timing tells whether the account exists, is locked or
        // has a password.
        await this.hasher.verify(await this.dummyHash(), password);
        await this.padTo(started);
        // The caller learns nothing; the audit trail still names the account, if there is one.
        throw new AuthError('unauthorized_credentials', undefined, { userId: user?.id });
      }
      if (!user) throw new AuthError('email_not_found');
      if (locked) throw new AuthError('user_lock_limit_reached', undefined, { userId: user.id });
      throw new AuthError('no_user_password', undefined, { userId: user.id });
    }
    if (!(await this.hasher.verify(stored.hash, password).catch(concerning(user.id)))) {
      const { lockThreshold, lockDurationMinutes } = project.settings;
      if (await this.store.recordFailedAttempt(project.id, user.id, this.clock.now(), lockThreshold, lockDurationMinutes * 60_000)) this.metrics.userLocked();
      if (protect) await this.padTo(started);
      throw new AuthError('unauthorized_credentials', undefined, { userId: user.id });
    }
    return { user, stored };
  }

  /**
   * Waits until the enumeration floor has passed since `started`: the database work of a known
   * and an unknown account differs by a fraction of a millisecond, which enough samples reveal.
   */
  private async padTo(started: number): Promise<void> {
    const left = this.config.enumerationFloorMs - (performance.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }

  /** An argon2id hash of a random password with today's parameters, made once. */
  private dummyHash(): Promise<string> {
    this.dummy ??= this.hasher.hash(randomToken(32)).catch((err: unknown) => {
      // A refused first attempt (pool busy) must not stay cached as a rejection.
      this.dummy = undefined;
      throw err;
    });
    return this.dummy;
  }

  /** Reads the user as it now stands and signs a JWT for the session, if there is one. */
  private async finish(project: Project, userId: string, held: Awaited<ReturnType<SessionService['startOrExtend']>>): Promise<AuthResult> {
    const user = await this.store.getUser(project.id, userId);
    if (!user) throw new AuthError('user_not_found');
    const session = held ? await this.sessions.issue(project, user.roles, held) : null;
    return { user, session };
  }
}
