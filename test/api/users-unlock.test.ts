/**
 * `unlockUser`, behind `postern users unlock PROJECT_ID USER_ID` (spec §9.5: locks end on
 * expiry or manual unlock): clears the lock and the failure count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unlockUser } from '../../src/users/service.js';
import { DIALECTS, FixedClock, startTestServer, type TestServer } from '../helpers/server.js';
import { MINUTE, WRONG, createUser, expectError, expectOk, getUser, login, wholeSecondClock } from './support.js';

const HOUR = 60 * MINUTE;

for (const dialect of DIALECTS) {
  void describe(`users unlock (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
    });
    after(() => s.close());

    const lock = (userId: string) => s.postern.store.recordFailedAttempt(s.projectId, userId, clock.now(), 1, HOUR);

    void it('unlocks a locked user: is_locked false, lock fields null, login works again', async () => {
      const u = await createUser(s);
      await lock(u.userId);
      const locked = await getUser(s, u.userId);
      assert.equal(locked.body.is_locked, true);
      expectError(await login(s, u.email, u.password), 429, 'user_lock_limit_reached');

      assert.equal(await unlockUser(s.postern.store, s.projectId, u.userId), true);
      const got = await getUser(s, u.userId);
      expectOk(got);
      assert.equal(got.body.is_locked, false);
      assert.equal(got.body.lock_created_at, null);
      assert.equal(got.body.lock_expires_at, null);
      expectOk(await login(s, u.email, u.password));
    });

    void it('clears the failure count, so the next lock needs the full threshold again', async () => {
      const u = await createUser(s);
      for (let i = 0; i < 9; i++) expectError(await login(s, u.email, WRONG), 401, 'unauthorized_credentials');
      assert.equal((await s.postern.store.getUser(s.projectId, u.userId))?.lock.failedAttempts, 9);
      assert.equal(await unlockUser(s.postern.store, s.projectId, u.userId), true);
      assert.equal((await s.postern.store.getUser(s.projectId, u.userId))?.lock.failedAttempts, 0);
      for (let i = 0; i < 9; i++) expectError(await login(s, u.email, WRONG), 401, 'unauthorized_credentials');
      assert.equal((await getUser(s, u.userId)).body.is_locked, false);
    });

    void it('takes an external id too, and is a harmless no-op for a user who is not locked', async () => {
      const u = await createUser(s);
      const ext = `unlock-${u.userId.slice(-12)}`;
      expectOk(await s.request('PUT', `/v1/users/${u.userId}`, { external_id: ext }));
      await lock(u.userId);
      assert.equal(await unlockUser(s.postern.store, s.projectId, ext), true);
      assert.equal((await getUser(s, u.userId)).body.is_locked, false);
      assert.equal(await unlockUser(s.postern.store, s.projectId, u.userId), true);
    });

    void it('returns false for an unknown user, an unknown project, or a user of another project', async () => {
      const u = await createUser(s);
      await lock(u.userId);
      const other = await s.createProject();
      assert.equal(await unlockUser(s.postern.store, s.projectId, 'user-test-00000000-0000-4000-8000-000000000000'), false);
      assert.equal(await unlockUser(s.postern.store, 'project-test-00000000-0000-4000-8000-000000000000', u.userId), false);
      assert.equal(await unlockUser(s.postern.store, other.projectId, u.userId), false);
      assert.equal((await getUser(s, u.userId)).body.is_locked, true, 'still locked');
    });
  });
}
