import { AuthError } from '../errors.js';

// A pragmatic address check (RFC 5321 lengths, one @, a dotted domain, no spaces or control
// characters). Deliverability is the mail server's business, not ours.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** Trims and lowercases the address; emails are matched case-insensitively. */
export function normalizeEmail(input: string): string {
  const email = input.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const labels = domain.split('.');
  const valid =
    at > 0 &&
    email.length <= 254 &&
    local.length <= 64 &&
    LOCAL.test(local) &&
    !local.startsWith('.') &&
    !local.endsWith('.') &&
    !local.includes('..') &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l)) &&
    /[a-z]/.test(labels[labels.length - 1] ?? '');
  if (!valid) throw new AuthError('invalid_email', 'Email format is invalid.');
  return email;
}
