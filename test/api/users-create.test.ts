/**
 * POST /v1/users (spec §10.1, decision 17): 201, email and/or phone, profile fields, and every
 * error the call can answer.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, TIMESTAMP, assertUser, authFor, expectError, expectOk, getUser, idPattern, login, newEmail, type Json } from './support.js';

/** A random E.164 number (+1 415 and seven digits). */
function newPhone(): string {
  return `+1415${randomInt(1_000_000, 10_000_000)}`;
}

const CREATE_KEYS = ['email_id', 'phone_id', 'request_id', 'status', 'status_code', 'user', 'user_id'];

for (const dialect of DIALECTS) {
  void describe(`users create (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());

    const create = (body: unknown, auth?: string) => s.request('POST', '/v1/users', body, auth ? { auth } : {});

    void it('answers 201 with {request_id, user_id, email_id, status, phone_id: "", user, status_code: 201}', async () => {
      const email = newEmail('create');
      const res = await create({ email });
      expectOk(res, 201);
      assert.deepEqual(Object.keys(res.body).sort(), CREATE_KEYS);
      assert.match(res.body.user_id, idPattern('user'));
      assert.match(res.body.email_id, idPattern('email'));
      assert.equal(res.body.phone_id, '');
      assert.equal(res.body.status, 'active');
      assertUser(res.body.user, { userId: res.body.user_id, email, emailId: res.body.email_id, passwordId: null });
      assert.match(res.body.user.created_at, TIMESTAMP);

      const got = await getUser(s, res.body.user_id);
      expectOk(got);
      assertUser(got.body, { userId: res.body.user_id, email, emailId: res.body.email_id, passwordId: null });
    });

    void it('trims and lowercases the email, and the user has no password until one is added', async () => {
      const email = newEmail('Mixed');
      const res = await create({ email: `  ${email.toUpperCase()} ` });
      expectOk(res, 201);
      assert.equal(res.body.user.emails[0].email, email.toLowerCase());
      expectError(await login(s, email, STRONG[0]), 400, 'no_user_password');
    });

    void it('creates a phone-only user: email_id "", emails [], one unverified phone number', async () => {
      const phone = newPhone();
      const res = await create({ phone_number: phone });
      expectOk(res, 201);
      assert.deepEqual(Object.keys(res.body).sort(), CREATE_KEYS);
      assert.equal(res.body.email_id, '');
      assert.match(res.body.phone_id, idPattern('phone-number'));
      assert.deepEqual(res.body.user.emails, []);
      assert.deepEqual(res.body.user.phone_numbers, [{ phone_id: res.body.phone_id, phone_number: phone, verified: false }]);
      const got = await getUser(s, res.body.user_id);
      assert.deepEqual(got.body.phone_numbers, res.body.user.phone_numbers);
    });

    void it('takes every profile field: email + phone, name, metadata, external_id, roles, pending', async () => {
      const email = newEmail('full');
      const phone = newPhone();
      const body = {
        email,
        phone_number: phone,
        name: { first_name: 'Ada', middle_name: 'King', last_name: 'Lovelace' },
        attributes: { ip_address: '203.0.113.9', user_agent: 'test' },
        create_user_as_pending: true,
        trusted_metadata: { plan: 'pro', seats: 3, nested: { a: [1, 2] } },
        untrusted_metadata: { theme: 'dark' },
        external_id: `ext-${phone.slice(1)}`,
        roles: ['admin', 'editor'],
      };
      const res = await create(body);
      expectOk(res, 201);
      assert.equal(res.body.status, 'pending');
      const u: Json = res.body.user;
      assert.equal(u.status, 'pending');
      assert.deepEqual(u.emails, [{ email_id: res.body.email_id, email, verified: false }]);
      assert.deepEqual(u.phone_numbers, [{ phone_id: res.body.phone_id, phone_number: phone, verified: false }]);
      assert.deepEqual(u.name, body.name);
      assert.deepEqual(u.trusted_metadata, body.trusted_metadata);
      assert.deepEqual(u.untrusted_metadata, body.untrusted_metadata);
      assert.equal(u.external_id, body.external_id);
      assert.deepEqual(u.roles, ['stytch_user', 'admin', 'editor']);
      assert.equal(u.password, null);
      assert.equal(u.is_locked, false);
      // The external id names the user wherever a user_id is expected.
      const byExternal = await getUser(s, body.external_id);
      expectOk(byExternal);
      assert.equal(byExternal.body.user_id, res.body.user_id);
    });

    void it('explicit nulls mean absent; create_user_as_pending false is active', async () => {
      const res = await create({
        email: newEmail('nulls'), phone_number: null, name: null, trusted_metadata: null, untrusted_metadata: null,
        external_id: null, roles: null, attributes: null, create_user_as_pending: false,
      });
      expectOk(res, 201);
      assert.equal(res.body.status, 'active');
      assert.equal(res.body.phone_id, '');
      assert.deepEqual(res.body.user.trusted_metadata, {});
      assert.equal(res.body.user.external_id, null);
      assert.deepEqual(res.body.user.roles, ['stytch_user']);
    });

    void it('without email and phone_number → 400 invalid_create_user_request', async () => {
      expectError(await create({}), 400, 'invalid_create_user_request');
      expectError(await create({ email: null, phone_number: null, name: { first_name: 'X' } }), 400, 'invalid_create_user_request');
      expectError(await s.request('POST', '/v1/users', undefined, { headers: { 'content-type': 'application/json' } }), 400, 'invalid_create_user_request');
    });

    void it('validates the email and the phone number', async () => {
      expectError(await create({ email: 'not-an-email' }), 400, 'invalid_email');
      expectError(await create({ email: '' }), 400, 'invalid_email');
      expectError(await create({ phone_number: '4155550123' }), 400, 'invalid_phone_number');
      expectError(await create({ phone_number: '+0123456789' }), 400, 'invalid_phone_number');
      expectError(await create({ email: newEmail(), phone_number: '+1 415 555 0123' }), 400, 'invalid_phone_number');
      expectError(await create({ email: 42 }), 400, 'invalid_argument');
    });

    void it('refuses taken emails, phone numbers and external ids, and writes nothing then', async () => {
      const email = newEmail('dup');
      const phone = newPhone();
      const first = await create({ email, phone_number: phone, external_id: `dup-${phone.slice(1)}` });
      expectOk(first, 201);
      expectError(await create({ email: email.toUpperCase() }), 400, 'duplicate_email', 'A user with the specified email already exists for this project.');
      // /v1/passwords and /v1/users share one email space.
      expectError(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }), 400, 'duplicate_email');

      const freshEmail = newEmail('dup2');
      expectError(await create({ email: freshEmail, phone_number: phone }), 400, 'duplicate_phone_number');
      expectError(await create({ email: freshEmail, external_id: `dup-${phone.slice(1)}` }), 400, 'duplicate_user_external_id');
      // Nothing of the refused calls was kept: the email is still free.
      expectOk(await create({ email: freshEmail }), 201);

      const taken = await s.request('POST', '/v1/passwords', { email: newEmail('pw'), password: STRONG[0] });
      expectOk(taken);
      expectError(await create({ email: taken.body.user.emails[0].email }), 400, 'duplicate_email');
    });

    void it('emails, phone numbers and external ids are unique per project only', async () => {
      const other = await s.createProject();
      const email = newEmail('iso');
      const phone = newPhone();
      const body = { email, phone_number: phone, external_id: `iso-${phone.slice(1)}` };
      const mine = await create(body);
      expectOk(mine, 201);
      const theirs = await create(body, authFor(other));
      expectOk(theirs, 201);
      assert.notEqual(theirs.body.user_id, mine.body.user_id);
      // Each project finds its own user by the shared external id.
      assert.equal((await getUser(s, body.external_id)).body.user_id, mine.body.user_id);
      assert.equal((await getUser(s, body.external_id, { auth: authFor(other) })).body.user_id, theirs.body.user_id);
    });

    void it('metadata: not an object → metadata_invalid_format; over 20 keys or 4 KB → too_many_keys / too_large', async () => {
      for (const bad of ['text', 5, true, [1, 2]]) {
        expectError(await create({ email: newEmail(), trusted_metadata: bad }), 400, 'metadata_invalid_format');
        expectError(await create({ email: newEmail(), untrusted_metadata: bad }), 400, 'metadata_invalid_format');
      }
      const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
      expectOk(await create({ email: newEmail(), trusted_metadata: keys(20) }), 201);
      expectError(await create({ email: newEmail(), trusted_metadata: keys(21) }), 400, 'metadata_too_many_keys');
      expectError(await create({ email: newEmail(), untrusted_metadata: keys(21) }), 400, 'metadata_too_many_keys');
      // {"v":"…"} is 8 bytes of JSON around the string.
      expectOk(await create({ email: newEmail(), untrusted_metadata: { v: 'x'.repeat(4096 - 8) } }), 201);
      expectError(await create({ email: newEmail(), untrusted_metadata: { v: 'x'.repeat(4096 - 7) } }), 400, 'metadata_too_large');
      expectError(await create({ email: newEmail(), trusted_metadata: { v: 'é'.repeat(2100) } }), 400, 'metadata_too_large');
    });

    void it('external_id and roles are checked: shape, length, stytch_user', async () => {
      expectError(await create({ email: newEmail(), external_id: 'has space' }), 400, 'invalid_argument');
      expectError(await create({ email: newEmail(), external_id: 'x'.repeat(129) }), 400, 'invalid_argument');
      expectError(await create({ email: newEmail(), external_id: '' }), 400, 'invalid_argument');
      expectOk(await create({ email: newEmail(), external_id: `Ok.${Date.now()}_|-x`.slice(0, 128) }), 201);
      expectError(await create({ email: newEmail(), roles: ['stytch_user'] }), 400, 'invalid_argument');
      expectError(await create({ email: newEmail(), roles: [''] }), 400, 'invalid_argument');
      expectError(await create({ email: newEmail(), roles: 'admin' }), 400, 'invalid_argument');
      expectError(await create({ email: newEmail(), create_user_as_pending: 'yes' }), 400, 'invalid_argument');
      expectError(await create({ email: newEmail(), name: { first_name: 'x'.repeat(257) } }), 400, 'invalid_argument');
    });

    void it('GET /v1/users and PATCH /v1/users/{id} are 405; /v1/users/search stays its own route', async () => {
      expectError(await s.request('GET', '/v1/users'), 405, 'method_not_allowed');
      expectError(await s.request('PATCH', '/v1/users/user-test-00000000-0000-4000-8000-000000000000', {}), 405, 'method_not_allowed');
      const search = await s.request('POST', '/v1/users/search', {});
      expectOk(search);
      assert.ok(Array.isArray(search.body.results));
    });
  });
}
