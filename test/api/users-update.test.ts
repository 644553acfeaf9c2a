/**
 * PUT /v1/users/{user_id} (spec §10.4): name, metadata merge rules and limits, external id,
 * roles; GET/DELETE by external id (§10.2, §1.4) and DELETE /v1/users/{user_id}/external_id.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { authFor, deleteUser, expectError, expectOk, getUser, newEmail, type Json, type Res } from './support.js';

const UNKNOWN_USER = 'user-test-00000000-0000-4000-8000-000000000000';

function externalId(tag = 'ext'): string {
  return `${tag}-${randomUUID()}`;
}

for (const dialect of DIALECTS) {
  void describe(`users update (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());

    async function newUser(extra: Record<string, unknown> = {}): Promise<Json> {
      const res = await s.request('POST', '/v1/users', { email: newEmail('upd'), ...extra });
      expectOk(res, 201);
      return res.body.user;
    }
    const update = (userId: string, body: unknown, auth?: string): Promise<Res> =>
      s.request('PUT', `/v1/users/${encodeURIComponent(userId)}`, body, auth ? { auth } : {});

    void it('answers {request_id, user_id, emails, phone_numbers, crypto_wallets, user, status_code}', async () => {
      const u = await newUser({ phone_number: '+14155550142' });
      const res = await update(u.user_id, { name: { first_name: 'Grace' } });
      expectOk(res);
      assert.deepEqual(Object.keys(res.body).sort(), ['crypto_wallets', 'emails', 'phone_numbers', 'request_id', 'status_code', 'user', 'user_id']);
      assert.equal(res.body.user_id, u.user_id);
      assert.deepEqual(res.body.emails, u.emails);
      assert.deepEqual(res.body.phone_numbers, u.phone_numbers);
      assert.deepEqual(res.body.crypto_wallets, []);
      assert.deepEqual(res.body.user, { ...u, name: { first_name: 'Grace', middle_name: '', last_name: '' } });
      const got = await getUser(s, u.user_id);
      assert.deepEqual(got.body.name, res.body.user.name);
    });

    void it('name: the parts given replace the stored ones, the others stay', async () => {
      const u = await newUser({ name: { first_name: 'Ada', middle_name: 'King', last_name: 'Byron' } });
      let res = await update(u.user_id, { name: { last_name: 'Lovelace' } });
      assert.deepEqual(res.body.user.name, { first_name: 'Ada', middle_name: 'King', last_name: 'Lovelace' });
      res = await update(u.user_id, { name: { first_name: 'Augusta', middle_name: '', last_name: null } });
      assert.deepEqual(res.body.user.name, { first_name: 'Augusta', middle_name: '', last_name: 'Lovelace' });
      res = await update(u.user_id, { name: null, attributes: { ip_address: '203.0.113.1' } });
      expectOk(res);
      assert.deepEqual(res.body.user.name, { first_name: 'Augusta', middle_name: '', last_name: 'Lovelace' });
      expectError(await update(u.user_id, { name: { first_name: 'x'.repeat(257) } }), 400, 'invalid_argument');
    });

    void it('metadata merges at the top level: null deletes a key, nested values are replaced wholesale', async () => {
      const u = await newUser({
        trusted_metadata: { a: 1, b: { x: 1, y: 2 }, c: [1, 2, 3], keep: 'yes' },
        untrusted_metadata: { theme: 'dark' },
      });
      const res = await update(u.user_id, { trusted_metadata: { a: null, b: { z: 3 }, c: [9], d: 'new', missing: null } });
      expectOk(res);
      assert.deepEqual(res.body.user.trusted_metadata, { b: { z: 3 }, c: [9], keep: 'yes', d: 'new' });
      assert.deepEqual(res.body.user.untrusted_metadata, { theme: 'dark' }, 'absent metadata is untouched');
      const again = await update(u.user_id, { trusted_metadata: {}, untrusted_metadata: null });
      assert.deepEqual(again.body.user.trusted_metadata, res.body.user.trusted_metadata, '{} and null change nothing');
      assert.deepEqual(again.body.user.untrusted_metadata, { theme: 'dark' });
      const cleared = await update(u.user_id, { untrusted_metadata: { theme: null } });
      assert.deepEqual(cleared.body.user.untrusted_metadata, {});
      assert.deepEqual((await getUser(s, u.user_id)).body.trusted_metadata, { b: { z: 3 }, c: [9], keep: 'yes', d: 'new' });
    });

    void it('metadata limits apply to the merged result: 20 keys and 4 KB; a refused update changes nothing', async () => {
      const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
      const u = await newUser({ trusted_metadata: twenty });
      expectError(await update(u.user_id, { trusted_metadata: { extra: 1 } }), 400, 'metadata_too_many_keys');
      // Deleting one key makes room for another in the same call.
      const swapped = await update(u.user_id, { trusted_metadata: { k0: null, extra: 1 } });
      expectOk(swapped);
      assert.equal(Object.keys(swapped.body.user.trusted_metadata).length, 20);
      assert.equal(swapped.body.user.trusted_metadata.extra, 1);

      const v = await newUser({ untrusted_metadata: { big: 'x'.repeat(3000) } });
      // {"big":"…","more":"…"}: 4096 bytes exactly is allowed, one more is not.
      const fits = 4096 - JSON.stringify({ big: 'x'.repeat(3000), more: '' }).length;
      expectError(await update(v.user_id, { untrusted_metadata: { more: 'y'.repeat(fits + 1) } }), 400, 'metadata_too_large');
      assert.deepEqual((await getUser(s, v.user_id)).body.untrusted_metadata, { big: 'x'.repeat(3000) });
      expectOk(await update(v.user_id, { untrusted_metadata: { more: 'y'.repeat(fits) } }));
      // Replacing the big value shrinks the object again.
      const shrunk = await update(v.user_id, { untrusted_metadata: { big: 'small' } });
      assert.deepEqual(shrunk.body.user.untrusted_metadata, { big: 'small', more: 'y'.repeat(fits) });

      for (const bad of ['text', 7, false, ['a']]) {
        expectError(await update(v.user_id, { trusted_metadata: bad }), 400, 'metadata_invalid_format');
        expectError(await update(v.user_id, { untrusted_metadata: bad }), 400, 'metadata_invalid_format');
      }
    });

    void it('concurrent updates of different metadata keys all land', async () => {
      const u = await newUser();
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => update(u.user_id, { trusted_metadata: { [`key${i}`]: i } })));
      for (const r of results) expectOk(r);
      const got = await getUser(s, u.user_id);
      assert.deepEqual(got.body.trusted_metadata, Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`key${i}`, i])));
    });

    void it('external_id: set, change, look the user up by it; unique per project', async () => {
      const a = await newUser();
      const b = await newUser();
      const first = externalId();
      let res = await update(a.user_id, { external_id: first });
      expectOk(res);
      assert.equal(res.body.user.external_id, first);
      assert.equal((await getUser(s, first)).body.user_id, a.user_id);
      // Setting the same value again is not a conflict with itself.
      expectOk(await update(a.user_id, { external_id: first }));
      expectError(await update(b.user_id, { external_id: first }), 400, 'duplicate_user_external_id');
      assert.equal((await getUser(s, b.user_id)).body.external_id, null, 'a refused update changes nothing');

      const second = externalId();
      res = await update(first, { external_id: second, name: { first_name: 'Renamed' } });
      expectOk(res);
      assert.equal(res.body.user_id, a.user_id);
      assert.equal(res.body.user.external_id, second);
      expectError(await getUser(s, first), 404, 'user_not_found');
      // The old value is free again.
      expectOk(await update(b.user_id, { external_id: first }));

      const other = await s.createProject();
      const theirs = await s.request('POST', '/v1/users', { email: newEmail() }, { auth: authFor(other) });
      expectOk(await update(theirs.body.user_id, { external_id: second }, authFor(other)));

      expectError(await update(a.user_id, { external_id: 'no spaces allowed' }), 400, 'invalid_argument');
      expectError(await update(a.user_id, { external_id: 'x'.repeat(129) }), 400, 'invalid_argument');
    });

    void it('a user id is looked up before external ids', async () => {
      const a = await newUser();
      const b = await newUser();
      // b's external id is a's user id: the path names a.
      expectOk(await update(b.user_id, { external_id: a.user_id }));
      assert.equal((await getUser(s, a.user_id)).body.user_id, a.user_id);
      const res = await update(a.user_id, { name: { first_name: 'A' } });
      assert.equal(res.body.user_id, a.user_id);
      assert.equal((await getUser(s, b.user_id)).body.name.first_name, '');
    });

    void it('roles: the list given replaces the assigned roles; [] clears them', async () => {
      const u = await newUser({ roles: ['admin'] });
      let res = await update(u.user_id, { roles: ['editor', 'viewer'] });
      assert.deepEqual(res.body.user.roles, ['stytch_user', 'editor', 'viewer']);
      res = await update(u.user_id, { roles: null });
      assert.deepEqual(res.body.user.roles, ['stytch_user', 'editor', 'viewer'], 'null is absent');
      res = await update(u.user_id, { roles: [] });
      assert.deepEqual(res.body.user.roles, ['stytch_user']);
      expectError(await update(u.user_id, { roles: ['stytch_user'] }), 400, 'invalid_argument');
      expectError(await update(u.user_id, { roles: [1] }), 400, 'invalid_argument');
    });

    void it('a body user_id (the Go client sends it) is accepted and ignored', async () => {
      const a = await newUser();
      const b = await newUser();
      const res = await update(a.user_id, { user_id: b.user_id, name: { first_name: 'Go' } });
      expectOk(res);
      assert.equal(res.body.user_id, a.user_id);
      assert.equal((await getUser(s, b.user_id)).body.name.first_name, '');
    });

    void it('an empty update answers the user unchanged; an unknown user is 404 user_not_found', async () => {
      const u = await newUser();
      const res = await update(u.user_id, {});
      expectOk(res);
      assert.deepEqual(res.body.user, u);
      expectOk(await s.request('PUT', `/v1/users/${u.user_id}`, undefined, { headers: { 'content-type': 'application/json' } }));
      expectError(await update(UNKNOWN_USER, { name: { first_name: 'x' } }), 404, 'user_not_found');
      expectError(await update('no-such-external-id', {}), 404, 'user_not_found');
    });

    void it('DELETE /v1/users/{user_id}/external_id clears it (by user id or by the external id)', async () => {
      const ext = externalId();
      const u = await newUser({ external_id: ext });
      const res = await s.request('DELETE', `/v1/users/${encodeURIComponent(ext)}/external_id`, {});
      expectOk(res);
      assert.deepEqual(Object.keys(res.body).sort(), ['request_id', 'status_code', 'user', 'user_id']);
      assert.equal(res.body.user_id, u.user_id);
      assert.equal(res.body.user.external_id, null);
      expectError(await getUser(s, ext), 404, 'user_not_found');
      // Already clear: still 200. The freed id can be taken by another user.
      expectOk(await s.request('DELETE', `/v1/users/${u.user_id}/external_id`, undefined, { headers: { 'content-type': 'application/json' } }));
      const v = await newUser({ external_id: ext });
      assert.equal((await getUser(s, ext)).body.user_id, v.user_id);
      expectError(await s.request('DELETE', `/v1/users/${UNKNOWN_USER}/external_id`, {}), 404, 'user_not_found');
    });

    void it('external ids that spell a static path segment (search, passwords, emails) still route to the user', async () => {
      const other = await s.createProject();
      const auth = authFor(other);
      for (const ext of ['search', 'passwords', 'emails', 'phone_numbers']) {
        const created = await s.request('POST', '/v1/users', { email: newEmail(ext), external_id: ext }, { auth });
        expectOk(created, 201);
        assert.equal((await getUser(s, ext, { auth })).body.user_id, created.body.user_id, `GET ${ext}`);
        assert.equal((await update(ext, { roles: ['r'] }, auth)).body.user_id, created.body.user_id, `PUT ${ext}`);
        assert.equal((await deleteUser(s, ext, { auth })).body.user_id, created.body.user_id, `DELETE ${ext}`);
      }
    });

    void it('DELETE /v1/users/{external_id} deletes the user and answers its user_id', async () => {
      const ext = externalId();
      const u = await newUser({ external_id: ext });
      const res = await deleteUser(s, ext);
      expectOk(res);
      assert.deepEqual(res.body, { request_id: res.body.request_id, user_id: u.user_id, status_code: 200 });
      expectError(await getUser(s, u.user_id), 404, 'user_not_found');
      expectError(await deleteUser(s, ext), 404, 'user_not_found');
    });
  });
}
