/**
 * Users search (POST /v1/users/search): the filters Stytch defines that apply to users of a
 * passwords server, parsed into a closed union the store compiles to SQL.
 */
import { AuthError } from '../errors.js';

export type UserFilter =
  | { kind: 'user_id' | 'email_address' | 'email_id'; values: string[] }
  | { kind: 'email_address_fuzzy' | 'full_name_fuzzy'; value: string }
  | { kind: 'password_exists' | 'email_verified'; value: boolean }
  | { kind: 'status'; value: 'active' | 'pending' }
  | { kind: 'created_at'; after: number | null; before: number | null };

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
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_VALUES || !value.every((v) => typeof v === 'string')) {
    throw new AuthError('user_search_expected_array_of_string', `${name} takes a non-empty array of strings.`);
  }
  return value;
}

function bool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new AuthError('user_search_invalid_filter_value', `${name} takes true or false.`);
  return value;
}

function text(name: string, value: unknown, min: number): string {
  if (typeof value !== 'string') throw new AuthError('user_search_invalid_filter_value', `${name} takes a string.`);
  if (value.length < min) {
    throw new AuthError(name === 'email_address_fuzzy' ? 'user_search_email_address_fuzzy_too_short' : 'user_search_invalid_filter_value', `${name} needs at least ${min} characters.`);
  }
  return value;
}

function instant(name: string, value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new AuthError('user_search_invalid_filter_value', `${name} takes an RFC 3339 timestamp.`);
  return ms;
}

function parseFilter(name: unknown, value: unknown): UserFilter {
  if (typeof name !== 'string') throw new AuthError('user_search_filter_name_not_recognized', 'Each operand needs a filter_name.');
  if (value === undefined || value === null) throw new AuthError('user_search_missing_filter_value', `${name} needs a filter_value.`);
  switch (name) {
    case 'user_id':
    case 'email_id':
      return { kind: name, values: strings(name, value) };
    case 'email_address':
      return { kind: name, values: strings(name, value).map((e) => e.trim().toLowerCase()) };
    case 'email_address_fuzzy':
      return { kind: name, value: text(name, value, 3).toLowerCase() };
    case 'full_name_fuzzy':
      return { kind: name, value: text(name, value, 1).toLowerCase() };
    case 'password_exists':
    case 'email_verified':
      return { kind: name, value: bool(name, value) };
    case 'status':
      if (value !== 'active' && value !== 'pending') throw new AuthError('user_search_invalid_filter_value', 'status takes "active" or "pending".');
      return { kind: 'status', value };
    case 'created_at_greater_than':
      return { kind: 'created_at', after: instant(name, value), before: null };
    case 'created_at_less_than':
      return { kind: 'created_at', after: null, before: instant(name, value) };
    case 'created_at_between': {
      const v = value as { greater_than?: unknown; less_than?: unknown };
      if (typeof value !== 'object') throw new AuthError('user_search_invalid_filter_value', 'created_at_between takes {greater_than, less_than}.');
      return { kind: 'created_at', after: instant('greater_than', v.greater_than), before: instant('less_than', v.less_than) };
    }
    default:
      throw new AuthError('user_search_filter_name_not_recognized', `Unknown filter_name ${JSON.stringify(name).slice(0, 80)}.`);
  }
}

/** Cursors are opaque to callers: the position of the last user returned. */
export function encodeCursor(position: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && Number.isInteger(parsed[0]) && typeof parsed[1] === 'string') {
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
