/**
 * Row types: snake_case, exactly as stored. They never leave src/storage/.
 * Timestamps are milliseconds since the epoch (BIGINT); booleans are 0/1 INTEGERs and JSON is
 * TEXT, so both dialects store the same values.
 */
import type { Generated } from 'kysely';

export interface ProjectsTable {
  id: string;
  environment: string;
  settings: string;
  created_at: number;
}

export interface ProjectSecretsTable {
  id: string;
  project_id: string;
  secret_hash: string;
  created_at: number;
}

export interface PublicTokensTable {
  token: string;
  project_id: string;
  created_at: number;
}

/** A project's RBAC policy (src/rbac/), as JSON; a project without a row has the default one. */
export interface RbacPoliciesTable {
  project_id: string;
  policy: string;
  updated_at: number;
}

export interface SigningKeysTable {
  kid: string;
  project_id: string;
  private_key: string;
  public_jwk: string;
  created_at: number;
  /** After this instant the key no longer signs; it stays published until retired_at + 5 min. */
  retired_at: number | null;
}

export interface UsersTable {
  id: string;
  project_id: string;
  status: string;
  first_name: string;
  middle_name: string;
  last_name: string;
  trusted_metadata: string;
  untrusted_metadata: string;
  external_id: string | null;
  roles: string;
  created_at: number;
  failed_attempts: Generated<number>;
  lock_created_at: number | null;
  lock_expires_at: number | null;
}

export interface EmailsTable {
  id: string;
  project_id: string;
  user_id: string;
  email: string;
  verified: number;
  created_at: number;
}

export interface PhoneNumbersTable {
  id: string;
  project_id: string;
  user_id: string;
  phone_number: string;
  verified: number;
  created_at: number;
}

export interface PasswordsTable {
  id: string;
  project_id: string;
  user_id: string;
  hash: string;
  requires_reset: number;
  created_at: number;
  updated_at: number;
}

export interface PasswordResetTokensTable {
  id: string;
  project_id: string;
  user_id: string;
  email_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  code_challenge: string | null;
  ip_address: string;
  user_agent: string;
}

export interface SessionsTable {
  id: string;
  project_id: string;
  user_id: string;
  token_hash: string;
  started_at: number;
  last_accessed_at: number;
  expires_at: number;
  revoked_at: number | null;
  ip_address: string;
  user_agent: string;
  custom_claims: string;
  factors: string;
}

export interface RateLimitCountersTable {
  key: string;
  window_start: number;
  count: number;
}

/** One authentication attempt (see src/events/). */
export interface AuthEventsTable {
  id: string;
  project_id: string;
  user_id: string | null;
  route: string;
  outcome: string;
  client_address: string;
  request_id: string;
  created_at: number;
}

export interface Database {
  projects: ProjectsTable;
  project_secrets: ProjectSecretsTable;
  public_tokens: PublicTokensTable;
  rbac_policies: RbacPoliciesTable;
  signing_keys: SigningKeysTable;
  users: UsersTable;
  emails: EmailsTable;
  phone_numbers: PhoneNumbersTable;
  passwords: PasswordsTable;
  sessions: SessionsTable;
  password_reset_tokens: PasswordResetTokensTable;
  rate_limit_counters: RateLimitCountersTable;
  auth_events: AuthEventsTable;
}
