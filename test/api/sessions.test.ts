/**
 * POST /v1/sessions/authenticate, GET /v1/sessions, POST /v1/sessions/revoke (spec §6.2,
 * §9.1–§9.3, decision 12), with expiry driven by a FixedClock.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, FixedClock, startTestServer, type TestServer } from '../helpers/server.js';
import {
  MINUTE, activeSessionIds, assertJwt, assertSession, assertUser, authSession, createUser, expectError, expectOk,
  expectTokenWithheld, expectSessionAlive, listSessions, login, revokeSession, wholeSecondClock, type NewUser,
} from './support.js';

const UNKNOWN_USER = 'user-test-00000000-0000-4000-8000-000000000000';
const UNKNOWN_SESSION = 'session-test-00000000-0000-4000-8000-000000000000';

for (const dialect of DIALECTS) {
  void describe(`sessions (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    let u: NewUser;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
      u = await createUser(s);
    });
    after(() => s.close());

    /** A fresh session for `u`, started now. */
    async function newSession(duration = 60): Promise<{ token: string; jwt: string; id: string; startedAt: number }> {
      const res = await login(s, u.email, u.password, { session_duration_minutes: duration });
      expectOk(res);
      return { token: res.body.session_token, jwt: res.body.session_jwt, id: res.body.session.session_id, startedAt: clock.now() };
    }

    void describe('POST /v1/sessions/authenticate', () => {
      void it('by token: returns session, same token, a fresh JWT and the user; updates last_accessed_at only', async () => {
        const x = await newSession(60);
        clock.advance(3 * MINUTE);
        const now = clock.now();
        const res = await authSession(s, { session_token: x.token });
        expectOk(res);
        for (const k of ['request_id', 'status_code', 'session', 'session_token', 'session_jwt', 'user']) assert.ok(k in res.body, `missing ${k}`);
        assert.equal(res.body.session_token, x.token);
        assert.notEqual(res.body.session_jwt, x.jwt);
        assertSession(res.body.session, { userId: u.userId, sessionId: x.id, startedAt: x.startedAt, lastAccessedAt: now, expiresAt: x.startedAt + 60 * MINUTE });
        assertJwt(res.body.session_jwt, s.projectId, res.body.session, { iat: now / 1000 });
        assertUser(res.body.user, { userId: u.userId, email: u.email, passwordId: u.passwordId });
      });

      void it('last_accessed_at is stored at every use in a new second; a check within the stored second writes nothing', async () => {
        const x = await newSession(60);
        const stored = async () => (await s.postern.store.getSessionById(s.projectId, x.id))!.lastAccessedAt;
        assert.equal(await stored(), x.startedAt);
        clock.advance(400);
        for (const body of [{ session_token: x.token }, { session_jwt: x.jwt }]) {
          const res = await authSession(s, body);
          expectOk(res);
          assertSession(res.body.session, { userId: u.userId, sessionId: x.id, startedAt: x.startedAt, lastAccessedAt: x.startedAt, expiresAt: x.startedAt + 60 * MINUTE });
          assert.equal(await stored(), x.startedAt, 'same second: no write');
        }
        clock.advance(600);
        expectOk(await authSession(s, { session_jwt: x.jwt }));
        assert.equal(await stored(), x.startedAt + 1000, 'next second: written');
        clock.advance(1500);
        expectOk(await authSession(s, { session_token: x.token }));
        assert.equal(await stored(), x.startedAt + 2500);
        // Within the stored second, a duration or custom claims still change the row.
        clock.advance(100);
        const res = await authSession(s, { session_token: x.token, session_duration_minutes: 30 });
        expectOk(res);
        assert.equal(await stored(), x.startedAt + 2600);
        assert.equal((await s.postern.store.getSessionById(s.projectId, x.id))!.expiresAt, x.startedAt + 2600 + 30 * MINUTE);
        clock.advance(100);
        expectOk(await authSession(s, { session_token: x.token, session_custom_claims: { tier: 'gold' } }));
        assert.deepEqual((await s.postern.store.getSessionById(s.projectId, x.id))!.customClaims, { tier: 'gold' });
        assert.equal(await stored(), x.startedAt + 2700);
        // A revocation is refused at once, written or not.
        expectOk(await revokeSession(s, { session_id: x.id }));
        expectError(await authSession(s, { session_token: x.token }), 404, 'session_not_found');
        clock.advance(300); // back on a whole second, as the other tests expect
      });

      void it('by JWT: returns the same session, a new JWT and no token', async () => {
        const x = await newSession(60);
        const res = await authSession(s, { session_jwt: x.jwt });
        expectOk(res);
        assert.equal(res.body.session.session_id, x.id);
        assertSession(res.body.session, { userId: u.userId, sessionId: x.id, startedAt: x.startedAt, expiresAt: x.startedAt + 60 * MINUTE });
        assertJwt(res.body.session_jwt, s.projectId, res.body.session, { iat: clock.now() / 1000 });
        expectTokenWithheld(res, x.token);
      });

      void it('session_duration_minutes sets expires_at to now + n (also shortening it)', async () => {
        const x = await newSession(60);
        clock.advance(10 * MINUTE);
        for (const d of [120, 5]) {
          const res = await authSession(s, { session_token: x.token, session_duration_minutes: d });
          expectOk(res);
          assertSession(res.body.session, { userId: u.userId, sessionId: x.id, startedAt: x.startedAt, lastAccessedAt: clock.now(), expiresAt: clock.now() + d * MINUTE });
        }
        for (const d of [4, 527041, 7.5, 0]) {
          expectError(await authSession(s, { session_token: x.token, session_duration_minutes: d }), 400, 'invalid_session_duration_minutes');
        }
      });

      void it('a 5-minute session expires after 5 minutes', async () => {
        const x = await newSession(5);
        clock.advance(4 * MINUTE + 59_000);
        expectOk(await authSession(s, { session_token: x.token }));
        assert.ok((await activeSessionIds(s, u.userId)).includes(x.id));
        clock.advance(2000);
        await expectSessionAlive(s, x.token, false);
        expectError(await authSession(s, { session_jwt: x.jwt }), 404, 'session_not_found');
        assert.ok(!(await activeSessionIds(s, u.userId)).includes(x.id));
        expectError(await authSession(s, { session_token: x.token, session_duration_minutes: 60 }), 404, 'session_not_found');
      });

      void it('a JWT past its exp still authenticates while the session lives, and gets a fresh JWT', async () => {
        const x = await newSession(60);
        clock.advance(10 * MINUTE);
        const res = await authSession(s, { session_jwt: x.jwt });
        expectOk(res);
        assertSession(res.body.session, { userId: u.userId, sessionId: x.id, startedAt: x.startedAt, lastAccessedAt: clock.now(), expiresAt: x.startedAt + 60 * MINUTE });
        const p = assertJwt(res.body.session_jwt, s.projectId, res.body.session, { iat: clock.now() / 1000 });
        assert.ok(p.exp! > clock.now() / 1000);
        expectTokenWithheld(res, x.token);
      });

      void it('the JWT of a revoked session → 404 session_not_found at once', async () => {
        const x = await newSession(60);
        expectOk(await revokeSession(s, { session_id: x.id }));
        expectError(await authSession(s, { session_jwt: x.jwt }), 404, 'session_not_found');
        expectError(await authSession(s, { session_token: x.token }), 404, 'session_not_found', 'Session could not be found.');
      });

      void it('argument errors: both, neither, malformed token, unknown token', async () => {
        const x = await newSession(60);
        expectError(await authSession(s, { session_token: x.token, session_jwt: x.jwt }), 400, 'too_many_session_arguments');
        expectError(await authSession(s, {}), 400, 'no_session_arguments');
        expectError(await authSession(s, { session_token: null, session_jwt: null }), 400, 'no_session_arguments');
        expectError(await authSession(s, { session_duration_minutes: 60 }), 400, 'no_session_arguments');
        for (const t of ['abc', x.token.slice(1), x.token + 'A', '!'.repeat(44)]) {
          expectError(await authSession(s, { session_token: t }), 400, 'invalid_session_token', 'Session token format is invalid.');
        }
        expectError(await authSession(s, { session_token: 'Q'.repeat(44) }), 404, 'session_not_found');
        expectError(await authSession(s, { session_token: 44 }), 400, 'invalid_argument');
      });
    });

    void describe('GET /v1/sessions', () => {
      void it('lists only active sessions, each as the full Session object', async () => {
        const v = await createUser(s, { duration: 60 });
        const startedAt = clock.now();
        const short = await login(s, v.email, v.password, { session_duration_minutes: 5 });
        const revoked = await login(s, v.email, v.password, { session_duration_minutes: 60 });
        expectOk(short);
        expectOk(revoked);
        expectOk(await revokeSession(s, { session_token: revoked.body.session_token }));
        clock.advance(6 * MINUTE);
        const res = await listSessions(s, v.userId);
        expectOk(res);
        assert.deepEqual(Object.keys(res.body).sort(), ['request_id', 'sessions', 'status_code']);
        assert.equal(res.body.sessions.length, 1);
        assertSession(res.body.sessions[0], { userId: v.userId, sessionId: v.sessionId, startedAt, expiresAt: startedAt + 60 * MINUTE });
      });

      void it('an existing user with no sessions → []', async () => {
        const v = await createUser(s);
        const res = await listSessions(s, v.userId);
        expectOk(res);
        assert.deepEqual(res.body.sessions, []);
      });

      void it('missing user_id → 400 invalid_argument; unknown user → 404 user_not_found', async () => {
        expectError(await s.request('GET', '/v1/sessions'), 400, 'invalid_argument');
        expectError(await listSessions(s, UNKNOWN_USER), 404, 'user_not_found', 'User could not be found.');
      });
    });

    void describe('POST /v1/sessions/revoke', () => {
      for (const by of ['session_id', 'session_token', 'session_jwt'] as const) {
        void it(`revokes by ${by}: {request_id, status_code}; the session is gone everywhere`, async () => {
          const x = await newSession(60);
          const other = await newSession(60);
          const arg = { session_id: x.id, session_token: x.token, session_jwt: x.jwt }[by];
          const res = await revokeSession(s, { [by]: arg });
          expectOk(res);
          assert.deepEqual(Object.keys(res.body).sort(), ['request_id', 'status_code']);
          await expectSessionAlive(s, x.token, false);
          expectError(await authSession(s, { session_jwt: x.jwt }), 404, 'session_not_found');
          const ids = await activeSessionIds(s, u.userId);
          assert.ok(!ids.includes(x.id));
          assert.ok(ids.includes(other.id));
          await expectSessionAlive(s, other.token, true);
          expectError(await revokeSession(s, { session_id: x.id }), 404, 'session_not_found');
        });
      }

      void it('a JWT past its exp can still revoke its live session', async () => {
        const x = await newSession(60);
        clock.advance(10 * MINUTE);
        expectOk(await revokeSession(s, { session_jwt: x.jwt }));
        await expectSessionAlive(s, x.token, false);
      });

      void it('argument errors: none, two or three arguments; unknown session', async () => {
        const x = await newSession(60);
        expectError(await revokeSession(s, {}), 400, 'no_session_revoke_arguments');
        expectError(await revokeSession(s, { session_id: null }), 400, 'no_session_revoke_arguments');
        expectError(await revokeSession(s, { session_id: x.id, session_token: x.token }), 400, 'too_many_session_revoke_arguments');
        expectError(await revokeSession(s, { session_token: x.token, session_jwt: x.jwt }), 400, 'too_many_session_revoke_arguments');
        expectError(await revokeSession(s, { session_id: x.id, session_token: x.token, session_jwt: x.jwt }), 400, 'too_many_session_revoke_arguments');
        await expectSessionAlive(s, x.token, true);
        expectError(await revokeSession(s, { session_id: UNKNOWN_SESSION }), 404, 'session_not_found');
        expectError(await revokeSession(s, { session_token: 'Z'.repeat(44) }), 404, 'session_not_found');
        expectError(await revokeSession(s, { session_jwt: 'garbage' }), 400, 'unable_to_parse_session_jwt');
      });
    });
  });
}
