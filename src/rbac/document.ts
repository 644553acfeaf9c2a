/**
 * The policy document: Stytch's JSON shape of a policy (`{roles, resources, scopes}` with
 * snake_case fields), as `postern rbac set` reads it from a file and `postern rbac show` and
 * `GET /v1/rbac/policy` print it. Reading validates everything and reports every problem.
 */
import { withDefaultRoles, WILDCARD_ACTION, type Permission, type RbacPolicy, type Resource, type Role, type Scope } from './policy.js';

const MAX_ID = 128;
const MAX_DESCRIPTION = 1024;
const MAX_ITEMS = 1000;
const MAX_ACTIONS = 100;
const DEFAULT_ROLE_IDS = new Set(['stytch_user', 'stytch_admin']);

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'PolicyError';
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks a policy document; throws PolicyError listing every problem. */
export function policyFromDocument(doc: unknown): RbacPolicy {
  const problems: string[] = [];
  const p = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (!isObject(doc)) throw new PolicyError(['the policy must be a JSON object {"roles": [...], "resources": [...], "scopes": [...]}']);
  for (const key of Object.keys(doc)) if (!['roles', 'resources', 'scopes'].includes(key)) p(key, 'unknown field (expected roles, resources, scopes)');

  const id = (where: string, v: unknown, field: string): string | null => {
    if (typeof v !== 'string' || v.length === 0) return (p(where, `${field} must be a non-empty string`), null);
    if (v.length > MAX_ID) return (p(where, `${field} is longer than ${MAX_ID} characters`), null);
    if (v.trim() !== v) return (p(where, `${field} "${v}" has leading or trailing spaces`), null);
    return v;
  };
  const description = (where: string, v: unknown): string => {
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') return (p(where, 'description must be a string'), '');
    if (v.length > MAX_DESCRIPTION) p(where, `description is longer than ${MAX_DESCRIPTION} characters`);
    return v;
  };
  const list = (where: string, v: unknown, field: string, max: number): unknown[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) return (p(where, `${field} must be an array`), []);
    if (v.length > max) p(where, `${field} has more than ${max} entries`);
    return v;
  };
  const fields = (where: string, v: Json, allowed: string[]) => {
    for (const key of Object.keys(v)) if (!allowed.includes(key)) p(where, `unknown field "${key}" (expected ${allowed.join(', ')})`);
  };

  // Resources first: roles and scopes are checked against them.
  const resources: Resource[] = [];
  list('resources', doc.resources, 'resources', MAX_ITEMS).forEach((r, i) => {
    const where = `resources[${i}]`;
    if (!isObject(r)) return p(where, 'must be an object {"resource_id", "description", "actions"}');
    fields(where, r, ['resource_id', 'description', 'actions']);
    const resourceId = id(where, r.resource_id, 'resource_id');
    if (resourceId?.toLowerCase().startsWith('stytch')) p(where, `resource_id "${resourceId}": ids beginning with "stytch" are reserved for Stytch`);
    if (resourceId !== null && resources.some((x) => x.resourceId === resourceId)) p(where, `resource_id "${resourceId}" is defined twice`);
    const actions: string[] = [];
    const given = list(where, r.actions, 'actions', MAX_ACTIONS);
    if (given.length === 0) p(where, 'actions must list at least one action');
    given.forEach((a, j) => {
      const action = id(`${where}.actions[${j}]`, a, 'an action');
      if (action === null) return;
      if (action === WILDCARD_ACTION) return p(`${where}.actions[${j}]`, '"*" is not an action; it may only appear in a role or scope permission');
      if (actions.includes(action)) return p(`${where}.actions[${j}]`, `action "${action}" is listed twice`);
      actions.push(action);
    });
    if (resourceId !== null) resources.push({ resourceId, description: description(where, r.description), actions });
  });

  const permissions = (where: string, v: unknown): Permission[] => {
    const out: Permission[] = [];
    list(where, v, 'permissions', MAX_ITEMS).forEach((perm, i) => {
      const at = `${where}.permissions[${i}]`;
      if (!isObject(perm)) return p(at, 'must be an object {"resource_id", "actions"}');
      fields(at, perm, ['resource_id', 'actions']);
      const resourceId = id(at, perm.resource_id, 'resource_id');
      if (resourceId === null) return;
      const resource = resources.find((r) => r.resourceId === resourceId);
      if (!resource) return p(at, `unknown resource "${resourceId}" (defined: ${resources.map((r) => r.resourceId).join(', ') || 'none'})`);
      if (out.some((x) => x.resourceId === resourceId)) return p(at, `resource "${resourceId}" appears in two permissions; list its actions once`);
      const actions: string[] = [];
      const given = list(at, perm.actions, 'actions', MAX_ACTIONS);
      if (given.length === 0) p(at, 'actions must list at least one action');
      given.forEach((a, j) => {
        if (typeof a !== 'string') return p(`${at}.actions[${j}]`, 'an action must be a string');
        if (a !== WILDCARD_ACTION && !resource.actions.includes(a)) {
          return p(`${at}.actions[${j}]`, `unknown action "${a}" of resource "${resourceId}" (its actions: ${[...resource.actions, '*'].join(', ')})`);
        }
        if (actions.includes(a)) return p(`${at}.actions[${j}]`, `action "${a}" is listed twice`);
        actions.push(a);
      });
      if (actions.includes(WILDCARD_ACTION) && actions.length > 1) p(at, '"*" already grants every action; list it alone');
      out.push({ resourceId, actions });
    });
    return out;
  };

  const roles: Role[] = [];
  list('roles', doc.roles, 'roles', MAX_ITEMS).forEach((r, i) => {
    const where = `roles[${i}]`;
    if (!isObject(r)) return p(where, 'must be an object {"role_id", "description", "permissions"}');
    fields(where, r, ['role_id', 'description', 'permissions']);
    const roleId = id(where, r.role_id, 'role_id');
    if (roleId !== null && roleId.toLowerCase().startsWith('stytch') && !DEFAULT_ROLE_IDS.has(roleId)) {
      p(where, `role_id "${roleId}": ids beginning with "stytch" are reserved (only stytch_user and stytch_admin exist)`);
    }
    if (roleId !== null && roles.some((x) => x.roleId === roleId)) p(where, `role_id "${roleId}" is defined twice`);
    const role = { roleId: roleId ?? '', description: description(where, r.description), permissions: permissions(where, r.permissions) };
    if (roleId !== null) roles.push(role);
  });

  const scopes: Scope[] = [];
  list('scopes', doc.scopes, 'scopes', MAX_ITEMS).forEach((s, i) => {
    const where = `scopes[${i}]`;
    if (!isObject(s)) return p(where, 'must be an object {"scope", "description", "permissions"}');
    fields(where, s, ['scope', 'description', 'permissions']);
    const scope = id(where, s.scope, 'scope');
    if (scope !== null && scopes.some((x) => x.scope === scope)) p(where, `scope "${scope}" is defined twice`);
    const entry = { scope: scope ?? '', description: description(where, s.description), permissions: permissions(where, s.permissions) };
    if (scope !== null) scopes.push(entry);
  });

  if (problems.length > 0) throw new PolicyError(problems);
  return withDefaultRoles({ roles, resources, scopes });
}

const permissionDoc = (p: Permission) => ({ resource_id: p.resourceId, actions: p.actions });

/** The policy in Stytch's JSON shape, every field present. */
export function policyToDocument(policy: RbacPolicy) {
  return {
    roles: policy.roles.map((r) => ({ role_id: r.roleId, description: r.description, permissions: r.permissions.map(permissionDoc) })),
    resources: policy.resources.map((r) => ({ resource_id: r.resourceId, description: r.description, actions: r.actions })),
    scopes: policy.scopes.map((s) => ({ scope: s.scope, description: s.description, permissions: s.permissions.map(permissionDoc) })),
  };
}
