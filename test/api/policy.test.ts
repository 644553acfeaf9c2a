/**
 * Per-project password policy: strength_check in zxcvbn and LUDS modes, the policy applied at
 * create and reset, and the lock settings taking effect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, WRONG, expectError, expectOk, newEmail } from './support.js';

const STRENGTH_KEYS = ['request_id', 'status_code', 'valid_password', 'score', 'breached_password', 'strength_policy', 'breach_detection_on_create', 'feedback'].sort();

for (const dialect of DIALECTS) {
  describe(`password policy (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());

    const check = (body: Record<string, unknown>) => s.request('POST', '/v1/passwords/strength_check', body);

    it('zxcvbn mode: a strong password is valid with score 4 and empty feedback', async () => {
      const res = await check({ password: STRONG[0] });
      expectOk(res);
      assert.deepEqual(Object.keys(res.body).sort(), STRENGTH_KEYS);
      assert.deepEqual(res.body, {
        request_id: res.body.request_id,
        status_code: 200,
        valid_password: true,
        score: 4,
        breached_password: false,
        strength_policy: 'zxcvbn',
        breach_detection_on_create: true,
        feedback: { warning: '', suggestions: [], luds_requirements: null },
      });
    });

    it("zxcvbn mode: a weak password is invalid (200, not an error) with zxcvbn's own feedback", async () => {
      const res = await check({ password: 'P@ssw0rd!' });
      expectOk(res);
      assert.equal(res.body.valid_password, false);
      assert.equal(res.body.score, 1);
      assert.equal(res.body.feedback.warning, 'This is similar to a commonly used password');
      assert.deepEqual(res.body.feedback.suggestions, [
        'Add another word or two. Uncommon words are better.',
        "Capitalization doesn't help very much",
        "Predictable substitutions like '@' instead of 'a' don't help very much",
      ]);
      assert.equal(res.body.feedback.luds_requirements, null);
    });

    it('zxcvbn mode: the email is a user input, and an invalid email is refused', async () => {
      const alone = await check({ password: 'ada.lovelace' });
      const withEmail = await check({ password: 'ada.lovelace', email: 'ada.lovelace@example.com' });
      assert.ok(withEmail.body.score < alone.body.score, `${withEmail.body.score} < ${alone.body.score}`);
      expectError(await check({ password: STRONG[0], email: 'not-an-email' }), 400, 'invalid_email');
      expectError(await check({}), 400, 'invalid_argument');
    });

    it('over 256 code points is invalid with a warning saying so', async () => {
      const res = await check({ password: 'x7!Qz'.repeat(60) });
      expectOk(res);
      assert.equal(res.body.valid_password, false);
      assert.match(res.body.feedback.warning, /256/);
    });

    it('LUDS mode: score 0, requirements filled, validity from length and classes', async () => {
      await s.postern.projects.set(s.projectId, ['password_strength_policy=luds', 'luds_min_password_length=10', 'luds_min_password_complexity=3']);
      try {
        const weak = await check({ password: 'abcdefgh' });
        expectOk(weak);
        assert.deepEqual(weak.body.feedback, {
          warning: '',
          suggestions: [],
          luds_requirements: { has_lower_case: true, has_upper_case: false, has_digit: false, has_symbol: false, missing_complexity: 2, missing_characters: 2 },
        });
        assert.equal(weak.body.valid_password, false);
        assert.equal(weak.body.score, 0);
        assert.equal(weak.body.strength_policy, 'luds');

        const ok = await check({ password: 'Abcdefgh1!' });
        assert.equal(ok.body.valid_password, true);
        assert.deepEqual(ok.body.feedback.luds_requirements, {
          has_lower_case: true, has_upper_case: true, has_digit: true, has_symbol: true, missing_complexity: 0, missing_characters: 0,
        });
        // Code points: nine emoji and one letter are 10 characters; emoji count as symbols.
        const emoji = await check({ password: '🔑'.repeat(9) + 'a' });
        assert.equal(emoji.body.feedback.luds_requirements.missing_characters, 0);
        assert.equal(emoji.body.feedback.luds_requirements.has_symbol, true);
        assert.equal(emoji.body.feedback.luds_requirements.missing_complexity, 1);

        // The same policy governs create: LUDS-valid passes even though zxcvbn would call it weak.
        expectError(await s.request('POST', '/v1/passwords', { email: newEmail(), password: 'abcdefgh' }), 400, 'weak_password');
        expectOk(await s.request('POST', '/v1/passwords', { email: newEmail(), password: 'Abcdefgh1!' }));
      } finally {
        await s.postern.projects.set(s.projectId, ['password_strength_policy=zxcvbn']);
      }
    });

    it('breach_detection_on_create reflects check_breach_on_creation', async () => {
      await s.postern.projects.set(s.projectId, ['check_breach_on_creation=false']);
      try {
        assert.equal((await check({ password: STRONG[0] })).body.breach_detection_on_create, false);
      } finally {
        await s.postern.projects.set(s.projectId, ['check_breach_on_creation=true']);
      }
    });

    it('lock_threshold and lock_duration_minutes take effect', async () => {
      const other = await s.createProject();
      await s.postern.projects.set(other.projectId, ['lock_threshold=3', 'lock_duration_minutes=5']);
      const auth = 'Basic ' + Buffer.from(`${other.projectId}:${other.secret}`).toString('base64');
      const email = newEmail('lock');
      expectOk(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }, { auth }));
      for (let i = 0; i < 3; i++) {
        expectError(await s.request('POST', '/v1/passwords/authenticate', { email, password: WRONG }, { auth }), 401, 'unauthorized_credentials');
      }
      const locked = await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0] }, { auth });
      expectError(locked, 429, 'user_lock_limit_reached');
      const search = await s.request('POST', '/v1/users/search', { query: { operator: 'AND', operands: [{ filter_name: 'email_address', filter_value: [email] }] } }, { auth });
      const user = search.body.results[0];
      assert.equal(user.is_locked, true);
      assert.equal(Date.parse(user.lock_expires_at) - Date.parse(user.lock_created_at), 5 * 60_000);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`ill-formed Unicode passwords (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());

    it('a lone surrogate in any password field is 400 invalid_argument, on every password route', async () => {
      // JSON.stringify escapes a lone surrogate as \ud800, which is how a client could send one.
      const lone = 'correct horse \ud800 battery 9';
      const email = newEmail('surrogate');
      expectError(await s.request('POST', '/v1/passwords', { email, password: lone }), 400, 'invalid_argument');
      expectOk(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }));
      expectError(await s.request('POST', '/v1/passwords/authenticate', { email, password: lone }), 400, 'invalid_argument');
      expectError(await s.request('POST', '/v1/passwords/existing_password/reset', { email, existing_password: STRONG[0], new_password: lone }), 400, 'invalid_argument');
      expectError(await s.request('POST', '/v1/passwords/strength_check', { password: lone }), 400, 'invalid_argument');
      // A well-formed astral character is fine.
      expectOk(await s.request('POST', '/v1/passwords/strength_check', { password: 'correct horse 🔑 battery 9' }));
    });
  });
}
