/**
 * What the fuzzing suite asserts of every answer (no 5xx, the Stytch envelope with a known
 * error_type, or a well-formed success), the database snapshots that show a rejected request
 * changed nothing, and the fixtures (a user, a live session, a reset token…) that let
 * mostly-valid requests reach the handlers. Not a test file itself.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { isErrorType, statusOf } from '../../src/errors.js';
import { readOutbox } from '../../src/email/outbox.js';
import type { TestServer } from '../helpers/server.js';
import type { Fixture } from './fuzz-routes.js';
import type { Received, Sent } from './fuzz-wire.js';

export const REQUEST_ID = /^request-id-(test|live)-[0-9a-f-]{36}$/;

/** A short, printable description of what was sent, for failure messages. */
export function describeSent(req: Sent): string {
  const clip = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${clip(v, 120)}`);
  const body = req.body === undefined ? '(no body)' : clip(JSON.stringify(req.body.toString('utf8')));
  return `${req.method} ${clip(req.path, 300)}\n  ${headers.join('\n  ')}\n  body: ${body}`;
}

export interface Verdict {
  status: number;
  errorType: string | null;
  /** The parsed body (null for HEAD). */
  body: Record<string, unknown> | null;
}

/**
 * The per-response assertions: status below 500, a JSON object body, and either a success
 * (200/201 with request_id and status_code equal to the HTTP status) or the Stytch error
 * envelope with a known error_type whose status is the HTTP status.
 */
export function checkResponse(req: Sent, res: Received | { error: string }): Verdict {
  const where = () => `\nrequest: ${describeSent(req)}`;
  if ('error' in res) assert.fail(`no HTTP answer (${res.error})${where()}`);
  const show = () => `\nresponse: HTTP ${res.status} ${res.text.slice(0, 600)}${where()}`;
  assert.ok(res.status < 500, `5xx answer${show()}`);
  if (req.method === 'HEAD') return { status: res.status, errorType: null, body: null };
  assert.match(String(res.headers['content-type'] ?? ''), /^application\/json/, `answer is not JSON${show()}`);
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    assert.fail(`answer body does not parse as JSON${show()}`);
  }
  assert.ok(typeof body === 'object' && body !== null && !Array.isArray(body), `answer is not a JSON object${show()}`);
  const b = body as Record<string, unknown>;
  assert.equal(b.status_code, res.status, `status_code differs from the HTTP status${show()}`);
  assert.ok(typeof b.request_id === 'string' && REQUEST_ID.test(b.request_id), `request_id missing or malformed${show()}`);
  if (res.status === 200 || res.status === 201) {
    assert.equal(b.error_type, undefined, `success with an error_type${show()}`);
    return { status: res.status, errorType: null, body: b };
  }
  assert.ok(res.status >= 400, `unexpected status${show()}`);
  const type = b.error_type;
  assert.ok(typeof type === 'string' && isErrorType(type), `error_type ${JSON.stringify(type)} is not a known type${show()}`);
  assert.equal(statusOf(type), res.status, `error_type ${type} has status ${statusOf(type)}, not ${res.status}${show()}`);
  assert.ok(typeof b.error_message === 'string' && b.error_message.length > 0, `error_message empty${show()}`);
  assert.doesNotMatch(b.error_message, /\n\s+at |node_modules|\/src\/|SQLITE_|syntax error at|violates|duplicate key/i, `error_message leaks internals${show()}`);
  assert.equal(b.error_url, `https://stytch.com/docs/api/errors/${res.status}#${type}`, `error_url${show()}`);
  const extra = Object.keys(b).filter((k) => !['status_code', 'request_id', 'error_type', 'error_message', 'error_url', 'error_details'].includes(k));
  assert.deepEqual(extra, [], `unexpected keys in the error envelope${show()}`);
  return { status: res.status, errorType: type, body: b };
}

// ---- database snapshots

/**
 * Tables a request can write. rate_limit_counters changes on every counted request by design
 * and is left out; signing_keys is in, because the fixtures have every project sign a JWT (the
 * lazy first key) before fuzzing starts.
 */
const TABLES: Array<[string, string]> = [
  ['projects', 'id'],
  ['project_secrets', 'id'],
  ['users', 'id'],
  ['emails', 'id'],
  ['phone_numbers', 'id'],
  ['passwords', 'id'],
  ['sessions', 'id'],
  ['password_reset_tokens', 'id'],
  ['signing_keys', 'kid'],
];

export type Snapshot = Map<string, Map<string, string>>;

/** A persistent read connection to the server's database (one query per table per snapshot). */
export interface DbReader {
  snapshot(): Promise<Snapshot>;
  close(): Promise<void>;
}

export async function openReader(s: TestServer): Promise<DbReader> {
  const rowsToMap = (rows: Record<string, unknown>[], key: string) => new Map(rows.map((r) => [String(r[key]), JSON.stringify(r)]));
  if (s.databaseUrl) {
    const client = new pg.Client({ connectionString: s.databaseUrl });
    await client.connect();
    // One round trip: every row of every table as JSON text.
    const all = TABLES.map(([t, key]) => `select '${t}' as t, ${key}::text as k, to_jsonb(x)::text as r from ${t} x`).join(' union all ');
    return {
      async snapshot() {
        const out: Snapshot = new Map(TABLES.map(([t]) => [t, new Map<string, string>()]));
        for (const row of (await client.query<{ t: string; k: string; r: string }>(all)).rows) out.get(row.t)!.set(row.k, row.r);
        return out;
      },
      close: () => client.end(),
    };
  }
  const db = new Database(path.join(s.dataDir, 'postern.sqlite'), { readonly: true, fileMustExist: true });
  const statements = TABLES.map(([t, key]) => [t, key, db.prepare(`select * from ${t} order by ${key}`)] as const);
  return {
    snapshot() {
      const out: Snapshot = new Map();
      for (const [t, key, st] of statements) out.set(t, rowsToMap(st.all() as Record<string, unknown>[], key));
      return Promise.resolve(out);
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}

/**
 * Columns a rejected request may change by design: a wrong password counts toward the user's
 * lock (unauthorized_credentials on the password-verifying routes), and a correct login with a
 * password the policy now refuses marks it for reset (reset_password). Everything else must
 * stay as it was.
 */
function allowedChanges(route: string, errorType: string): Record<string, string[]> {
  const verifies = route === 'POST /v1/passwords/authenticate' || route === 'POST /v1/passwords/existing_password/reset';
  if (verifies && errorType === 'unauthorized_credentials') return { users: ['failed_attempts', 'lock_created_at', 'lock_expires_at'] };
  if (route === 'POST /v1/passwords/authenticate' && errorType === 'reset_password') return { passwords: ['requires_reset', 'updated_at'] };
  return {};
}

function strip(row: string, columns: string[] | undefined): string {
  if (!columns) return row;
  const o = JSON.parse(row) as Record<string, unknown>;
  for (const c of columns) delete o[c];
  return JSON.stringify(o);
}

/** The differences between two snapshots that a rejected request may not cause, as text. */
export function forbiddenChanges(before: Snapshot, after: Snapshot, route: string, errorType: string): string[] {
  const allowed = allowedChanges(route, errorType);
  const problems: string[] = [];
  for (const [table] of TABLES) {
    const a = before.get(table)!;
    const b = after.get(table)!;
    for (const [id, row] of b) {
      const old = a.get(id);
      if (old === undefined) problems.push(`${table}: row ${id} inserted: ${row.slice(0, 300)}`);
      else if (strip(old, allowed[table]) !== strip(row, allowed[table])) problems.push(`${table}: row ${id} changed:\n    before ${old.slice(0, 400)}\n    after  ${row.slice(0, 400)}`);
    }
    for (const id of a.keys()) if (!b.has(id)) problems.push(`${table}: row ${id} deleted`);
  }
  return problems;
}

// ---- fixtures

let seq = 0;
const tag = () => `${Date.now().toString(36)}${(seq++).toString(36)}`;

async function ok(p: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const res = await p;
  assert.ok(res.status === 200 || res.status === 201, `fixture setup (${what}) failed: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

type Part = Partial<Fixture>;

/** A user with an email and a phone number but no password (POST /v1/users). */
export async function phoneUser(s: TestServer): Promise<Part> {
  for (let attempt = 0; ; attempt++) {
    const phoneNumber = `+1555${String(randomInt(10_000_000)).padStart(7, '0')}`;
    const res = await s.request('POST', '/v1/users', { email: `fixture-phone-${tag()}@example.com`, phone_number: phoneNumber });
    if (res.body?.error_type === 'duplicate_phone_number' && attempt < 5) continue;
    const body = await ok(Promise.resolve(res), 'create phone user');
    return { phoneUserId: body.user_id, phoneId: body.phone_id, phoneNumber };
  }
}

/** A new external id for the user. */
export async function externalId(s: TestServer, userId: string): Promise<Part> {
  const id = `fixture-ext-${tag()}`;
  await ok(s.request('PUT', `/v1/users/${userId}`, { external_id: id }), 'set external id');
  return { externalId: id };
}

/** A new session of the user, by logging in. */
export async function session(s: TestServer, email: string, password: string): Promise<Part> {
  const body = await ok(s.request('POST', '/v1/passwords/authenticate', { email, password, session_duration_minutes: 120 }), 'log in');
  return { sessionToken: body.session_token, sessionJwt: body.session_jwt, sessionId: body.session.session_id };
}

/**
 * The main fixture: a user with a password, an external id, a live session (token and JWT)
 * and an outstanding reset token, plus a second user with a phone number, and the ids of a
 * user of another project.
 */
export async function buildFixture(s: TestServer, other: { projectId: string; userId: string; emailId: string; sessionToken: string }): Promise<Fixture> {
  const email = `fixture-${tag()}@example.com`;
  const password = 'correct horse battery staple 91';
  const created = await ok(s.request('POST', '/v1/passwords', { email, password, session_duration_minutes: 120 }), 'create user');
  await ok(
    s.request('POST', '/v1/passwords/email/reset/start', { email, reset_password_redirect_url: 'https://example.com/reset', login_redirect_url: 'https://example.com/login' }),
    'start reset',
  );
  const [mail] = await readOutbox(path.join(s.dataDir, 'outbox'), { last: 1 });
  const link = /https:\/\/example\.com\/reset\?\S+/.exec(mail?.text ?? '')?.[0];
  const resetToken = link ? new URL(link).searchParams.get('token') : null;
  assert.ok(resetToken, `no reset token in the outbox: ${mail?.text}`);
  return {
    projectId: s.projectId,
    otherProjectId: other.projectId,
    email,
    emailPadded: `  ${email.toUpperCase()}\t`,
    password,
    userId: created.user_id,
    emailId: created.email_id,
    passwordId: created.user.password.password_id,
    sessionToken: created.session_token,
    sessionJwt: created.session_jwt,
    sessionId: created.session.session_id,
    resetToken,
    otherUserId: other.userId,
    otherEmailId: other.emailId,
    otherSessionToken: other.sessionToken,
    ...(await externalId(s, created.user_id)),
    ...(await phoneUser(s)),
  } as Fixture;
}
