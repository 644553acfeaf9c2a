import type { FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import type { AuditMode } from './attempts.js';
import type { HttpDeps } from './deps.js';
import { passwordResetHandlers } from './handlers/password-resets.js';
import { passwordHandlers } from './handlers/passwords.js';
import { rbacHandlers } from './handlers/rbac.js';
import { sessionHandlers } from './handlers/sessions.js';
import { userHandlers } from './handlers/users.js';
import { sdkRoutes } from './sdk/routes.js';
import * as S from './wire/schemas.js';
import * as U from './wire/user-schemas.js';

export interface RouteDef {
  method: HTTPMethods;
  url: string;
  /**
   * `project`: Basic credentials required; `optional`: checked if sent; `none`: not read;
   * `public_token`: a frontend route, named by a public token (src/http/sdk/browser.ts).
   */
  auth: 'project' | 'optional' | 'none' | 'public_token';
  schema?: FastifySchema;
  /** Password routes count toward the per-email and per-address rate limits. */
  limited?: boolean;
  /** Routes that prove a credential: their attempts go to the audit trail (docs/security.md). */
  audit?: AuditMode;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** Every route on one screen. */
export function routes(deps: HttpDeps): RouteDef[] {
  const passwords = passwordHandlers(deps);
  const resets = passwordResetHandlers(deps);
  const sessions = sessionHandlers(deps);
  const users = userHandlers(deps);
  const rbac = rbacHandlers(deps);
  return [
    { method: 'POST', url: '/v1/passwords', auth: 'project', limited: true, audit: 'attempts', schema: { body: S.PasswordCreateBody }, handler: passwords.create },
    { method: 'POST', url: '/v1/passwords/authenticate', auth: 'project', limited: true, audit: 'attempts', schema: { body: S.PasswordAuthenticateBody }, handler: passwords.authenticate },
    { method: 'POST', url: '/v1/passwords/migrate', auth: 'project', limited: true, schema: { body: S.MigrateBody }, handler: passwords.migrate },
    { method: 'POST', url: '/v1/passwords/strength_check', auth: 'project', limited: true, schema: { body: S.StrengthCheckBody }, handler: passwords.strengthCheck },
    { method: 'POST', url: '/v1/passwords/existing_password/reset', auth: 'project', limited: true, audit: 'attempts', schema: { body: S.ExistingPasswordResetBody }, handler: passwords.resetExisting },
    { method: 'POST', url: '/v1/passwords/session/reset', auth: 'project', limited: true, audit: 'attempts', schema: { body: S.SessionResetBody }, handler: resets.bySession },
    { method: 'POST', url: '/v1/passwords/email/reset/start', auth: 'project', limited: true, audit: 'attempts', schema: { body: S.EmailResetStartBody }, handler: resets.startByEmail },
    { method: 'POST', url: '/v1/passwords/email/reset', auth: 'project', limited: true, audit: 'attempts', schema: { body: S.EmailResetBody }, handler: resets.byEmail },
    { method: 'POST', url: '/v1/sessions/authenticate', auth: 'project', audit: 'failures', schema: { body: S.SessionAuthenticateBody }, handler: sessions.authenticate },
    { method: 'GET', url: '/v1/sessions', auth: 'project', schema: { querystring: S.SessionsQuery }, handler: sessions.list },
    { method: 'POST', url: '/v1/sessions/revoke', auth: 'project', schema: { body: S.SessionRevokeBody }, handler: sessions.revoke },
    { method: 'GET', url: '/v1/sessions/jwks/:project_id', auth: 'optional', schema: { params: S.ProjectIdParams }, handler: sessions.jwks },
    { method: 'POST', url: '/v1/users', auth: 'project', schema: { body: U.UserCreateBody }, handler: users.create },
    { method: 'POST', url: '/v1/users/search', auth: 'project', schema: { body: S.UserSearchBody }, handler: users.search },
    { method: 'GET', url: '/v1/users/:user_id', auth: 'project', schema: { params: S.UserIdParams }, handler: users.get },
    { method: 'PUT', url: '/v1/users/:user_id', auth: 'project', schema: { params: S.UserIdParams, body: U.UserUpdateBody }, handler: users.update },
    { method: 'DELETE', url: '/v1/users/:user_id', auth: 'project', schema: { params: S.UserIdParams }, handler: users.delete },
    { method: 'DELETE', url: '/v1/users/:user_id/external_id', auth: 'project', schema: { params: S.UserIdParams }, handler: users.deleteExternalId },
    { method: 'DELETE', url: '/v1/users/passwords/:password_id', auth: 'project', schema: { params: U.PasswordIdParams }, handler: users.deletePassword },
    { method: 'DELETE', url: '/v1/users/emails/:email_id', auth: 'project', schema: { params: U.EmailIdParams }, handler: users.deleteEmail },
    { method: 'DELETE', url: '/v1/users/phone_numbers/:phone_id', auth: 'project', schema: { params: U.PhoneIdParams }, handler: users.deletePhoneNumber },
    { method: 'GET', url: '/v1/rbac/policy', auth: 'project', handler: rbac.policy },
    ...sdkRoutes(deps),
  ];
}
