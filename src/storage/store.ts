/**
 * The store: one interface, named by use, implemented once on Kysely for SQLite and
 * PostgreSQL. Every method is scoped to a project. Expected absence is `null`.
 */
import type { AuthEvent, AuthEventQuery } from '../events/auth-event.js';
import type { Project, ProjectSettings } from '../projects/project.js';
import type { RbacPolicy } from '../rbac/policy.js';
import type { Session } from '../sessions/session.js';
import type { UserSearchQuery } from '../users/search.js';
import type { Email, Name, PhoneNumber, User } from '../users/user.js';

export interface SigningKeyRecord {
  kid: string;
  projectId: string;
  /** PKCS#8 PEM. */
  privateKey: string;
  /** The public JWK exactly as published (with x5c and x5tS256). */
  publicJwk: Record<string, unknown>;
  /** When the key begins to sign; a rotated-in key is published (in the JWKS) before that. */
  createdAt: number;
  retiredAt: number | null;
}

export interface NewUser {
  id: string;
  projectId: string;
  status: User['status'];
  name: Name;
  email: Email;
  phone?: PhoneNumber | null | undefined;
  trustedMetadata: Record<string, unknown>;
  untrustedMetadata: Record<string, unknown>;
  externalId: string | null;
  roles: string[];
  createdAt: number;
}

export type InsertUserResult = 'inserted' | 'email_taken' | 'phone_taken' | 'external_id_taken';

/** A user as POST /v1/users may create it: with an email, a phone number, or both. */
export type NewUserRecord = Omit<NewUser, 'email'> & { email: Email | null };

/** The fields `updateUser` writes; absent ones keep their value. Metadata is the merged result. */
export interface UserChanges {
  name?: Name;
  trustedMetadata?: Record<string, unknown>;
  untrustedMetadata?: Record<string, unknown>;
  /** `null` clears the external id. */
  externalId?: string | null;
  /** The full list of assigned roles. */
  roles?: string[];
}

export interface StoredPassword {
  id: string;
  userId: string;
  hash: string;
  requiresReset: boolean;
}

/** A single-use email reset token; the token itself is stored only as a digest. */
export interface ResetTokenRecord {
  id: string;
  projectId: string;
  userId: string;
  emailId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  /** PKCE: base64url SHA-256 of the verifier, when the start call gave one. */
  codeChallenge: string | null;
  attributes: { ipAddress: string; userAgent: string };
}

/** A project secret as stored: its id and the SHA-256 digest (hex) of the secret. */
export interface ProjectSecretRecord {
  id: string;
  hash: string;
  createdAt: number;
}

/** A public token: names the project to the frontend SDKs; not a secret, stored as it is. */
export interface PublicTokenRecord {
  token: string;
  createdAt: number;
}

export interface Store {
  /** Runs `fn` in one transaction; everything it writes lands together or not at all. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * One round trip to the database (readiness); rejects when it cannot answer, and on SQLite
   * when the file at the configured path is no longer the one this store opened.
   */
  ping(): Promise<void>;

  // projects
  /** Inserts the project with its first secret. */
  insertProject(project: Project, secret: ProjectSecretRecord): Promise<void>;
  /** The project and the digests of every secret it holds, or null. */
  getProjectWithSecretHashes(projectId: string): Promise<{ project: Project; secretHashes: string[] } | null>;
  /** The project's secrets, oldest first (no digests). */
  listProjectSecrets(projectId: string): Promise<Array<{ id: string; createdAt: number }>>;
  insertProjectSecret(projectId: string, secret: ProjectSecretRecord): Promise<void>;
  /** Deletes one secret, never the project's last one (concurrent deletes included). */
  deleteProjectSecret(projectId: string, secretId: string): Promise<'deleted' | 'not_found' | 'last'>;
  countProjects(): Promise<number>;
  /** Every project, oldest first (a self-hosted server holds few). */
  listProjects(): Promise<Project[]>;
  insertPublicToken(projectId: string, token: PublicTokenRecord): Promise<void>;
  /** The project a public token names, or null. */
  getProjectByPublicToken(token: string): Promise<Project | null>;
  /** The project's public tokens, oldest first. */
  listPublicTokens(projectId: string): Promise<PublicTokenRecord[]>;
  /** Deletes one public token, never the project's last one (concurrent deletes included). */
  deletePublicToken(projectId: string, token: string): Promise<'deleted' | 'not_found' | 'last'>;
  updateProjectSettings(projectId: string, settings: ProjectSettings): Promise<void>;

  // RBAC policy
  /** The project's stored RBAC policy, or null when it never set one (or the project does not exist). */
  getRbacPolicy(projectId: string): Promise<RbacPolicy | null>;
  /** Replaces the project's RBAC policy whole; false (writing nothing) when there is no such project. */
  setRbacPolicy(projectId: string, policy: RbacPolicy, now: number): Promise<boolean>;

  // signing keys
  listSigningKeys(projectId: string): Promise<SigningKeyRecord[]>;
  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  /** Schedules the retirement of every key of the project not yet retired, except `exceptKid`. */
  retireSigningKeys(projectId: string, at: number, exceptKid: string): Promise<void>;

  // users
  /**
   * Inserts the user with its email and/or phone; when the email, phone number or external id
   * is already taken in the project, writes nothing and says which.
   */
  insertUser(user: NewUserRecord): Promise<InsertUserResult>;
  getUser(projectId: string, userId: string): Promise<User | null>;
  getUserByEmail(projectId: string, email: string): Promise<User | null>;
  /** One page of the project's users matching the query, ordered by (createdAt, id), and the total matching. */
  searchUsers(projectId: string, query: UserSearchQuery): Promise<{ users: User[]; total: number }>;
  /** Deletes the user with its emails, password and sessions; false when there was none. */
  deleteUser(projectId: string, userId: string): Promise<boolean>;
  /**
   * Counts one failed authentication. A lock that has run out is cleared first, so the count
   * starts over. When the count reaches `threshold` the user is locked until now + lockMs.
   * True when this attempt locked the user (of concurrent ones, exactly one).
   */
  recordFailedAttempt(projectId: string, userId: string, now: number, threshold: number, lockMs: number): Promise<boolean>;
  /** A pending user becomes active at its first successful authentication. */
  activateUser(projectId: string, userId: string): Promise<void>;
  /** Clears the failure counter and any lock (a successful authentication). */
  clearFailedAttempts(projectId: string, userId: string): Promise<void>;

  // ---- users API
  getUserByExternalId(projectId: string, externalId: string): Promise<User | null>;
  /**
   * Reads the user and, inside a transaction, holds its row until the transaction ends, so a
   * read-merge-write (metadata) cannot lose a concurrent update.
   */
  getUserForUpdate(projectId: string, userId: string): Promise<User | null>;
  /**
   * Writes the given fields. 'external_id_taken' (writing nothing) when another user of the
   * project has that external id, even when it lost a race for it; the surrounding transaction
   * stays usable.
   */
  updateUser(projectId: string, userId: string, changes: UserChanges): Promise<'updated' | 'not_found' | 'external_id_taken'>;
  /** Deletes the password; the id of the user it belonged to, or null when there was none. */
  deletePassword(projectId: string, passwordId: string): Promise<string | null>;
  /** Deletes the email address; the id of the user it belonged to, or null when there was none. */
  deleteEmail(projectId: string, emailId: string): Promise<string | null>;
  /** Deletes the phone number; the id of the user it belonged to, or null when there was none. */
  deletePhoneNumber(projectId: string, phoneId: string): Promise<string | null>;

  // passwords
  getPassword(projectId: string, userId: string): Promise<StoredPassword | null>;
  /** Returns false (writing nothing) when the user already has a password. */
  insertPassword(projectId: string, password: StoredPassword, now: number): Promise<boolean>;
  markEmailVerified(projectId: string, emailId: string): Promise<void>;
  /**
   * Replaces the hash only if it is still `expectedHash` (the one the caller verified), so of
   * two concurrent resets from the same password exactly one wins. Returns whether it did.
   */
  replacePasswordHash(projectId: string, passwordId: string, expectedHash: string, newHash: string, now: number): Promise<boolean>;
  /** Flags the password so that it must be reset (breached, or below the current policy). */
  markPasswordRequiresReset(projectId: string, passwordId: string): Promise<void>;
  /**
   * One page of every project's password hashes, in password-id order, after `afterId` (null:
   * from the start). For server-wide tallies such as `postern passwords peppers`.
   */
  listPasswordHashes(afterId: string | null, limit: number): Promise<Array<{ id: string; hash: string }>>;

  // rate limits
  /**
   * Counts one hit on `key` in the fixed window starting at `windowStart` (a new window starts
   * the count again at 1) and returns the count, atomically across every instance.
   */
  hitRateLimit(key: string, windowStart: number): Promise<number>;
  /** Forgets counters of windows that started before `before`. */
  pruneRateLimits(before: number): Promise<void>;

  // authentication audit events
  /** Inserts the events, in as few statements as the dialect allows (one per few hundred rows). */
  insertAuthEvents(events: AuthEvent[]): Promise<void>;
  /** Events matching the query, newest first (ties by id), at most `query.limit`. */
  listAuthEvents(query: AuthEventQuery): Promise<AuthEvent[]>;
  /** Deletes the events created before `before`, in every project; returns how many. */
  pruneAuthEvents(before: number): Promise<number>;

  // password reset tokens
  insertResetToken(token: ResetTokenRecord, tokenHash: string): Promise<void>;
  getResetTokenByHash(projectId: string, tokenHash: string): Promise<ResetTokenRecord | null>;
  /** Marks the token used if it is unused and unexpired; false when it was not (single use, even under races). */
  consumeResetToken(projectId: string, tokenId: string, now: number): Promise<boolean>;
  deleteResetToken(projectId: string, tokenId: string): Promise<void>;
  /** Ends every outstanding reset token of the user (its password changed). */
  invalidateResetTokens(projectId: string, userId: string, now: number): Promise<void>;

  // sessions
  insertSession(session: Session, tokenHash: string): Promise<void>;
  getSessionByTokenHash(projectId: string, tokenHash: string): Promise<Session | null>;
  getSessionById(projectId: string, sessionId: string): Promise<Session | null>;
  /**
   * Compare-and-set of the mutable fields (last_accessed_at, expires_at, custom_claims,
   * factors): writes `session` only if the row still holds `expected`'s values and is neither
   * revoked nor expired at `now`. False when it was not written.
   */
  updateSession(session: Session, expected: Session, now: number): Promise<boolean>;
  listActiveSessions(projectId: string, userId: string, now: number): Promise<Session[]>;
  /** Returns false when the session does not exist or is already revoked. */
  revokeSession(projectId: string, sessionId: string, now: number): Promise<boolean>;
  /** Revokes every live session of the user except `exceptSessionId`. */
  revokeUserSessions(projectId: string, userId: string, now: number, exceptSessionId?: string): Promise<void>;
}
