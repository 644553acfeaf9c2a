import { systemClock, type Clock } from '../clock.js';
import { AuthError } from '../errors.js';
import type { Project } from '../projects/project.js';
import { newId } from '../random.js';
import type { Store, UserChanges } from '../storage/store.js';
import { normalizeEmail } from './email.js';
import { assertExternalId, assertPhoneNumber, assertRoles, isIdOf } from './identifiers.js';
import { assertMetadata, assertMetadataPatch, mergeMetadata } from './metadata.js';
import { encodeCursor, parseSearch, type SearchInput } from './search.js';
import type { Name, User } from './user.js';

export interface CreateUserInput {
  email?: string | undefined;
  phoneNumber?: string | undefined;
  name?: Partial<Name> | undefined;
  createAsPending?: boolean | undefined;
  trustedMetadata?: unknown;
  untrustedMetadata?: unknown;
  externalId?: string | undefined;
  roles?: string[] | undefined;
}

export interface UpdateUserInput {
  /** The parts given replace the stored ones; the others stay. */
  name?: Partial<Name> | undefined;
  /** Merged into the stored metadata at the top level; a null value deletes its key. */
  trustedMetadata?: unknown;
  untrustedMetadata?: unknown;
  externalId?: string | undefined;
  /** Replaces the assigned roles. */
  roles?: string[] | undefined;
}

const CONFLICTS = {
  email_taken: 'duplicate_email',
  phone_taken: 'duplicate_phone_number',
  external_id_taken: 'duplicate_user_external_id',
} as const;

/** A user id, or else an external id, in the project (Stytch accepts either in `user_id`). */
async function findUser(store: Store, projectId: string, userId: string, forUpdate = false): Promise<User | null> {
  const byId = forUpdate ? await store.getUserForUpdate(projectId, userId) : await store.getUser(projectId, userId);
  if (byId) return byId;
  const byExternal = await store.getUserByExternalId(projectId, userId);
  if (!byExternal || !forUpdate) return byExternal;
  return store.getUserForUpdate(projectId, byExternal.id);
}

/**
 * `postern users unlock`: clears the user's failure counter and lock. False when the project
 * has no such user (by user id or external id).
 */
export async function unlockUser(store: Store, projectId: string, userId: string): Promise<boolean> {
  const user = await findUser(store, projectId, userId);
  if (!user) return false;
  await store.clearFailedAttempts(projectId, user.id);
  return true;
}

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The user with this user id or external id in the project, or `user_not_found`. */
  async get(project: Project, userId: string): Promise<User> {
    const user = await findUser(this.store, project.id, userId);
    if (!user) throw new AuthError('user_not_found');
    return user;
  }

  /**
   * How the frontend SDK's login form should go on for this email (`/sdk/v1/users/search`):
   * `new` (no such user), `password` or `passwordless`. With enumeration protection on it
   * reveals nothing: every valid address answers `password`, as the login step then fails
   * exactly like a wrong password for unknown addresses.
   */
  async signInMethod(project: Project, rawEmail: string): Promise<'new' | 'password' | 'passwordless'> {
    const email = normalizeEmail(rawEmail);
    if (project.settings.enumerationProtection) return 'password';
    const user = await this.store.getUserByEmail(project.id, email);
    if (!user) return 'new';
    return user.password ? 'password' : 'passwordless';
  }

  /**
   * POST /v1/users: a user with an email and/or a phone number, both unverified, and no
   * password. `active` unless created as pending.
   */
  async create(project: Project, input: CreateUserInput): Promise<{ user: User; emailId: string; phoneId: string }> {
    if (input.email === undefined && input.phoneNumber === undefined) {
      throw new AuthError('invalid_create_user_request', 'Either email or phone_number is required.');
    }
    const email = input.email === undefined ? null : normalizeEmail(input.email);
    if (input.phoneNumber !== undefined) assertPhoneNumber(input.phoneNumber);
    const trustedMetadata = input.trustedMetadata ?? {};
    const untrustedMetadata = input.untrustedMetadata ?? {};
    assertMetadata(trustedMetadata);
    assertMetadata(untrustedMetadata);
    if (input.externalId !== undefined) assertExternalId(input.externalId);
    if (input.roles !== undefined) assertRoles(input.roles);

    const env = project.environment;
    const userId = newId('user', env);
    const emailId = email === null ? '' : newId('email', env);
    const phoneId = input.phoneNumber === undefined ? '' : newId('phone-number', env);
    const result = await this.store.insertUser({
      id: userId,
      projectId: project.id,
      status: input.createAsPending === true ? 'pending' : 'active',
      name: { firstName: input.name?.firstName ?? '', middleName: input.name?.middleName ?? '', lastName: input.name?.lastName ?? '' },
      email: email === null ? null : { id: emailId, email, verified: false },
      phone: input.phoneNumber === undefined ? null : { id: phoneId, phoneNumber: input.phoneNumber, verified: false },
      trustedMetadata,
      untrustedMetadata,
      externalId: input.externalId ?? null,
      roles: input.roles ?? [],
      createdAt: this.clock.now(),
    });
    if (result !== 'inserted') throw new AuthError(CONFLICTS[result]);
    return { user: await this.get(project, userId), emailId, phoneId };
  }

  /**
   * PUT /v1/users/{user_id}. Metadata merges at the top level under the user's row lock, so
   * concurrent updates of different keys all land.
   */
  async update(project: Project, userId: string, input: UpdateUserInput): Promise<User> {
    if (input.trustedMetadata !== undefined) assertMetadataPatch(input.trustedMetadata);
    if (input.untrustedMetadata !== undefined) assertMetadataPatch(input.untrustedMetadata);
    if (input.externalId !== undefined) assertExternalId(input.externalId);
    if (input.roles !== undefined) assertRoles(input.roles);
    const id = await this.store.transaction(async (tx) => {
      const user = await findUser(tx, project.id, userId, true);
      if (!user) throw new AuthError('user_not_found');
      const changes: UserChanges = {};
      if (input.name) changes.name = { ...user.name, ...definedParts(input.name) };
      if (input.trustedMetadata !== undefined) changes.trustedMetadata = mergeMetadata(user.trustedMetadata, input.trustedMetadata);
      if (input.untrustedMetadata !== undefined) changes.untrustedMetadata = mergeMetadata(user.untrustedMetadata, input.untrustedMetadata);
      if (input.externalId !== undefined) changes.externalId = input.externalId;
      if (input.roles !== undefined) changes.roles = input.roles;
      const result = await tx.updateUser(project.id, user.id, changes);
      if (result === 'external_id_taken') throw new AuthError('duplicate_user_external_id');
      if (result === 'not_found') throw new AuthError('user_not_found');
      return user.id;
    });
    return this.get(project, id);
  }

  /** One page of matching users, the total that match, and the cursor of the next page (or null). */
  async search(project: Project, input: SearchInput): Promise<{ users: User[]; total: number; nextCursor: string | null }> {
    const query = parseSearch(input);
    // One more than asked tells whether another page exists without a second query.
    const { users, total } = await this.store.searchUsers(project.id, { ...query, limit: query.limit + 1 });
    const page = users.slice(0, query.limit);
    const last = page[page.length - 1];
    const nextCursor = users.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null;
    return { users: page, total, nextCursor };
  }

  /** Deletes the user (by user id or external id) with its emails, password and sessions; returns its user id. */
  async delete(project: Project, userId: string): Promise<string> {
    const user = await findUser(this.store, project.id, userId);
    if (!user || !(await this.store.deleteUser(project.id, user.id))) throw new AuthError('user_not_found');
    return user.id;
  }

  /**
   * DELETE /v1/users/passwords/{password_id}. Sessions stay; outstanding email reset tokens
   * die with the password, in the same transaction.
   */
  async deletePassword(project: Project, passwordId: string): Promise<User> {
    if (!isIdOf('password', passwordId)) throw new AuthError('invalid_password_id', 'password_id is not a password id.');
    const userId = await this.store.transaction(async (tx) => {
      const owner = await tx.deletePassword(project.id, passwordId);
      if (owner === null) throw new AuthError('password_not_found');
      await tx.invalidateResetTokens(project.id, owner, this.clock.now());
      return owner;
    });
    return this.get(project, userId);
  }

  /** DELETE /v1/users/emails/{email_id}. Reset tokens sent to the user end with it. */
  async deleteEmail(project: Project, emailId: string): Promise<User> {
    if (!isIdOf('email', emailId)) throw new AuthError('invalid_email_id', 'email_id is not an email id.');
    const userId = await this.store.transaction(async (tx) => {
      const owner = await tx.deleteEmail(project.id, emailId);
      if (owner === null) throw new AuthError('email_not_found');
      await tx.invalidateResetTokens(project.id, owner, this.clock.now());
      return owner;
    });
    return this.get(project, userId);
  }

  /** DELETE /v1/users/phone_numbers/{phone_id}. */
  async deletePhoneNumber(project: Project, phoneId: string): Promise<User> {
    const owner = await this.store.deletePhoneNumber(project.id, phoneId);
    if (owner === null) throw new AuthError('phone_number_not_found');
    return this.get(project, owner);
  }

  /** DELETE /v1/users/{user_id}/external_id. */
  async deleteExternalId(project: Project, userId: string): Promise<User> {
    const id = await this.store.transaction(async (tx) => {
      const user = await findUser(tx, project.id, userId, true);
      if (!user) throw new AuthError('user_not_found');
      await tx.updateUser(project.id, user.id, { externalId: null });
      return user.id;
    });
    return this.get(project, id);
  }
}

function definedParts(name: Partial<Name>): Partial<Name> {
  return Object.fromEntries(Object.entries(name).filter(([, v]) => v !== undefined));
}
