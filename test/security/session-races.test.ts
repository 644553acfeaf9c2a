/**
 * Sessions under concurrency, on one server (SQLite and PostgreSQL) and on two `postern serve`
 * processes sharing one store:
 * - many parallel extensions of one session all succeed, the expiry never steps back from any
 *   value already answered, and no request's custom claims are lost;
 * - a revoke racing authenticates and extensions wins for good: once it is acknowledged no
 *   authenticate (by token or JWT, with or without extension, or a password login extending
 *   the session) succeeds, and the session never comes back.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServe, type ServeProcess } from '../helpers/processes.js';
import { DIALECTS, basicAuth, createPgDatabase, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, expectError, expectOk, newEmail, type Res } from '../api/support.js';

const PG_URL = process.env.POSTERN_TEST_DATABASE_URL;
const PARALLEL = 24;
const ROUNDS = 4;

/** Sends a request to server number `i` (modulo the number of servers). */
type Send = (i: number, method: string, urlPath: string, body?: unknown) => Promise<Res>;

interface Held {
  email: string;
  userId: string;
  token: string;
  jwt: string;
  sessionId: string;
}

async function newSession(send: Send): Promise<Held> {
  const email = newEmail('race');
  const res = await send(0, 'POST', '/v1/passwords', { email, password: STRONG[0], session_duration_minutes: 60 });
  expectOk(res);
  return { email, userId: res.body.user_id, token: res.body.session_token, jwt: res.body.session_jwt, sessionId: res.body.session.session_id };
}

const authenticate = (send: Send, i: number, body: Record<string, unknown>) => send(i, 'POST', '/v1/sessions/authenticate', body);

async function parallelExtension(send: Send): Promise<void> {
  const h = await newSession(send);
  const start = await authenticate(send, 0, { session_token: h.token });
  expectOk(start);
  const startExp = Date.parse(start.body.session.expires_at);
  const results = await Promise.all(
    Array.from({ length: PARALLEL }, (_, i) =>
      authenticate(send, i, {
        // Every third by JWT: both ways of naming the session extend the same row.
        ...(i % 3 === 0 ? { session_jwt: h.jwt } : { session_token: h.token }),
        session_duration_minutes: 120,
        session_custom_claims: { [`k${i}`]: i },
      }),
    ),
  );
  let maxExp = startExp;
  results.forEach((res, i) => {
    expectOk(res);
    assert.equal(res.body.session.session_id, h.sessionId);
    assert.equal(res.body.session.custom_claims[`k${i}`], i, 'each answer carries its own claim');
    const exp = Date.parse(res.body.session.expires_at);
    assert.ok(exp >= startExp, 'an extension to 120 minutes never shortens a 60-minute session');
    maxExp = Math.max(maxExp, exp);
  });
  const final = await authenticate(send, 1, { session_token: h.token });
  expectOk(final);
  const finalExp = Date.parse(final.body.session.expires_at);
  assert.ok(finalExp >= maxExp, `the stored expiry ${final.body.session.expires_at} stepped back from an answered ${new Date(maxExp).toISOString()}`);
  const expected = Object.fromEntries(Array.from({ length: PARALLEL }, (_, i) => [`k${i}`, i]));
  assert.deepEqual(final.body.session.custom_claims, expected, 'no concurrent claim merge was lost');
}

async function revokeRacingExtensions(send: Send, round: number): Promise<void> {
  const h = await newSession(send);
  let acked = false;
  const attempts: Array<Promise<{ afterAck: boolean; res: Res; kind: string }>> = [];
  const fire = (i: number, kind: string, call: () => Promise<Res>) => {
    const afterAck = acked;
    attempts.push(call().then((res) => ({ afterAck, res, kind })));
  };
  const mix = (i: number) => {
    const pick = i % 4;
    if (pick === 0) fire(i, 'token', () => authenticate(send, i, { session_token: h.token }));
    else if (pick === 1) fire(i, 'token+extend', () => authenticate(send, i, { session_token: h.token, session_duration_minutes: 600, session_custom_claims: { [`r${i}`]: true } }));
    else if (pick === 2) fire(i, 'jwt+extend', () => authenticate(send, i, { session_jwt: h.jwt, session_duration_minutes: 600 }));
    else fire(i, 'jwt', () => authenticate(send, i, { session_jwt: h.jwt }));
  };
  for (let i = 0; i < PARALLEL / 2; i++) mix(i);
  fire(0, 'login+extend', () => send(1, 'POST', '/v1/passwords/authenticate', { email: h.email, password: STRONG[0], session_token: h.token, session_duration_minutes: 600 }));
  const by = [{ session_token: h.token }, { session_id: h.sessionId }, { session_jwt: h.jwt }][round % 3]!;
  const revoke = send(round, 'POST', '/v1/sessions/revoke', by);
  for (let i = PARALLEL / 2; i < PARALLEL; i++) mix(i);
  expectOk(await revoke);
  acked = true;
  for (let i = 0; i < PARALLEL / 2; i++) mix(i);
  fire(1, 'login+extend', () => send(0, 'POST', '/v1/passwords/authenticate', { email: h.email, password: STRONG[0], session_token: h.token, session_duration_minutes: 600 }));

  const jwts: string[] = [h.jwt];
  for (const { afterAck, res, kind } of await Promise.all(attempts)) {
    if (afterAck) {
      expectError(res, 404, 'session_not_found');
      continue;
    }
    // Before the acknowledgement either outcome is right, but nothing else is.
    if (res.status === 200) {
      expectOk(res);
      if (typeof res.body.session_jwt === 'string' && res.body.session_jwt !== '') jwts.push(res.body.session_jwt);
    } else {
      expectError(res, 404, 'session_not_found');
    }
    assert.ok(kind.length > 0);
  }
  // Settled: the session stays revoked whatever raced it.
  for (let i = 0; i < 2; i++) {
    expectError(await authenticate(send, i, { session_token: h.token }), 404, 'session_not_found');
    expectError(await authenticate(send, i, { session_token: h.token, session_duration_minutes: 60 }), 404, 'session_not_found');
    for (const jwt of jwts) expectError(await authenticate(send, i, { session_jwt: jwt }), 404, 'session_not_found');
    const list = await send(i, 'GET', `/v1/sessions?user_id=${h.userId}`);
    expectOk(list);
    assert.deepEqual(list.body.sessions, [], 'the revoked session is not listed');
  }
  expectError(await send(0, 'POST', '/v1/sessions/revoke', { session_id: h.sessionId }), 404, 'session_not_found');
}

function scenarios(getSend: () => Send): void {
  void it('parallel extensions of one session: all succeed, expiry never steps back, no claim lost', async () => {
    for (let r = 0; r < ROUNDS; r++) await parallelExtension(getSend());
  });

  void it('a revoke racing authenticates and extensions: nothing succeeds after its acknowledgement, nothing resurrects', async () => {
    for (let r = 0; r < ROUNDS; r++) await revokeRacingExtensions(getSend(), r);
  });
}

for (const dialect of DIALECTS) {
  void describe(`session races on one server (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());
    scenarios(() => (_i, method, urlPath, body) => s.request(method, urlPath, body));
  });
}

const TARGETS: Array<{ name: string; skip: string | false }> = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: PG_URL ? false : 'POSTERN_TEST_DATABASE_URL is not set' },
];

for (const target of TARGETS) {
  void describe(`session races across two server processes on one ${target.name} store`, { skip: target.skip }, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-races-'));
    let pgDb: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
    const servers: ServeProcess[] = [];
    let auth = '';

    before(async () => {
      const env: Record<string, string | undefined> = { POSTERN_DATA_DIR: dataDir };
      if (target.name === 'postgres') {
        pgDb = await createPgDatabase('postern_r');
        env.DATABASE_URL = pgDb.url;
      }
      servers.push(await startServe(env, ['--workers', '1']));
      servers.push(await startServe(env, ['--workers', '1']));
      const projectId = /project_id: (\S+)/.exec(servers[0]!.out())?.[1];
      const secret = /secret:\s+(\S+)/.exec(servers[0]!.out())?.[1];
      assert.ok(projectId && secret, 'the first process created the project');
      auth = basicAuth(projectId, secret);
    });

    after(async () => {
      for (const server of servers) assert.equal(await server.stop(), 0);
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    const send: Send = async (i, method, urlPath, body) => {
      const headers: Record<string, string> = { authorization: auth };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(servers[i % servers.length]!.url + urlPath, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // left as text: the assertions on it fail visibly
      }
      return { status: res.status, body: parsed as Res['body'], headers: res.headers };
    };
    scenarios(() => send);
  });
}
