/**
 * A project's RBAC policy (Stytch consumer RBAC): resources with their actions, roles that
 * grant actions on resources, and scopes (served for SDKs, not evaluated by Postern). Every
 * user holds `stytch_user`; `stytch_admin` exists to be assigned.
 */
import { AuthError } from '../errors.js';

export interface Permission {
  resourceId: string;
  /** Actions of the resource, or `*` alone for all of them. */
  actions: string[];
}

export interface Role {
  roleId: string;
  description: string;
  permissions: Permission[];
}

export interface Resource {
  resourceId: string;
  description: string;
  actions: string[];
}

export interface Scope {
  scope: string;
  description: string;
  permissions: Permission[];
}

export interface RbacPolicy {
  roles: Role[];
  resources: Resource[];
  scopes: Scope[];
}

export interface AuthorizationCheck {
  resourceId: string;
  action: string;
}

export interface AuthorizationVerdict {
  authorized: true;
  /** The subject's roles that grant the action, in policy order. */
  grantingRoles: string[];
}

export const WILDCARD_ACTION = '*';

/** Stytch's predefined roles: every policy has them, with the permissions the project gives them. */
export const DEFAULT_ROLES: readonly Role[] = [
  { roleId: 'stytch_user', description: 'Granted to every user.', permissions: [] },
  { roleId: 'stytch_admin', description: 'An administrator; assigned explicitly.', permissions: [] },
];

/** The policy of a project that never set one: the default roles, no resources. */
export function defaultPolicy(): RbacPolicy {
  return { roles: DEFAULT_ROLES.map((r) => ({ ...r, permissions: [] })), resources: [], scopes: [] };
}

/** `policy` with any default role it lacks put first (with no permissions). */
export function withDefaultRoles(policy: RbacPolicy): RbacPolicy {
  const missing = DEFAULT_ROLES.filter((d) => !policy.roles.some((r) => r.roleId === d.roleId)).map((r) => ({ ...r, permissions: [] }));
  return missing.length === 0 ? policy : { ...policy, roles: [...missing, ...policy.roles] };
}

/**
 * Evaluates a check against the subject's roles (which include `stytch_user`). A resource or
 * action the policy does not define is refused like a missing permission, never passed: a
 * wildcard grants only the actions the resource lists.
 */
export function authorize(policy: RbacPolicy, subjectRoles: readonly string[], check: AuthorizationCheck): AuthorizationVerdict {
  const resource = policy.resources.find((r) => r.resourceId === check.resourceId);
  if (!resource) {
    throw new AuthError('consumer_session_authorization_error', `The RBAC policy has no resource "${check.resourceId}".`);
  }
  if (!resource.actions.includes(check.action)) {
    throw new AuthError('consumer_session_authorization_error', `The resource "${check.resourceId}" has no action "${check.action}".`);
  }
  const grantingRoles = policy.roles
    .filter((role) => subjectRoles.includes(role.roleId))
    .filter((role) =>
      role.permissions.some((p) => p.resourceId === check.resourceId && (p.actions.includes(check.action) || p.actions.includes(WILDCARD_ACTION))),
    )
    .map((role) => role.roleId);
  if (grantingRoles.length === 0) {
    throw new AuthError('consumer_session_authorization_error', `No role of this user grants "${check.action}" on "${check.resourceId}".`);
  }
  return { authorized: true, grantingRoles };
}
