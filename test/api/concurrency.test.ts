/**
 * Races: concurrent resets from the same existing password, concurrent creates of one email,
 * concurrent revocations and logins.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import {
  MORE_STRONG, STRONG, activeSessionIds, createUser, expectError, expectOk, login, resetPassword, revokeSession,
  type Res,
} from './support.js';

function partition(results: Res[]): { ok: number[]; failed: Res[] } {
  const ok: number[] = [];
  const failed: Res[] = [];
  results.forEach((r, i) => (r.status === 200 ? ok.push(i) : failed.push(r)));
  return { ok, failed };
}

for (const dialect of DIALECTS) {
  void describe(`concurrency (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());

    void it('5 parallel resets from the same existing password: exactly one wins', async () => {
      const u = await createUser(s, { duration: 60 });
      const candidates = MORE_STRONG.slice(0, 5);
      assert.equal(candidates.length, 5);
      const results = await Promise.all(candidates.map((p) => resetPassword(s, u.email, u.password, p)));
      const { ok, failed } = partition(results);
      assert.equal(ok.length, 1, `expected exactly one 200, got ${results.map((r) => r.status).join(',')}`);
      for (const r of failed) expectError(r, 401, 'unauthorized_credentials');
      expectOk(results[ok[0]!]!);
      const winner = candidates[ok[0]!]!;

      expectOk(await login(s, u.email, winner));
      for (const p of candidates.filter((c) => c !== winner)) {
        expectError(await login(s, u.email, p), 401, 'unauthorized_credentials');
      }
      expectError(await login(s, u.email, u.password), 401, 'unauthorized_credentials');
      assert.deepEqual(await activeSessionIds(s, u.userId), []);
    });

    void it('parallel creates of one email (in different cases): exactly one user', async () => {
      const tag = randomUUID().slice(0, 8);
      const variants = [`race.${tag}@example.com`, `Race.${tag}@example.com`, `RACE.${tag}@EXAMPLE.COM`, `race.${tag}@Example.com`, ` race.${tag}@example.com`];
      const results = await Promise.all(variants.map((email, i) => s.request('POST', '/v1/passwords', { email, password: i % 2 === 0 ? STRONG[0] : STRONG[1] })));
      const { ok, failed } = partition(results);
      assert.equal(ok.length, 1, `expected exactly one 200, got ${results.map((r) => r.status).join(',')}`);
      for (const r of failed) expectError(r, 400, 'duplicate_email');
      const winner = results[ok[0]!]!;
      const password = ok[0]! % 2 === 0 ? STRONG[0] : STRONG[1];
      const res = await login(s, `race.${tag}@example.com`, password);
      expectOk(res);
      assert.equal(res.body.user_id, winner.body.user_id);
    });

    void it('parallel revokes of one session: exactly one succeeds', async () => {
      const u = await createUser(s, { duration: 60 });
      const results = await Promise.all(Array.from({ length: 5 }, () => revokeSession(s, { session_id: u.sessionId })));
      const { ok, failed } = partition(results);
      assert.equal(ok.length, 1, `expected exactly one 200, got ${results.map((r) => r.status).join(',')}`);
      for (const r of failed) expectError(r, 404, 'session_not_found');
    });

    void it('parallel logins each get a distinct live session', async () => {
      const u = await createUser(s);
      const results = await Promise.all(Array.from({ length: 5 }, () => login(s, u.email, u.password, { session_duration_minutes: 30 })));
      for (const r of results) expectOk(r);
      const ids = results.map((r) => r.body.session.session_id as string);
      const tokens = new Set(results.map((r) => r.body.session_token as string));
      assert.equal(new Set(ids).size, 5);
      assert.equal(tokens.size, 5);
      assert.deepEqual(await activeSessionIds(s, u.userId), [...ids].sort());
    });
  });
}
