/**
 * POST /v1/passwords/migrate with every golden vector (test/fixtures/legacy-hashes.json, made
 * by an independent implementation): the migrated user logs in with the old password, not a
 * wrong one, and that first login replaces the hash with argon2id.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { FIXTURES, verifiable } from '../fixtures/legacy-hashes.js';
import { STRONG, expectError, expectOk, idPattern, newEmail } from './support.js';

const BCRYPT = FIXTURES.find((f) => f.hash_type === 'bcrypt')!;

for (const dialect of DIALECTS) {
  describe(`passwords migrate (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
      // Some vectors use common passwords; this suite is about hashes, not breach policy.
      await s.postern.projects.set(s.projectId, ['check_breach_on_authentication=false']);
    });
    after(() => s.close());

    const migrate = (body: Record<string, unknown>) => s.request('POST', '/v1/passwords/migrate', body);
    const login = (email: string, password: string) => s.request('POST', '/v1/passwords/authenticate', { email, password });

    for (const f of FIXTURES.filter(verifiable)) {
      it(`${f.label}: migrate, refuse the wrong password, log in, rehash to argon2id`, async () => {
        const email = newEmail('mig');
        const res = await migrate({ email, hash: f.hash, hash_type: f.hash_type, ...f.config });
        expectOk(res);
        assert.deepEqual(Object.keys(res.body).sort(), ['email_id', 'request_id', 'status_code', 'user', 'user_created', 'user_id']);
        assert.equal(res.body.user_created, true);
        assert.match(res.body.user_id, idPattern('user'));
        assert.equal(res.body.user.emails[0].email_id, res.body.email_id);
        assert.equal(res.body.user.emails[0].verified, false);
        assert.equal(res.body.user.password.requires_reset, false);

        expectError(await login(email, f.wrong_password), 401, 'unauthorized_credentials');
        const before = await s.postern.store.getPassword(s.projectId, res.body.user_id);
        assert.ok(before && !before.hash.startsWith('$argon2id$v=19$m=19456'), 'the imported hash is stored until the first login');
        expectOk(await login(email, f.password));
        const afterLogin = await s.postern.store.getPassword(s.projectId, res.body.user_id);
        assert.match(afterLogin!.hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        assert.equal(afterLogin!.id, before.id, 'password_id is kept');
        expectOk(await login(email, f.password));
        expectError(await login(email, f.wrong_password), 401, 'unauthorized_credentials');
      });
    }

    it('a bcrypt user whose password is over 72 bytes cannot log in with it (nor with one sharing 72 bytes) and must reset', async () => {
      const f = FIXTURES.find((x) => !verifiable(x))!;
      const email = newEmail('bcrypt72');
      expectOk(await migrate({ email, hash: f.hash, hash_type: f.hash_type }));
      expectError(await login(email, f.password), 401, 'unauthorized_credentials');
      const sameFirst72 = Buffer.concat([Buffer.from(f.password).subarray(0, 72), Buffer.from('tail')]).toString();
      expectError(await login(email, sameFirst72), 401, 'unauthorized_credentials');
    });

    it('attaches a password to an existing user without one; a second migrate is password_already_exists', async () => {
      const email = newEmail('existing');
      const userId = `user-test-${randomUUID()}`;
      const emailId = `email-test-${randomUUID()}`;
      assert.equal(
        await s.postern.store.insertUser({
          id: userId, projectId: s.projectId, status: 'active', name: { firstName: 'Ada', middleName: '', lastName: '' },
          email: { id: emailId, email, verified: false }, trustedMetadata: {}, untrustedMetadata: {}, externalId: null, roles: [], createdAt: Date.now(),
        }),
        'inserted',
      );
      const res = await migrate({ email: email.toUpperCase(), hash: BCRYPT.hash, hash_type: 'bcrypt', set_email_verified: true, name: { first_name: 'Ignored' } });
      expectOk(res);
      assert.equal(res.body.user_created, false);
      assert.equal(res.body.user_id, userId);
      assert.equal(res.body.email_id, emailId);
      assert.equal(res.body.user.emails[0].verified, true);
      assert.equal(res.body.user.name.first_name, 'Ada', 'profile fields apply only to a created user');
      expectOk(await login(email, BCRYPT.password));
      expectError(await migrate({ email, hash: BCRYPT.hash, hash_type: 'bcrypt' }), 400, 'password_already_exists');
      expectError(await migrate({ email, hash: BCRYPT.hash, hash_type: 'bcrypt' }), 400, 'password_already_exists');
    });

    it('a created user gets the name, metadata, phone, external id, roles and verification flags given', async () => {
      const email = newEmail('full');
      const phone = `+1415555${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
      const externalId = `ext-${randomUUID()}`;
      const res = await migrate({
        email, hash: BCRYPT.hash, hash_type: 'bcrypt', set_email_verified: true,
        name: { first_name: 'Grace', middle_name: 'B', last_name: 'Hopper' },
        trusted_metadata: { plan: 'pro' }, untrusted_metadata: { theme: 'dark' },
        phone_number: phone, set_phone_number_verified: true, external_id: externalId, roles: ['admin'],
      });
      expectOk(res);
      const u = res.body.user;
      assert.deepEqual(u.name, { first_name: 'Grace', middle_name: 'B', last_name: 'Hopper' });
      assert.deepEqual(u.trusted_metadata, { plan: 'pro' });
      assert.deepEqual(u.untrusted_metadata, { theme: 'dark' });
      assert.equal(u.emails[0].verified, true);
      assert.equal(u.phone_numbers.length, 1);
      assert.equal(u.phone_numbers[0].phone_number, phone);
      assert.equal(u.phone_numbers[0].verified, true);
      assert.match(u.phone_numbers[0].phone_id, idPattern('phone-number'));
      assert.equal(u.external_id, externalId);
      assert.deepEqual(u.roles, ['stytch_user', 'admin']);

      expectError(await migrate({ email: newEmail(), hash: BCRYPT.hash, hash_type: 'bcrypt', phone_number: phone }), 400, 'duplicate_phone_number');
      expectError(await migrate({ email: newEmail(), hash: BCRYPT.hash, hash_type: 'bcrypt', external_id: externalId }), 400, 'duplicate_user_external_id');
    });

    it('refuses bad input with the spec types and writes nothing', async () => {
      const email = newEmail('bad');
      expectError(await migrate({ email, hash: BCRYPT.hash, hash_type: 'sha_256' }), 400, 'invalid_hash_type');
      expectError(await migrate({ email, hash: '', hash_type: 'bcrypt' }), 400, 'invalid_hash');
      expectError(await migrate({ email, hash: BCRYPT.hash.replace(/^(\$2.\$)\d\d/, '$131'), hash_type: 'bcrypt' }), 400, 'invalid_bcrypt_cost');
      expectError(await migrate({ email, hash: 'abc', hash_type: 'md_5' }), 400, 'invalid_md_5_hash');
      expectError(await migrate({ email, hash: 'x', hash_type: 'pbkdf_2' }), 400, 'invalid_pbkdf_2_hash');
      expectError(await migrate({ email: 'not-an-email', hash: BCRYPT.hash, hash_type: 'bcrypt' }), 400, 'invalid_email');
      expectError(await migrate({ email, hash: BCRYPT.hash, hash_type: 'bcrypt', phone_number: '4155550100' }), 400, 'invalid_phone_number');
      expectError(await migrate({ email, hash: BCRYPT.hash, hash_type: 'bcrypt', external_id: 'has space' }), 400, 'invalid_argument');
      expectError(await migrate({ email, hash: BCRYPT.hash, hash_type: 'bcrypt', trusted_metadata: [1] }), 400, 'metadata_invalid_format');
      expectError(await migrate({ email, hash_type: 'bcrypt' }), 400, 'invalid_argument');
      expectError(await login(email, STRONG[0]), 404, 'email_not_found');
    });
  });
}
