import { AuthError } from '../errors.js';

// E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
const E164 = /^\+[1-9]\d{6,14}$/;
const EXTERNAL_ID = /^[A-Za-z0-9._|-]{1,128}$/;

export function assertPhoneNumber(phone: string): void {
  if (!E164.test(phone)) throw new AuthError('invalid_phone_number', 'Phone numbers must be in E.164 format, e.g. +14155550123.');
}

export function assertExternalId(externalId: string): void {
  if (!EXTERNAL_ID.test(externalId)) {
    throw new AuthError('invalid_argument', 'external_id must be 1 to 128 characters of letters, digits, and . _ | -');
  }
}

export function assertRoles(roles: string[]): void {
  if (roles.length > 100 || roles.some((r) => r.length === 0 || r.length > 128 || r === 'stytch_user')) {
    throw new AuthError('invalid_argument', 'roles must be up to 100 role ids of 1 to 128 characters; stytch_user is implicit.');
  }
}

/** Whether `id` has the shape of an id Postern mints for `kind` (`<kind>-<test|live>-<uuid v4>`). */
export function isIdOf(kind: 'password' | 'email', id: string): boolean {
  return new RegExp(`^${kind}-(test|live)-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).test(id);
}
