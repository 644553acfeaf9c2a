/**
 * DELETE /v1/users/passwords/{password_id} (spec §10.6) and the other factor deletions of §10.7
 * that apply here: /v1/users/emails/{email_id} and /v1/users/phone_numbers/{phone_id}.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/random.js';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import {
  MINUTE, authFor, createUser, expectError, expectOk, expectSessionAlive, getUser, login, newEmail, type Res,
} from './support.js';

const UNKNOWN_PASSWORD = 'password-test-00000000-0000-4000-8000-000000000000';
const UNKNOWN_EMAIL = 'email-test-00000000-0000-4000-8000-000000000000';
const UNKNOWN_PHONE = 'phone-number-test-00000000-0000-4000-8000-000000000000';
const CHANGED_KEYS = ['request_id', 'status_code', 'user', 'user_id'];

for (const dialect of DIALECTS) {
  void describe(`users factor deletion (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());

    const del = (path: string, auth?: string): Promise<Res> => s.request('DELETE', path, {}, auth ? { auth } : {});

    /** An outstanding email reset token of the user; returns its digest for lookups. */
    async function resetToken(userId: string, emailId: string): Promise<string> {
      const hash = randomBytes(32).toString('hex');
      const now = s.clock.now();
      await s.postern.store.insertResetToken(
        { id: newId('reset', 'test'), projectId: s.projectId, userId, emailId, createdAt: now, expiresAt: now + 30 * MINUTE, usedAt: null, codeChallenge: null, attributes: { ipAddress: '', userAgent: '' } },
        hash,
      );
      return hash;
    }
    const tokenUsed = async (hash: string) => (await s.postern.store.getResetTokenByHash(s.projectId, hash))?.usedAt !== null;

    void it('DELETE password answers {request_id, user_id, user (password null), status_code}; login then has no password', async () => {
      const u = await createUser(s, { duration: 60 });
      const res = await del(`/v1/users/passwords/${u.passwordId}`);
      expectOk(res);
      assert.deepEqual(Object.keys(res.body).sort(), CHANGED_KEYS);
      assert.equal(res.body.user_id, u.userId);
      assert.equal(res.body.user.password, null);
      assert.deepEqual(res.body.user.emails, [{ email_id: u.emailId, email: u.email, verified: false }]);
      assert.equal((await getUser(s, u.userId)).body.password, null);
      expectError(await login(s, u.email, u.password), 400, 'no_user_password');
      // No session is revoked.
      await expectSessionAlive(s, u.sessionToken, true);
      // A password can be added again (migrate onto the existing user).
      const migrated = await s.request('POST', '/v1/passwords/migrate', { email: u.email, hash: 'a'.repeat(32), hash_type: 'md_5' });
      expectOk(migrated);
      assert.notEqual(migrated.body.user.password.password_id, u.passwordId);
    });

    void it('DELETE password ends the user\'s outstanding reset tokens, and only theirs', async () => {
      const u = await createUser(s);
      const other = await createUser(s);
      const mine = await resetToken(u.userId, u.emailId);
      const theirs = await resetToken(other.userId, other.emailId);
      expectOk(await del(`/v1/users/passwords/${u.passwordId}`));
      assert.equal(await tokenUsed(mine), true);
      assert.equal(await tokenUsed(theirs), false);
    });

    void it('DELETE password: unknown → 404 password_not_found; malformed → 400 invalid_password_id; other project → 404', async () => {
      const u = await createUser(s);
      expectOk(await del(`/v1/users/passwords/${u.passwordId}`));
      expectError(await del(`/v1/users/passwords/${u.passwordId}`), 404, 'password_not_found');
      expectError(await del(`/v1/users/passwords/${UNKNOWN_PASSWORD}`), 404, 'password_not_found');
      expectError(await del('/v1/users/passwords/not-a-password-id'), 400, 'invalid_password_id');
      expectError(await del(`/v1/users/passwords/${u.userId}`), 400, 'invalid_password_id');
      const v = await createUser(s);
      const other = await s.createProject();
      expectError(await del(`/v1/users/passwords/${v.passwordId}`, authFor(other)), 404, 'password_not_found');
      assert.notEqual((await getUser(s, v.userId)).body.password, null);
    });

    void it('DELETE password works with an empty body (Go, Python)', async () => {
      const u = await createUser(s);
      const res = await s.request('DELETE', `/v1/users/passwords/${u.passwordId}`, undefined, { headers: { 'content-type': 'application/json' } });
      expectOk(res);
      assert.equal(res.body.user.password, null);
    });

    void it('DELETE email removes it from the user, frees the address and ends reset tokens', async () => {
      const u = await createUser(s);
      const token = await resetToken(u.userId, u.emailId);
      const res = await del(`/v1/users/emails/${u.emailId}`);
      expectOk(res);
      assert.deepEqual(Object.keys(res.body).sort(), CHANGED_KEYS);
      assert.equal(res.body.user_id, u.userId);
      assert.deepEqual(res.body.user.emails, []);
      assert.notEqual(res.body.user.password, null, 'the password stays');
      assert.equal(await tokenUsed(token), true);
      expectError(await login(s, u.email, u.password), 404, 'email_not_found');
      expectError(await del(`/v1/users/emails/${u.emailId}`), 404, 'email_not_found');
      expectError(await del(`/v1/users/emails/${UNKNOWN_EMAIL}`), 404, 'email_not_found');
      expectError(await del('/v1/users/emails/nope'), 400, 'invalid_email_id');
      const again = await s.request('POST', '/v1/users', { email: u.email });
      expectOk(again, 201);
      assert.notEqual(again.body.user_id, u.userId);
    });

    void it('DELETE phone number removes it from the user and frees the number', async () => {
      const phone = '+14155550199';
      const created = await s.request('POST', '/v1/users', { email: newEmail('ph'), phone_number: phone });
      expectOk(created, 201);
      const res = await del(`/v1/users/phone_numbers/${created.body.phone_id}`);
      expectOk(res);
      assert.deepEqual(Object.keys(res.body).sort(), CHANGED_KEYS);
      assert.equal(res.body.user_id, created.body.user_id);
      assert.deepEqual(res.body.user.phone_numbers, []);
      assert.equal(res.body.user.emails.length, 1);
      expectError(await del(`/v1/users/phone_numbers/${created.body.phone_id}`), 404, 'phone_number_not_found');
      expectError(await del(`/v1/users/phone_numbers/${UNKNOWN_PHONE}`), 404, 'phone_number_not_found');
      expectOk(await s.request('POST', '/v1/users', { phone_number: phone }), 201);
    });

    void it('a user can lose every factor and still exists', async () => {
      const created = await s.request('POST', '/v1/users', { email: newEmail('bare'), phone_number: '+14155550177' });
      expectOk(await del(`/v1/users/emails/${created.body.email_id}`));
      const res = await del(`/v1/users/phone_numbers/${created.body.phone_id}`);
      expectOk(res);
      assert.deepEqual([res.body.user.emails, res.body.user.phone_numbers, res.body.user.password], [[], [], null]);
      expectOk(await getUser(s, created.body.user_id));
    });

    void it('factor deletions are project-scoped', async () => {
      const other = await s.createProject();
      const created = await s.request('POST', '/v1/users', { email: newEmail('scoped'), phone_number: '+14155550166' });
      expectError(await del(`/v1/users/emails/${created.body.email_id}`, authFor(other)), 404, 'email_not_found');
      expectError(await del(`/v1/users/phone_numbers/${created.body.phone_id}`, authFor(other)), 404, 'phone_number_not_found');
      const got = await getUser(s, created.body.user_id);
      assert.equal(got.body.emails.length, 1);
      assert.equal(got.body.phone_numbers.length, 1);
    });
  });
}
