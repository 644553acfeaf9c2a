import type { Clock } from '../clock.js';
import type { Config } from '../config/index.js';
import { EmailDeliveryError, type Mailer } from '../email/mailer.js';
import { renderResetPasswordEmail } from '../email/reset-password.js';
import { AuthError, concerning } from '../errors.js';
import type { Project } from '../projects/project.js';
import { newId, randomToken } from '../random.js';
import type { HeldSession, IssuedSession, SessionRequest, SessionService } from '../sessions/service.js';
import { digestToken } from '../sessions/tokens.js';
import type { ResetTokenRecord, Store } from '../storage/store.js';
import { normalizeEmail } from '../users/email.js';
import type { User } from '../users/user.js';
import type { PasswordHasher } from './hash-pool.js';
import { assertWellFormed, type PasswordPolicy } from './policy.js';
import { checkPkce, checkResetStart, type ResetStartInput } from './reset-rules.js';

const MINUTE = 60_000;
/** A session may reset the password if one of these factors was proven this recently (spec §7.6). */
const SESSION_RESET_WINDOW_MS = 5 * MINUTE;
const QUALIFYING_FACTORS = new Set(['password', 'magic_link', 'email_otp']);

export interface ResetResult {
  user: User;
  session: IssuedSession | null;
}

export interface EmailResetInput {
  token: string;
  password: string;
  session: SessionRequest;
  codeVerifier?: string | undefined;
  attributes?: { ipAddress?: string | undefined; userAgent?: string | undefined } | undefined;
  options?: { ipMatchRequired?: boolean | undefined; userAgentMatchRequired?: boolean | undefined } | undefined;
}

/** Resets that do not prove the current password: by a recent session, and by an emailed link. */
export class ResetService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'argon2'>,
    private readonly sessions: SessionService,
    private readonly policy: PasswordPolicy,
    private readonly mailer: Mailer,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * POST /v1/passwords/session/reset. The session must have proven a password or the email
   * address within 5 minutes. It survives (optionally extended); every other session of the
   * user is revoked. Works for a user who had no password yet.
   */
  async bySession(project: Project, input: { password: string; session: SessionRequest }): Promise<ResetResult> {
    assertWellFormed(input.password, 'password');
    this.sessions.validate(input.session);
    const held = await this.sessions.resolve(project, input.session);
    // Past this point the failure concerns the session's user (the audit trail names it).
    return this.resetForSession(project, input, held).catch(concerning(held.session.userId));
  }

  private async resetForSession(project: Project, input: { password: string; session: SessionRequest }, held: HeldSession): Promise<ResetResult> {
    const now = this.clock.now();
    const recent = held.session.factors.some((f) => QUALIFYING_FACTORS.has(f.type) && now - f.lastAuthenticatedAt <= SESSION_RESET_WINDOW_MS);
    if (!recent) {
      throw new AuthError('session_too_old_to_reset_password', 'The session must have authenticated a password or email within the last 5 minutes.');
    }
    const user = await this.requireUser(project, held.session.userId);
    await this.policy.assertNewPassword(project.settings, input.password, user.emails[0]?.email ?? '');
    const hash = await this.hasher.hash(input.password);
    const result = await this.store.transaction(async (tx) => {
      const at = this.clock.now();
      await setPassword(tx, project, user.id, hash, at);
      await tx.invalidateResetTokens(project.id, user.id, at);
      await tx.revokeUserSessions(project.id, user.id, at, held.session.id);
      // Decision 9: a session reset adds no factor.
      return this.sessions.startOrExtend(tx, project, user.id, held, input.session, null);
    });
    return this.finish(project, user.id, result);
  }

  /**
   * POST /v1/passwords/email/reset/start: a single-use link to the user's address. The token
   * is stored only as a digest; if the mail cannot be handed over, the token is deleted.
   */
  async startByEmail(project: Project, input: ResetStartInput): Promise<{ userId: string; emailId: string }> {
    const email = normalizeEmail(input.email);
    const rules = checkResetStart(project, input);
    const user = await this.store.getUserByEmail(project.id, email);
    const emailRecord = user?.emails.find((e) => e.email === email);
    if (!user || !emailRecord) {
      // With enumeration protection an unknown address gets the same 200 as a known one (with
      // empty ids, as no user may be named); no email is sent.
      if (project.settings.enumerationProtection) return { userId: '', emailId: '' };
      throw new AuthError('email_not_found');
    }

    const now = this.clock.now();
    // 32 random bytes in the padded URL-safe base64 shape of Stytch's email tokens (44 chars).
    const token = randomToken(32) + '=';
    const record = {
      id: newId('password-reset', project.environment),
      projectId: project.id,
      userId: user.id,
      emailId: emailRecord.id,
      createdAt: now,
      expiresAt: now + rules.expirationMinutes * MINUTE,
      usedAt: null,
      codeChallenge: rules.codeChallenge,
      attributes: { ipAddress: input.attributes?.ipAddress ?? '', userAgent: input.attributes?.userAgent ?? '' },
    };
    const resetUrl = new URL(rules.resetUrl);
    resetUrl.searchParams.set('stytch_token_type', 'reset_password');
    resetUrl.searchParams.set('token', token);
    const message = renderResetPasswordEmail({
      locale: rules.locale,
      resetUrl: resetUrl.toString(),
      loginUrl: rules.loginUrl,
      expiresInMinutes: rules.expirationMinutes,
      email,
    });
    await this.store.insertResetToken(record, digestToken(token));
    try {
      await this.mailer.send({ to: email, ...message });
    } catch (err) {
      await this.store.deleteResetToken(project.id, record.id);
      if (err instanceof EmailDeliveryError) {
        throw new AuthError('email_delivery_failed', 'The reset email could not be delivered; no link was issued. Try again later.', { cause: err });
      }
      throw err;
    }
    return { userId: user.id, emailId: emailRecord.id };
  }

  /**
   * POST /v1/passwords/email/reset: completes a reset with the emailed token. The token is
   * consumed, the email marked verified, any lock cleared, and every session of the user
   * revoked except a valid one passed in this call, which receives the email factor.
   */
  async byEmail(project: Project, input: EmailResetInput): Promise<ResetResult> {
    assertWellFormed(input.password, 'password');
    this.sessions.validate(input.session);
    const record = /^[A-Za-z0-9_-]{43}=$/.test(input.token) ? await this.store.getResetTokenByHash(project.id, digestToken(input.token)) : null;
    if (!record) throw new AuthError('magic_link_not_found', 'The password reset token could not be found.');
    // Past this point the failure concerns the token's user (the audit trail names it).
    return this.resetWithToken(project, input, record).catch(concerning(record.userId));
  }

  private async resetWithToken(project: Project, input: EmailResetInput, record: ResetTokenRecord): Promise<ResetResult> {
    if (record.usedAt !== null || record.expiresAt <= this.clock.now()) {
      throw new AuthError('unable_to_auth_magic_link', 'The password reset token has been used or has expired.');
    }
    checkPkce(record.codeChallenge, input.codeVerifier);
    if (input.options?.ipMatchRequired && (input.attributes?.ipAddress ?? '') !== record.attributes.ipAddress) {
      throw new AuthError('attribute_mismatch', 'The IP address does not match the one that started the reset.');
    }
    if (input.options?.userAgentMatchRequired && (input.attributes?.userAgent ?? '') !== record.attributes.userAgent) {
      throw new AuthError('attribute_mismatch', 'The user agent does not match the one that started the reset.');
    }
    const user = await this.requireUser(project, record.userId);
    const email = user.emails.find((e) => e.id === record.emailId);
    if (!email) throw new AuthError('magic_link_not_found', 'The email address of this reset no longer exists.');
    await this.policy.assertNewPassword(project.settings, input.password, email.email);
    const passed = await this.sessions.resolvePassed(project, user.id, input.session);
    const hash = await this.hasher.hash(input.password);

    const result = await this.store.transaction(async (tx) => {
      const at = this.clock.now();
      // Consumed inside the transaction: of two concurrent uses exactly one proceeds.
      if (!(await tx.consumeResetToken(project.id, record.id, at))) {
        throw new AuthError('unable_to_auth_magic_link', 'The password reset token has been used or has expired.');
      }
      await setPassword(tx, project, user.id, hash, at);
      await tx.markEmailVerified(project.id, email.id);
      await tx.clearFailedAttempts(project.id, user.id);
      if (user.status === 'pending') await tx.activateUser(project.id, user.id);
      await tx.invalidateResetTokens(project.id, user.id, at);
      await tx.revokeUserSessions(project.id, user.id, at, passed?.session.id);
      return this.sessions.startOrExtend(tx, project, user.id, passed, input.session, {
        type: 'magic_link',
        deliveryMethod: 'email',
        emailFactor: { emailId: email.id, emailAddress: email.email },
      });
    });
    return this.finish(project, user.id, result);
  }

  private async requireUser(project: Project, userId: string): Promise<User> {
    const user = await this.store.getUser(project.id, userId);
    if (!user) throw new AuthError('user_not_found');
    return user;
  }

  private async finish(project: Project, userId: string, held: HeldSession | null): Promise<ResetResult> {
    const user = await this.requireUser(project, userId);
    return { user, session: held ? await this.sessions.issue(project, user.roles, held) : null };
  }
}

/** Sets the user's password hash, adding a password when there is none; keeps its id. */
async function setPassword(tx: Store, project: Project, userId: string, hash: string, now: number): Promise<void> {
  // Two rounds cover a concurrent first password: the insert loses, the replace then lands.
  for (let round = 0; round < 2; round++) {
    const stored = await tx.getPassword(project.id, userId);
    if (!stored) {
      if (await tx.insertPassword(project.id, { id: newId('password', project.environment), userId, hash, requiresReset: false }, now)) return;
      continue;
    }
    if (await tx.replacePasswordHash(project.id, stored.id, stored.hash, hash, now)) return;
  }
  throw new AuthError('too_many_requests', 'The password changed concurrently; try again.');
}
