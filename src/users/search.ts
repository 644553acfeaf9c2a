/**
 * Users search (POST /v1/users/search): the filters Stytch defines that apply to users of a
 * passwords server, parsed into a closed union the store compiles to SQL.
 */
import { AuthError, type ErrorType } from '../errors.js';

export type UserFilter =
  | { kind: 'user_id' | 'email_address' | 'email_id' | 'phone_number' | 'phone_id'; values: string[] }
  | { kind: 'email_address_fuzzy' | 'full_name_fuzzy' | 'phone_number_fuzzy'; value: string }
  | { kind: 'password_exists' | 'email_verified' | 'phone_verified'; value: boolean }
  | { kind: 'status'; value: 'active' | 'pending' }
  | { kind: 'created_at'; after: number | null; before: number | null }
  /** A filter on a factor Postern never holds (OAuth, WebAuthn, TOTP, crypto wallets): no user matches. */
  | { kind: 'none' };

export interface UserSearchQuery {
  operator: 'AND' | 'OR';
  filters: UserFilter[];
  limit: number;
  /** Resume after this (created_at, user_id) position. */
  after: { createdAt: number; id: string } | null;
}

export interface SearchInput {
  cursor?: string | undefined;
  limit?: number | undefined;
  query?: { operator?: string | undefined; operands?: Array<{ filter_name?: unknown; filter_value?: unknown }> | undefined } | undefined;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const MAX_VALUES = 1000;

function strings(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new AuthError('user_search_expected_array_of_string', `${name} takes a non-empty array of strings.`);
  }
  if (value.length > MAX_VALUES) {
    throw new AuthError('user_search_maximum_filter_value_count_exceeded', `${name} takes at most ${MAX_VALUES} values.`);
  }
  return value;
}

function bool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new AuthError('user_search_invalid_filter_value', `${name} takes true or false.`);
  return value;
}

function text(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new AuthError('user_search_invalid_filter_value', `${name} takes a string.`);
  return value;
}

function atLeast(value: string, min: number, type: ErrorType, name: string): string {
  if (value.length < min) throw new AuthError(type, `${name} needs at least ${min} characters.`);
  return value;
}

function instant(name: string, value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new AuthError('user_search_invalid_filter_value', `${name} takes an RFC 3339 timestamp.`);
  return ms;
}

/** The digits of a phone fragment such as "+1 (415) 555"; numbers are stored as E.164. */
function phoneDigits(name: string, value: string): string {
  if (!/^[0-9+\s().-]*$/.test(value)) throw new AuthError('user_search_invalid_filter_value', `${name} takes digits of a phone number.`);
  return atLeast(value.replace(/\D/g, ''), 3, 'user_search_phone_number_fuzzy_too_short', `${name} (digits)`);
}

function between(value: unknown): UserFilter {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthError('user_search_invalid_filter_value', 'created_at_between takes {greater_than, less_than}.');
  }
  const v = value as { greater_than?: unknown; less_than?: unknown };
  if (v.greater_than === undefined || v.greater_than === null) throw new AuthError('user_search_missing_greater_than', 'created_at_between needs greater_than.');
  if (v.less_than === undefined || v.less_than === null) throw new AuthError('user_search_missing_less_than', 'created_at_between needs less_than.');
  return { kind: 'created_at', after: instant('greater_than', v.greater_than), before: instant('less_than', v.less_than) };
}

/** Filters on factors a passwords server never stores: validated like Stytch does, and they match no user. */
const NEVER_HELD_LISTS = new Set(['oauth_provider', 'webauthn_registration_id', 'crypto_wallet_id', 'crypto_wallet_address', 'totp_id']);
const NEVER_HELD_FLAGS = new Set(['webauthn_registration_verified', 'crypto_wallet_verified', 'totp_verified']);
const KNOWN = new Set([
  'user_id', 'email_id', 'email_address', 'email_address_fuzzy', 'email_verified', 'phone_number', 'phone_id', 'phone_number_fuzzy',
  'phone_verified', 'full_name_fuzzy', 'password_exists', 'status', 'created_at_greater_than', 'created_at_less_than',
  'created_at_between', ...NEVER_HELD_LISTS, ...NEVER_HELD_FLAGS,
]);

function parseFilter(name: unknown, value: unknown): UserFilter {
  if (name === undefined || name === null) throw new AuthError('user_search_missing_filter_name', 'Each operand needs a filter_name.');
  if (typeof name !== 'string') throw new AuthError('user_search_filter_name_must_be_string', 'filter_name must be a string.');
  if (!KNOWN.has(name)) throw new AuthError('user_search_filter_name_not_recognized', `Unknown filter_name ${JSON.stringify(name).slice(0, 80)}.`);
  if (value === undefined || value === null) throw new AuthError('user_search_missing_filter_value', `${name} needs a filter_value.`);
  if (NEVER_HELD_LISTS.has(name) || NEVER_HELD_FLAGS.has(name)) {
    if (NEVER_HELD_LISTS.has(name)) strings(name, value);
    else bool(name, value);
    return { kind: 'none' };
  }
  switch (name) {
    case 'user_id':
    case 'email_id':
    case 'phone_id':
      return { kind: name, values: strings(name, value) };
    case 'email_address':
      return { kind: name, values: strings(name, value).map((e) => e.trim().toLowerCase()) };
    case 'phone_number':
      return { kind: name, values: strings(name, value).map((p) => p.trim()) };
    case 'email_address_fuzzy':
      return { kind: name, value: atLeast(text(name, value), 3, 'user_search_email_address_fuzzy_too_short', name).toLowerCase() };
    case 'full_name_fuzzy':
      return { kind: name, value: atLeast(text(name, value), 1, 'user_search_full_name_fuzzy_too_short', name).toLowerCase() };
    case 'phone_number_fuzzy':
      return { kind: name, value: phoneDigits(name, text(name, value)) };
    case 'password_exists':
    case 'email_verified':
    case 'phone_verified':
      return { kind: name, value: bool(name, value) };
    case 'status':
      if (value !== 'active' && value !== 'pending') throw new AuthError('user_search_invalid_status_filter', 'status takes "active" or "pending".');
      return { kind: 'status', value };
    case 'created_at_greater_than':
      return { kind: 'created_at', after: instant(name, value), before: null };
    case 'created_at_less_than':
      return { kind: 'created_at', after: null, before: instant(name, value) };
    default: // created_at_between, the one known name left
      return between(value);
  }
}

/** Cursors are opaque to callers: the position of the last user returned. */
export function encodeCursor(position: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // created_at is milliseconds since the epoch: a safe, non-negative integer (a larger one
    // would not fit the column it is compared with).
    if (Array.isArray(parsed) && Number.isSafeInteger(parsed[0]) && (parsed[0] as number) >= 0 && typeof parsed[1] === 'string' && !parsed[1].includes('\u0000')) {
      return { createdAt: parsed[0] as number, id: parsed[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new AuthError('user_search_invalid_cursor', 'The cursor is not one this server issued.');
}

export function parseSearch(input: SearchInput): UserSearchQuery {
  const limit = input.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new AuthError('user_search_invalid_limit', `limit must be an integer from 1 to ${MAX_LIMIT}.`);
  }
  const operator = input.query?.operator ?? 'AND';
  if (operator !== 'AND' && operator !== 'OR') throw new AuthError('user_search_invalid_operator', 'operator must be "AND" or "OR".');
  const filters = (input.query?.operands ?? []).map((o) => parseFilter(o.filter_name, o.filter_value));
  return { operator, filters, limit, after: input.cursor ? decodeCursor(input.cursor) : null };
}
