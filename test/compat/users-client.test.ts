/**
 * The official `stytch` Node client (v14), unchanged, against the users API: create, get (by
 * user id and external id), search and searchAll, update, deletePassword, deleteEmail,
 * deletePhoneNumber, deleteExternalId, delete, and typed errors.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'stytch';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { REQUEST_ID, STRONG, idPattern, newEmail } from '../api/support.js';
import { rejectsWith } from '../helpers/stytch-errors.js';

for (const dialect of DIALECTS) {
  void describe(`stytch client: users (${dialect})`, () => {
    let s: TestServer;
    let client: Client;
    before(async () => {
      s = await startTestServer(dialect);
      client = s.client();
    });
    after(() => s.close());

    void it('users.create, get (by id and external id), update, deleteExternalId, delete', async () => {
      const email = newEmail('sdk-users');
      const externalId = `sdk-${randomUUID()}`;
      const created = await client.users.create({
        email,
        phone_number: '+14155550188',
        name: { first_name: 'Ada', last_name: 'Lovelace' },
        attributes: { ip_address: '203.0.113.5', user_agent: 'sdk-test' },
        trusted_metadata: { plan: 'pro', flags: { beta: true } },
        untrusted_metadata: { theme: 'dark' },
        external_id: externalId,
        roles: ['admin'],
      });
      assert.equal(created.status_code, 201);
      assert.match(created.request_id, REQUEST_ID);
      assert.match(created.user_id, idPattern('user'));
      assert.match(created.email_id, idPattern('email'));
      assert.match(created.phone_id, idPattern('phone-number'));
      assert.equal(created.status, 'active');
      assert.equal(created.user.emails[0]?.email, email);
      assert.equal(created.user.emails[0]?.verified, false);
      assert.deepEqual(created.user.roles, ['stytch_user', 'admin']);
      const userId = created.user_id;

      const got = await client.users.get({ user_id: userId });
      assert.equal(got.status_code, 200);
      assert.equal(got.user_id, userId);
      assert.deepEqual(got.name, { first_name: 'Ada', middle_name: '', last_name: 'Lovelace' });
      assert.deepEqual(got.trusted_metadata, { plan: 'pro', flags: { beta: true } });
      assert.equal(got.external_id, externalId);
      assert.equal((await client.users.get({ user_id: externalId })).user_id, userId);

      const updated = await client.users.update({
        user_id: externalId,
        name: { middle_name: 'King' },
        trusted_metadata: { plan: null, flags: { beta: false }, added: [1, 2] },
        untrusted_metadata: { theme: null },
        roles: ['editor', 'viewer'],
      });
      assert.equal(updated.status_code, 200);
      assert.equal(updated.user_id, userId);
      assert.deepEqual(updated.emails, created.user.emails);
      assert.deepEqual(updated.phone_numbers, created.user.phone_numbers);
      assert.deepEqual(updated.crypto_wallets, []);
      assert.deepEqual(updated.user.name, { first_name: 'Ada', middle_name: 'King', last_name: 'Lovelace' });
      assert.deepEqual(updated.user.trusted_metadata, { flags: { beta: false }, added: [1, 2] });
      assert.deepEqual(updated.user.untrusted_metadata, {});
      assert.deepEqual(updated.user.roles, ['stytch_user', 'editor', 'viewer']);

      const renamed = `sdk-${randomUUID()}`;
      assert.equal((await client.users.update({ user_id: userId, external_id: renamed })).user.external_id, renamed);
      const cleared = await client.users.deleteExternalId({ user_id: renamed });
      assert.equal(cleared.status_code, 200);
      assert.equal(cleared.user_id, userId);
      assert.equal(cleared.user.external_id, null);

      const deleted = await client.users.delete({ user_id: userId });
      assert.equal(deleted.status_code, 200);
      assert.equal(deleted.user_id, userId);
      await rejectsWith(client.users.get({ user_id: userId }), 404, 'user_not_found');
      await rejectsWith(client.users.delete({ user_id: userId }), 404, 'user_not_found');
    });

    void it('users.create with a phone number only, create_user_as_pending, then deletePhoneNumber and deleteEmail', async () => {
      const created = await client.users.create({ phone_number: '+14155550187', create_user_as_pending: true });
      assert.equal(created.status_code, 201);
      assert.equal(created.email_id, '');
      assert.equal(created.status, 'pending');
      assert.deepEqual(created.user.emails, []);
      const noPhone = await client.users.deletePhoneNumber({ phone_id: created.phone_id });
      assert.equal(noPhone.user_id, created.user_id);
      assert.deepEqual(noPhone.user.phone_numbers, []);
      await rejectsWith(client.users.deletePhoneNumber({ phone_id: created.phone_id }), 404, 'phone_number_not_found');

      const withEmail = await client.users.create({ email: newEmail('sdk-del-email') });
      const noEmail = await client.users.deleteEmail({ email_id: withEmail.email_id });
      assert.deepEqual(noEmail.user.emails, []);
      await rejectsWith(client.users.deleteEmail({ email_id: withEmail.email_id }), 404, 'email_not_found');
    });

    void it('users.deletePassword removes the password of a passwords.create user', async () => {
      const email = newEmail('sdk-pw');
      const created = await client.passwords.create({ email, password: STRONG[0] });
      const passwordId = created.user.password?.password_id;
      assert.ok(passwordId);
      const res = await client.users.deletePassword({ password_id: passwordId });
      assert.equal(res.status_code, 200);
      assert.equal(res.user_id, created.user_id);
      assert.equal(res.user.password, null);
      await rejectsWith(client.passwords.authenticate({ email, password: STRONG[0] }), 400, 'no_user_password');
      await rejectsWith(client.users.deletePassword({ password_id: passwordId }), 404, 'password_not_found');
      await rejectsWith(client.users.deletePassword({ password_id: 'garbage' }), 400, 'invalid_password_id');
    });

    void it('users.search with filters, and searchAll pages through every user once', async () => {
      const p = await s.createProject();
      const own = s.client(p);
      const ids = new Set<string>();
      for (let i = 0; i < 230; i++) {
        const r = await s.postern.store.insertUser({
          id: `user-test-${randomUUID()}`, projectId: p.projectId, status: i % 2 ? 'active' : 'pending',
          name: { firstName: `Sdk${i}`, middleName: '', lastName: '' },
          email: { id: `email-test-${randomUUID()}`, email: `sdk.page.${i}@example.com`, verified: false },
          trustedMetadata: {}, untrustedMetadata: {}, externalId: null, roles: [], createdAt: Date.UTC(2033, 0, 1) + (i % 7) * 1000,
        });
        assert.equal(r, 'inserted');
      }
      const one = await own.users.search({ limit: 10, query: { operator: 'AND', operands: [{ filter_name: 'email_address', filter_value: ['sdk.page.7@example.com'] }] } });
      assert.equal(one.status_code, 200);
      assert.equal(one.results.length, 1);
      assert.equal(one.results_metadata.total, 1);
      assert.equal(one.results_metadata.next_cursor, null);
      const pending = await own.users.search({ limit: 1000, query: { operator: 'AND', operands: [{ filter_name: 'status', filter_value: 'pending' }, { filter_name: 'password_exists', filter_value: false }] } });
      assert.equal(pending.results_metadata.total, 115);

      let pages = 0;
      for await (const page of own.users.searchAll({ limit: 100 })) {
        pages += 1;
        for (const u of page) {
          assert.ok(!ids.has(u.user_id), 'a user appeared twice');
          ids.add(u.user_id);
        }
      }
      assert.equal(pages, 3);
      assert.equal(ids.size, 230);
    });

    void it('errors arrive as typed StytchErrors', async () => {
      const email = newEmail('sdk-err');
      await client.users.create({ email });
      await rejectsWith(client.users.create({ email }), 400, 'duplicate_email');
      await rejectsWith(client.users.create({}), 400, 'invalid_create_user_request');
      await rejectsWith(client.users.create({ email: newEmail(), trusted_metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) }), 400, 'metadata_too_many_keys');
      await rejectsWith(client.users.update({ user_id: 'user-test-00000000-0000-4000-8000-000000000000', name: { first_name: 'x' } }), 404, 'user_not_found');
      await rejectsWith(client.users.search({ limit: 5000 }), 400, 'user_search_invalid_limit');
      await rejectsWith(client.users.search({ query: { operator: 'AND', operands: [{ filter_name: 'phone_number_fuzzy', filter_value: '1' }] } }), 400, 'user_search_phone_number_fuzzy_too_short');
    });
  });
}
