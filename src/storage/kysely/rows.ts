// Converters between rows and domain objects. Dialect quirks (0/1 booleans, TEXT JSON,
// BIGINT timestamps) end here.
import type { Selectable } from 'kysely';
import { PROJECT_DEFAULTS, type Project, type ProjectSettings } from '../../projects/project.js';
import type { Environment } from '../../random.js';
import type { AuthenticationFactor, Session } from '../../sessions/session.js';
import type { User } from '../../users/user.js';
import type { EmailsTable, PasswordsTable, PhoneNumbersTable, ProjectsTable, SessionsTable, UsersTable } from '../schema.js';

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function projectFromRow(row: Selectable<ProjectsTable>): Project {
  return {
    id: row.id,
    environment: row.environment as Environment,
    createdAt: Number(row.created_at),
    settings: { ...PROJECT_DEFAULTS, ...parseJson<Partial<ProjectSettings>>(row.settings) },
  };
}

export function userFromRows(
  row: Selectable<UsersTable>,
  emails: Selectable<EmailsTable>[],
  phones: Selectable<PhoneNumbersTable>[],
  password: Pick<Selectable<PasswordsTable>, 'id' | 'requires_reset'> | undefined,
): User {
  return {
    id: row.id,
    projectId: row.project_id,
    status: row.status as User['status'],
    name: { firstName: row.first_name, middleName: row.middle_name, lastName: row.last_name },
    emails: emails.map((e) => ({ id: e.id, email: e.email, verified: e.verified === 1 })),
    phoneNumbers: phones.map((p) => ({ id: p.id, phoneNumber: p.phone_number, verified: p.verified === 1 })),
    trustedMetadata: parseJson(row.trusted_metadata),
    untrustedMetadata: parseJson(row.untrusted_metadata),
    externalId: row.external_id,
    roles: parseJson(row.roles),
    createdAt: Number(row.created_at),
    password: password ? { id: password.id, requiresReset: password.requires_reset === 1 } : null,
    lock: {
      failedAttempts: row.failed_attempts,
      lockCreatedAt: row.lock_created_at === null ? null : Number(row.lock_created_at),
      lockExpiresAt: row.lock_expires_at === null ? null : Number(row.lock_expires_at),
    },
  };
}

export function sessionFromRow(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    projectId: row.project_id,
    userId: row.user_id,
    startedAt: Number(row.started_at),
    lastAccessedAt: Number(row.last_accessed_at),
    expiresAt: Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    attributes: { ipAddress: row.ip_address, userAgent: row.user_agent },
    customClaims: parseJson(row.custom_claims),
    factors: parseJson<AuthenticationFactor[]>(row.factors),
  };
}
