/**
 * User lockout (spec §9.5, decisions 4 and 16): 10 consecutive failures lock for one hour.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, FixedClock, startTestServer, type TestServer } from '../helpers/server.js';
import {
  MINUTE, MORE_STRONG, WRONG, assertUser, createUser, expectError, expectOk, getUser, login, resetPassword,
  wholeSecondClock, type NewUser,
} from './support.js';

const HOUR = 60 * MINUTE;

for (const dialect of DIALECTS) {
  void describe(`lockout (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
    });
    after(() => s.close());

    async function failLogins(u: NewUser, n: number): Promise<void> {
      for (let i = 0; i < n; i++) expectError(await login(s, u.email, WRONG), 401, 'unauthorized_credentials');
    }

    async function expectLock(u: NewUser, lock: { createdAt: number; expiresAt: number } | null): Promise<void> {
      const res = await getUser(s, u.userId);
      expectOk(res);
      assertUser(res.body, { userId: u.userId, email: u.email, passwordId: u.passwordId, lock });
    }

    void it('ten wrong passwords lock the user for exactly one hour; then login works again', async () => {
      const u = await createUser(s);
      const bystander = await createUser(s, { password: u.password });
      await failLogins(u, 9);
      await expectLock(u, null);
      clock.advance(MINUTE);
      const lockedAt = clock.now();
      expectError(await login(s, u.email, WRONG), 401, 'unauthorized_credentials');
      await expectLock(u, { createdAt: lockedAt, expiresAt: lockedAt + HOUR });

      expectError(await login(s, u.email, u.password), 429, 'user_lock_limit_reached');
      expectError(await login(s, u.email, WRONG), 429, 'user_lock_limit_reached');
      expectError(await login(s, u.email, u.password, { session_duration_minutes: 60 }), 429, 'user_lock_limit_reached');
      expectError(await resetPassword(s, u.email, u.password, MORE_STRONG[2]), 429, 'user_lock_limit_reached');
      expectOk(await login(s, bystander.email, bystander.password));

      clock.set(lockedAt + HOUR - 1000);
      expectError(await login(s, u.email, u.password), 429, 'user_lock_limit_reached');
      await expectLock(u, { createdAt: lockedAt, expiresAt: lockedAt + HOUR });

      clock.set(lockedAt + HOUR + 1000);
      await expectLock(u, null);
      const ok = await login(s, u.email, u.password, { session_duration_minutes: 5 });
      expectOk(ok);
      assert.equal(ok.body.user.is_locked, false);
      assert.equal(ok.body.user.lock_created_at, null);
      assert.equal(ok.body.user.lock_expires_at, null);
      // The password was not changed by the refused reset.
      expectError(await login(s, u.email, MORE_STRONG[2]), 401, 'unauthorized_credentials');
      await expectLock(u, null);
    });

    void it('the failure count starts over when a lock has run out', async () => {
      const u = await createUser(s);
      await failLogins(u, 10);
      const lockedAt = clock.now();
      await expectLock(u, { createdAt: lockedAt, expiresAt: lockedAt + HOUR });
      clock.advance(HOUR + 1000);
      await failLogins(u, 9);
      await expectLock(u, null);
      expectOk(await login(s, u.email, u.password));
    });

    void it('a success before the threshold resets the counter (9 failures, 1 success, 9 failures)', async () => {
      const u = await createUser(s);
      await failLogins(u, 9);
      expectOk(await login(s, u.email, u.password));
      await failLogins(u, 9);
      await expectLock(u, null);
      expectOk(await login(s, u.email, u.password));
    });

    void it('failed existing-password resets count toward the lock', async () => {
      const u = await createUser(s);
      await failLogins(u, 5);
      for (let i = 0; i < 4; i++) {
        expectError(await resetPassword(s, u.email, WRONG, MORE_STRONG[3]), 401, 'unauthorized_credentials');
      }
      await expectLock(u, null);
      clock.advance(MINUTE);
      const lockedAt = clock.now();
      expectError(await resetPassword(s, u.email, WRONG, MORE_STRONG[3]), 401, 'unauthorized_credentials');
      await expectLock(u, { createdAt: lockedAt, expiresAt: lockedAt + HOUR });
      expectError(await login(s, u.email, u.password), 429, 'user_lock_limit_reached');
      expectError(await resetPassword(s, u.email, u.password, MORE_STRONG[3]), 429, 'user_lock_limit_reached');
    });

    void it('a successful reset clears the counter', async () => {
      const u = await createUser(s);
      await failLogins(u, 9);
      expectOk(await resetPassword(s, u.email, u.password, MORE_STRONG[4]));
      for (let i = 0; i < 9; i++) expectError(await login(s, u.email, u.password), 401, 'unauthorized_credentials');
      await expectLock(u, null);
      expectOk(await login(s, u.email, MORE_STRONG[4]));
    });
  });
}
