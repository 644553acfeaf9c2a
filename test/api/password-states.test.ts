/**
 * Outcomes that need a user state no route of this issue creates (a user without a password,
 * a password flagged requires_reset): the state is written through the real store, then the
 * API is driven as usual.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../src/passwords/hashing.js';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, WRONG, expectError, newEmail } from './support.js';

const ARGON2 = { memoryKiB: 19456, iterations: 2, parallelism: 1 };

async function insertUser(s: TestServer, opts: { password?: string; requiresReset?: boolean }): Promise<{ email: string; userId: string }> {
  const email = newEmail('state');
  const userId = `user-test-${randomUUID()}`;
  const now = Date.now();
  assert.equal(
    await s.postern.store.insertUser({
      id: userId,
      projectId: s.projectId,
      status: 'active',
      name: { firstName: '', middleName: '', lastName: '' },
      email: { id: `email-test-${randomUUID()}`, email, verified: false },
      trustedMetadata: {},
      untrustedMetadata: {},
      externalId: null,
      roles: [],
      createdAt: now,
    }),
    'inserted',
  );
  if (opts.password !== undefined) {
    const hash = await hashPassword(opts.password, ARGON2);
    await s.postern.store.insertPassword(s.projectId, { id: `password-test-${randomUUID()}`, userId, hash, requiresReset: opts.requiresReset ?? false }, now);
  }
  return { email, userId };
}

for (const dialect of DIALECTS) {
  describe(`password states (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());

    it('a user without a password: 400 no_user_password on authenticate and existing-password reset', async () => {
      const u = await insertUser(s, {});
      expectError(await s.request('POST', '/v1/passwords/authenticate', { email: u.email, password: STRONG[0] }), 400, 'no_user_password');
      expectError(
        await s.request('POST', '/v1/passwords/existing_password/reset', { email: u.email, existing_password: STRONG[0], new_password: STRONG[1] }),
        400,
        'no_user_password',
      );
      const user = await s.request('GET', `/v1/users/${u.userId}`);
      assert.equal(user.body.password, null);
      assert.equal(user.body.is_locked, false);
    });

    it('a pending user becomes active at its first successful login, not at a failed one', async () => {
      const email = newEmail('pending');
      const created = await s.request('POST', '/v1/users', { email, create_user_as_pending: true });
      assert.equal(created.status, 201);
      assert.equal(created.body.status, 'pending');
      const hash = await hashPassword(STRONG[0], ARGON2);
      assert.equal(await s.postern.store.insertPassword(s.projectId, { id: `password-test-${randomUUID()}`, userId: created.body.user_id, hash, requiresReset: false }, Date.now()), true);
      expectError(await s.request('POST', '/v1/passwords/authenticate', { email, password: WRONG }), 401, 'unauthorized_credentials');
      assert.equal((await s.request('GET', `/v1/users/${created.body.user_id}`)).body.status, 'pending');
      const ok = await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0] });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.user.status, 'active');
    });

    it('requires_reset: the right password gets 400 reset_password and no session; a wrong one still 401', async () => {
      const u = await insertUser(s, { password: STRONG[0], requiresReset: true });
      expectError(
        await s.request('POST', '/v1/passwords/authenticate', { email: u.email, password: STRONG[0], session_duration_minutes: 60 }),
        400,
        'reset_password',
      );
      expectError(await s.request('POST', '/v1/passwords/authenticate', { email: u.email, password: WRONG }), 401, 'unauthorized_credentials');
      const sessions = await s.request('GET', `/v1/sessions?user_id=${u.userId}`);
      assert.deepEqual(sessions.body.sessions, []);
      const user = await s.request('GET', `/v1/users/${u.userId}`);
      assert.equal(user.body.password.requires_reset, true);
    });

    it('requires_reset: existing-password reset is refused with cannot_reset_password_with_existing_password, and changes nothing', async () => {
      const u = await insertUser(s, { password: STRONG[0], requiresReset: true });
      expectError(
        await s.request('POST', '/v1/passwords/existing_password/reset', { email: u.email, existing_password: STRONG[0], new_password: STRONG[1] }),
        400,
        'cannot_reset_password_with_existing_password',
      );
      // The wrong existing password is checked first (Decision 4).
      expectError(
        await s.request('POST', '/v1/passwords/existing_password/reset', { email: u.email, existing_password: WRONG, new_password: STRONG[1] }),
        401,
        'unauthorized_credentials',
      );
      expectError(await s.request('POST', '/v1/passwords/authenticate', { email: u.email, password: STRONG[1] }), 401, 'unauthorized_credentials');
      expectError(await s.request('POST', '/v1/passwords/authenticate', { email: u.email, password: STRONG[0] }), 400, 'reset_password');
    });
  });
}
