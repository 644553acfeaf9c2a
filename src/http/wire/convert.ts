/** Domain objects → Stytch wire objects, with every field Stytch always returns. */
import { rfc3339 } from '../../clock.js';
import { policyToDocument } from '../../rbac/document.js';
import type { AuthorizationVerdict, RbacPolicy } from '../../rbac/policy.js';
import { sessionRoles, type IssuedSession } from '../../sessions/service.js';
import type { AuthenticationFactor, Session } from '../../sessions/session.js';
import { isLocked, type User } from '../../users/user.js';

function time(ms: number | null): string | null {
  return ms === null ? null : rfc3339(ms);
}

export function userToWire(user: User, now: number) {
  return {
    user_id: user.id,
    emails: user.emails.map((e) => ({ email_id: e.id, email: e.email, verified: e.verified })),
    status: user.status,
    phone_numbers: user.phoneNumbers.map((p) => ({ phone_id: p.id, phone_number: p.phoneNumber, verified: p.verified })),
    webauthn_registrations: [],
    providers: [],
    totps: [],
    crypto_wallets: [],
    biometric_registrations: [],
    is_locked: isLocked(user.lock, now),
    roles: sessionRoles(user.roles),
    name: {
      first_name: user.name.firstName,
      middle_name: user.name.middleName,
      last_name: user.name.lastName,
    },
    created_at: rfc3339(user.createdAt),
    password: user.password ? { password_id: user.password.id, requires_reset: user.password.requiresReset } : null,
    trusted_metadata: user.trustedMetadata,
    untrusted_metadata: user.untrustedMetadata,
    external_id: user.externalId,
    lock_created_at: isLocked(user.lock, now) ? time(user.lock.lockCreatedAt) : null,
    lock_expires_at: isLocked(user.lock, now) ? time(user.lock.lockExpiresAt) : null,
  };
}

function factorToWire(f: AuthenticationFactor) {
  return {
    type: f.type,
    delivery_method: f.deliveryMethod,
    created_at: rfc3339(f.createdAt),
    last_authenticated_at: rfc3339(f.lastAuthenticatedAt),
    updated_at: rfc3339(f.updatedAt),
    ...(f.emailFactor ? { email_factor: { email_id: f.emailFactor.emailId, email_address: f.emailFactor.emailAddress } } : {}),
  };
}

export function sessionToWire(session: Session, userRoles: string[]) {
  return {
    session_id: session.id,
    user_id: session.userId,
    started_at: rfc3339(session.startedAt),
    last_accessed_at: rfc3339(session.lastAccessedAt),
    expires_at: rfc3339(session.expiresAt),
    attributes: { ip_address: session.attributes.ipAddress, user_agent: session.attributes.userAgent },
    authentication_factors: session.factors.map(factorToWire),
    custom_claims: session.customClaims,
    roles: sessionRoles(userRoles),
  };
}

/** The body shared by every call that authenticates a user (Stytch's AuthResponse). */
export function authResponseToWire(user: User, issued: IssuedSession | null, now: number) {
  return {
    user_id: user.id,
    user: userToWire(user, now),
    session_token: issued?.token ?? '',
    session_jwt: issued?.jwt ?? '',
    session: issued ? sessionToWire(issued.session, user.roles) : null,
    user_device: null,
  };
}

/** The policy on the wire is the policy document (Stytch's shape), every field present. */
export function policyToWire(policy: RbacPolicy) {
  return policyToDocument(policy);
}

export function verdictToWire(verdict: AuthorizationVerdict) {
  return { authorized: verdict.authorized, granting_roles: verdict.grantingRoles };
}
