import type { HttpDeps } from '../deps.js';
import type { RouteDef } from '../routes.js';
import { sdkHandlers } from './handlers.js';
import * as S from './schemas.js';

/**
 * The frontend SDK's routes (docs/compatibility.md, "Frontend SDK"). `public_token` auth: the
 * project from the Basic credentials' public token, checked against the request's Origin. The
 * password routes count toward the same rate limits, and go to the same audit trail, as /v1.
 */
export function sdkRoutes(deps: HttpDeps): RouteDef[] {
  const h = sdkHandlers(deps);
  return [
    { method: 'GET', url: '/sdk/v1/projects/bootstrap/:public_token', auth: 'none', schema: { params: S.PublicTokenParams }, handler: h.bootstrap },
    { method: 'POST', url: '/sdk/v1/passwords', auth: 'public_token', limited: true, audit: 'attempts', schema: { body: S.SdkPasswordCreateBody }, handler: h.passwordCreate },
    { method: 'POST', url: '/sdk/v1/passwords/authenticate', auth: 'public_token', limited: true, audit: 'attempts', schema: { body: S.SdkPasswordAuthenticateBody }, handler: h.passwordAuthenticate },
    { method: 'POST', url: '/sdk/v1/passwords/strength_check', auth: 'public_token', limited: true, schema: { body: S.SdkStrengthCheckBody }, handler: h.strengthCheck },
    { method: 'POST', url: '/sdk/v1/passwords/email/reset/start', auth: 'public_token', limited: true, audit: 'attempts', schema: { body: S.SdkEmailResetStartBody }, handler: h.emailResetStart },
    { method: 'POST', url: '/sdk/v1/passwords/email/reset', auth: 'public_token', limited: true, audit: 'attempts', schema: { body: S.SdkEmailResetBody }, handler: h.emailReset },
    { method: 'POST', url: '/sdk/v1/passwords/existing_password/reset', auth: 'public_token', limited: true, audit: 'attempts', schema: { body: S.SdkExistingPasswordResetBody }, handler: h.existingPasswordReset },
    { method: 'POST', url: '/sdk/v1/passwords/session/reset', auth: 'public_token', limited: true, audit: 'attempts', schema: { body: S.SdkSessionResetBody }, handler: h.sessionReset },
    { method: 'POST', url: '/sdk/v1/sessions/authenticate', auth: 'public_token', audit: 'failures', schema: { body: S.SdkSessionAuthenticateBody }, handler: h.sessionAuthenticate },
    { method: 'POST', url: '/sdk/v1/sessions/revoke', auth: 'public_token', handler: h.sessionRevoke },
    { method: 'GET', url: '/sdk/v1/users/me', auth: 'public_token', handler: h.userGet },
    { method: 'PUT', url: '/sdk/v1/users/me', auth: 'public_token', schema: { body: S.SdkUserUpdateBody }, handler: h.userUpdate },
    // Tells whether an address has an account: limited like the password routes.
    { method: 'POST', url: '/sdk/v1/users/search', auth: 'public_token', limited: true, schema: { body: S.SdkUserSearchBody }, handler: h.userSearch },
    { method: 'POST', url: '/sdk/v1/events', auth: 'none', handler: h.events },
  ];
}
