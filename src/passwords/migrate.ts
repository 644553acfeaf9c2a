import type { Clock } from '../clock.js';
import { AuthError } from '../errors.js';
import type { Project } from '../projects/project.js';
import { newId } from '../random.js';
import type { Store } from '../storage/store.js';
import { normalizeEmail } from '../users/email.js';
import { assertExternalId, assertPhoneNumber, assertRoles } from '../users/identifiers.js';
import { assertMetadata } from '../users/metadata.js';
import type { Name, User } from '../users/user.js';
import { importHash, type MigrateHashInput } from './legacy/index.js';

export interface MigrateInput {
  email: string;
  hash: MigrateHashInput;
  name?: Partial<Name> | undefined;
  trustedMetadata?: Record<string, unknown> | undefined;
  untrustedMetadata?: Record<string, unknown> | undefined;
  setEmailVerified?: boolean | undefined;
  phoneNumber?: string | undefined;
  setPhoneNumberVerified?: boolean | undefined;
  externalId?: string | undefined;
  roles?: string[] | undefined;
}

export interface MigrateResult {
  user: User;
  emailId: string;
  userCreated: boolean;
}

const CONFLICTS = {
  email_taken: 'duplicate_email',
  phone_taken: 'duplicate_phone_number',
  external_id_taken: 'duplicate_user_external_id',
} as const;

/**
 * POST /v1/passwords/migrate: brings a password hash from another system, creating the user
 * when the email is new. No strength or breach check applies: the user chose this password
 * elsewhere, and the login-time checks (and the rehash to argon2id) take over from here.
 */
export class MigrationService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async migrate(project: Project, input: MigrateInput): Promise<MigrateResult> {
    const email = normalizeEmail(input.email);
    // Validates the format and bounds the work factors before anything is written.
    const hash = importHash(input.hash);
    const trustedMetadata = input.trustedMetadata ?? {};
    const untrustedMetadata = input.untrustedMetadata ?? {};
    assertMetadata(trustedMetadata);
    assertMetadata(untrustedMetadata);
    if (input.phoneNumber !== undefined) assertPhoneNumber(input.phoneNumber);
    if (input.externalId !== undefined) assertExternalId(input.externalId);
    if (input.roles !== undefined) assertRoles(input.roles);

    const env = project.environment;
    const { userId, emailId, userCreated } = await this.store.transaction(async (tx) => {
      const now = this.clock.now();
      const password = { id: newId('password', env), hash, requiresReset: false };
      const existing = await tx.getUserByEmail(project.id, email);
      if (existing) {
        const existingEmail = existing.emails.find((e) => e.email === email);
        if (!existingEmail) throw new AuthError('internal_server_error', undefined, { cause: new Error('email lookup mismatch') });
        if (!(await tx.insertPassword(project.id, { ...password, userId: existing.id }, now))) {
          throw new AuthError('password_already_exists', 'This user already has a password.');
        }
        if (input.setEmailVerified === true) await tx.markEmailVerified(project.id, existingEmail.id);
        await tx.invalidateResetTokens(project.id, existing.id, now);
        return { userId: existing.id, emailId: existingEmail.id, userCreated: false };
      }
      const userId = newId('user', env);
      const emailId = newId('email', env);
      const result = await tx.insertUser({
        id: userId,
        projectId: project.id,
        status: 'active',
        name: { firstName: input.name?.firstName ?? '', middleName: input.name?.middleName ?? '', lastName: input.name?.lastName ?? '' },
        email: { id: emailId, email, verified: input.setEmailVerified === true },
        phone:
          input.phoneNumber === undefined
            ? null
            : { id: newId('phone-number', env), phoneNumber: input.phoneNumber, verified: input.setPhoneNumberVerified === true },
        trustedMetadata,
        untrustedMetadata,
        externalId: input.externalId ?? null,
        roles: input.roles ?? [],
        createdAt: now,
      });
      if (result !== 'inserted') throw new AuthError(CONFLICTS[result]);
      await tx.insertPassword(project.id, { ...password, userId }, now);
      return { userId, emailId, userCreated: true };
    });
    const user = await this.store.getUser(project.id, userId);
    if (!user) throw new AuthError('user_not_found');
    return { user, emailId, userCreated };
  }
}
