/**
 * The store: one interface, named by use, implemented once on Kysely for SQLite and
 * PostgreSQL. Every method is scoped to a project. Expected absence is `null`.
 */
import type { Project, ProjectSettings } from '../projects/project.js';
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

export interface StoredPassword {
  id: string;
  userId: string;
  hash: string;
  requiresReset: boolean;
}

export interface Store {
  /** Runs `fn` in one transaction; everything it writes lands together or not at all. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;

  // projects
  insertProject(project: Project, secretHash: string): Promise<void>;
  getProjectWithSecretHash(projectId: string): Promise<{ project: Project; secretHash: string } | null>;
  countProjects(): Promise<number>;
  updateProjectSettings(projectId: string, settings: ProjectSettings): Promise<void>;

  // signing keys
  listSigningKeys(projectId: string): Promise<SigningKeyRecord[]>;
  insertSigningKey(key: SigningKeyRecord): Promise<void>;

  // users
  /**
   * Inserts the user with its email (and phone); when the email, phone number or external id
   * is already taken in the project, writes nothing and says which.
   */
  insertUser(user: NewUser): Promise<InsertUserResult>;
  getUser(projectId: string, userId: string): Promise<User | null>;
  getUserByEmail(projectId: string, email: string): Promise<User | null>;
  /** One page of the project's users matching the query, ordered by (createdAt, id), and the total matching. */
  searchUsers(projectId: string, query: UserSearchQuery): Promise<{ users: User[]; total: number }>;
  /** Deletes the user with its emails, password and sessions; false when there was none. */
  deleteUser(projectId: string, userId: string): Promise<boolean>;
  /**
   * Counts one failed authentication. A lock that has run out is cleared first, so the count
   * starts over. When the count reaches `threshold` the user is locked until now + lockMs.
   */
  recordFailedAttempt(projectId: string, userId: string, now: number, threshold: number, lockMs: number): Promise<void>;
  /** Clears the failure counter and any lock (a successful authentication). */
  clearFailedAttempts(projectId: string, userId: string): Promise<void>;

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

  // sessions
  insertSession(session: Session, tokenHash: string): Promise<void>;
  getSessionByTokenHash(projectId: string, tokenHash: string): Promise<Session | null>;
  getSessionById(projectId: string, sessionId: string): Promise<Session | null>;
  /** Writes the mutable fields: last_accessed_at, expires_at, custom_claims, factors. */
  updateSession(session: Session): Promise<void>;
  listActiveSessions(projectId: string, userId: string, now: number): Promise<Session[]>;
  /** Returns false when the session does not exist or is already revoked. */
  revokeSession(projectId: string, sessionId: string, now: number): Promise<boolean>;
  /** Revokes every live session of the user except `exceptSessionId`. */
  revokeUserSessions(projectId: string, userId: string, now: number, exceptSessionId?: string): Promise<void>;
}
