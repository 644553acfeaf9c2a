/**
 * The official `stytch` client against Postern for the policy and migration routes:
 * strength_check (both modes), migrate then login, reset_password at login, users search.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'stytch';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { FIXTURES } from '../fixtures/legacy-hashes.js';
import { STRONG, newEmail } from '../api/support.js';
import { rejectsWith } from '../helpers/stytch-errors.js';

for (const dialect of DIALECTS) {
  describe(`stytch client: policy and migration (${dialect})`, () => {
    let s: TestServer;
    let client: Client;
    before(async () => {
      s = await startTestServer(dialect);
      client = s.client();
    });
    after(() => s.close());

    it('passwords.strengthCheck in zxcvbn and LUDS modes', async () => {
      const strong = await client.passwords.strengthCheck({ password: STRONG[0] });
      assert.equal(strong.valid_password, true);
      assert.equal(strong.score, 4);
      assert.equal(strong.strength_policy, 'zxcvbn');
      assert.equal(strong.feedback?.luds_requirements, null);
      const weak = await client.passwords.strengthCheck({ password: 'password', email: 'someone@example.com' });
      assert.equal(weak.valid_password, false);
      assert.equal(weak.score, 0);

      await s.postern.projects.set(s.projectId, ['password_strength_policy=luds']);
      try {
        const luds = await client.passwords.strengthCheck({ password: 'short' });
        assert.equal(luds.strength_policy, 'luds');
        assert.equal(luds.valid_password, false);
        assert.equal(luds.feedback?.luds_requirements?.missing_characters, 3);
      } finally {
        await s.postern.projects.set(s.projectId, ['password_strength_policy=zxcvbn']);
      }
    });

    it('passwords.migrate, then passwords.authenticate with the old password; errors are StytchErrors', async () => {
      const phpass = FIXTURES.find((f) => f.hash_type === 'phpass')!;
      const email = newEmail('sdk-mig');
      const migrated = await client.passwords.migrate({ email, hash: phpass.hash, hash_type: 'phpass' });
      assert.equal(migrated.user_created, true);
      assert.equal(migrated.user.emails[0]?.email, email);
      const login = await client.passwords.authenticate({ email, password: phpass.password, session_duration_minutes: 30 });
      assert.equal(login.user_id, migrated.user_id);
      assert.ok(login.session_token.length === 44);
      await rejectsWith(client.passwords.migrate({ email, hash: phpass.hash, hash_type: 'phpass' }), 400, 'password_already_exists');
      await rejectsWith(client.passwords.migrate({ email: newEmail(), hash: 'nope', hash_type: 'phpass' }), 400, 'invalid_phpass_hash_prefix');
    });

    it('a breached password at login: passwords.authenticate fails with reset_password', async () => {
      // Migrated hashes skip the policy; "password1" is in the shipped breach corpus.
      const hash = createHash('md5').update('password1').digest('hex');
      const email = newEmail('sdk-breach');
      await client.passwords.migrate({ email, hash, hash_type: 'md_5' });
      await rejectsWith(client.passwords.authenticate({ email, password: 'password1' }), 400, 'reset_password');
      await rejectsWith(client.passwords.existingPassword.reset({ email, existing_password: 'password1', new_password: STRONG[1] }), 400, 'cannot_reset_password_with_existing_password');
    });

    it('users.search pages through users', async () => {
      const found = await client.users.search({ limit: 1, query: { operator: 'AND', operands: [{ filter_name: 'password_exists', filter_value: true }] } });
      assert.equal(found.results.length, 1);
      assert.ok(found.results_metadata.total >= 2);
      assert.equal(typeof found.results_metadata.next_cursor, 'string');
      const next = await client.users.search({ limit: 1, cursor: found.results_metadata.next_cursor!, query: { operator: 'AND', operands: [{ filter_name: 'password_exists', filter_value: true }] } });
      assert.notEqual(next.results[0]?.user_id, found.results[0]?.user_id);
    });
  });
}
