/**
 * POST /v1/users/search (spec §10.3): the phone filters, the filters on factors Postern never
 * holds, created_at ranges, status, and every user_search_* error type. Runs in a project of
 * its own so the expected result sets are exact.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { authFor, expectError, expectOk, newEmail, type Res } from './support.js';

const T0 = Date.UTC(2031, 5, 1, 12, 0, 0);
const SECOND = 1000;

for (const dialect of DIALECTS) {
  void describe(`users search filters (${dialect})`, () => {
    let s: TestServer;
    let auth: string;
    let projectId: string;
    /** name → user id */
    const ids: Record<string, string> = {};
    const phoneIds: Record<string, string> = {};

    const search = (body: unknown): Promise<Res> => s.request('POST', '/v1/users/search', body, { auth });
    const op = (filter_name: unknown, filter_value?: unknown) => (filter_value === undefined ? { filter_name } : { filter_name, filter_value });
    const query = (...operands: unknown[]) => ({ query: { operator: 'AND', operands } });
    async function found(body: unknown): Promise<string[]> {
      const res = await search(body);
      expectOk(res);
      assert.equal(res.body.results_metadata.total, res.body.results.length);
      return (res.body.results as Array<{ user_id: string }>).map((u) => u.user_id).sort();
    }
    const named = (...names: string[]) => names.map((n) => ids[n]!).sort();

    before(async () => {
      s = await startTestServer(dialect);
      const p = await s.createProject();
      auth = authFor(p);
      projectId = p.projectId;
      const store = s.postern.store;
      // Stored directly, to fix created_at and the verified flags.
      const add = async (name: string, opts: { at: number; phone?: string; phoneVerified?: boolean; email?: boolean; status?: 'active' | 'pending'; first?: string }) => {
        const id = `user-test-${randomUUID()}`;
        ids[name] = id;
        const phone = opts.phone ? { id: `phone-number-test-${randomUUID()}`, phoneNumber: opts.phone, verified: opts.phoneVerified === true } : null;
        if (phone) phoneIds[name] = phone.id;
        const result = await store.insertUser({
          id, projectId, status: opts.status ?? 'active', name: { firstName: opts.first ?? name, middleName: '', lastName: 'Tester' },
          email: opts.email === false ? null : { id: `email-test-${randomUUID()}`, email: newEmail(name), verified: false },
          phone, trustedMetadata: {}, untrustedMetadata: {}, externalId: null, roles: [], createdAt: opts.at,
        });
        assert.equal(result, 'inserted');
      };
      await add('alpha', { at: T0, phone: '+14155550101', phoneVerified: true });
      await add('bravo', { at: T0 + SECOND, phone: '+14155550102' });
      await add('charlie', { at: T0 + 2 * SECOND, phone: '+442071838750', email: false });
      await add('delta', { at: T0 + 3 * SECOND, status: 'pending' });
      await add('echo', { at: T0 + 4 * SECOND, first: 'Zoë' });
    });
    after(() => s.close());

    void it('phone_number matches exact E.164 numbers; phone_id matches ids', async () => {
      assert.deepEqual(await found(query(op('phone_number', ['+14155550102', '+19999999999']))), named('bravo'));
      assert.deepEqual(await found(query(op('phone_number', [' +442071838750 ']))), named('charlie'));
      assert.deepEqual(await found(query(op('phone_number', ['4155550102']))), []);
      assert.deepEqual(await found(query(op('phone_id', [phoneIds.alpha, phoneIds.charlie]))), named('alpha', 'charlie'));
    });

    void it('phone_verified: users with a phone number in that state', async () => {
      assert.deepEqual(await found(query(op('phone_verified', true))), named('alpha'));
      assert.deepEqual(await found(query(op('phone_verified', false))), named('bravo', 'charlie'));
    });

    void it('phone_number_fuzzy matches the digits given anywhere in the number', async () => {
      assert.deepEqual(await found(query(op('phone_number_fuzzy', '555501'))), named('alpha', 'bravo'));
      assert.deepEqual(await found(query(op('phone_number_fuzzy', '(415) 555-0102'))), named('bravo'));
      assert.deepEqual(await found(query(op('phone_number_fuzzy', '+449'))), []);
      assert.deepEqual(await found(query(op('phone_number_fuzzy', '+44 20'))), named('charlie'));
      expectError(await search(query(op('phone_number_fuzzy', '+4'))), 400, 'user_search_phone_number_fuzzy_too_short');
      expectError(await search(query(op('phone_number_fuzzy', 'abc'))), 400, 'user_search_invalid_filter_value');
      expectError(await search(query(op('phone_number_fuzzy', 415))), 400, 'user_search_invalid_filter_value');
    });

    void it('a phone-only user is found and has emails []', async () => {
      const res = await search(query(op('user_id', [ids.charlie])));
      assert.deepEqual(res.body.results[0].emails, []);
      assert.deepEqual(await found(query(op('email_verified', false), op('phone_verified', false))), named('bravo'));
    });

    void it('filters on factors Postern never holds validate their value and match no user', async () => {
      for (const name of ['oauth_provider', 'webauthn_registration_id', 'crypto_wallet_id', 'crypto_wallet_address', 'totp_id']) {
        assert.deepEqual(await found(query(op(name, ['anything']))), [], name);
        expectError(await search(query(op(name, 'anything'))), 400, 'user_search_expected_array_of_string');
      }
      for (const name of ['webauthn_registration_verified', 'crypto_wallet_verified', 'totp_verified']) {
        assert.deepEqual(await found(query(op(name, true))), [], `${name}: true`);
        assert.deepEqual(await found(query(op(name, false))), [], `${name}: false`);
        expectError(await search(query(op(name, 'no'))), 400, 'user_search_invalid_filter_value');
      }
      // With OR, such a filter adds nothing.
      const or = { query: { operator: 'OR', operands: [op('totp_verified', false), op('user_id', [ids.delta])] } };
      assert.deepEqual(await found(or), named('delta'));
    });

    void it('created_at_greater_than / less_than are exclusive; created_at_between combines them', async () => {
      const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
      assert.deepEqual(await found(query(op('created_at_greater_than', at(T0 + 2 * SECOND)))), named('delta', 'echo'));
      assert.deepEqual(await found(query(op('created_at_less_than', at(T0 + SECOND)))), named('alpha'));
      assert.deepEqual(await found(query(op('created_at_between', { greater_than: at(T0), less_than: at(T0 + 3 * SECOND) }))), named('bravo', 'charlie'));
      // Fractional seconds and offsets are understood too.
      assert.deepEqual(await found(query(op('created_at_greater_than', '2031-06-01T13:00:03.500+01:00'))), named('echo'));
    });

    void it('status and full_name_fuzzy (case-insensitive, non-ASCII)', async () => {
      assert.deepEqual(await found(query(op('status', 'pending'))), named('delta'));
      assert.deepEqual(await found(query(op('status', 'active'))), named('alpha', 'bravo', 'charlie', 'echo'));
      assert.deepEqual(await found(query(op('full_name_fuzzy', 'ZOË TES'))), named('echo'));
      // An empty middle name leaves one space between first and last name.
      assert.deepEqual(await found(query(op('full_name_fuzzy', 'bravo tester'))), named('bravo'));
      assert.deepEqual(await found(query(op('full_name_fuzzy', 'a tes'))), named('alpha', 'delta'));
    });

    void it('answers malformed filters with the user_search_* types', async () => {
      expectError(await search(query({ filter_value: ['x'] })), 400, 'user_search_missing_filter_name');
      expectError(await search(query(op(7, ['x']))), 400, 'user_search_filter_name_must_be_string');
      expectError(await search(query(op('phone_numbers', ['x']))), 400, 'user_search_filter_name_not_recognized');
      expectError(await search(query(op('phone_id'))), 400, 'user_search_missing_filter_value');
      expectError(await search(query(op('phone_id', null))), 400, 'user_search_missing_filter_value');
      expectError(await search(query(op('phone_id', []))), 400, 'user_search_expected_array_of_string');
      expectError(await search(query(op('phone_number', [1]))), 400, 'user_search_expected_array_of_string');
      const many = Array.from({ length: 1001 }, (_, i) => `user-test-${i}`);
      expectError(await search(query(op('user_id', many))), 400, 'user_search_maximum_filter_value_count_exceeded');
      assert.deepEqual(await found(query(op('user_id', many.slice(0, 1000)))), []);
      expectError(await search(query(op('full_name_fuzzy', ''))), 400, 'user_search_full_name_fuzzy_too_short');
      expectError(await search(query(op('email_address_fuzzy', 'ab'))), 400, 'user_search_email_address_fuzzy_too_short');
      expectError(await search(query(op('status', 'deleted'))), 400, 'user_search_invalid_status_filter');
      expectError(await search(query(op('status', true))), 400, 'user_search_invalid_status_filter');
      expectError(await search(query(op('phone_verified', 'true'))), 400, 'user_search_invalid_filter_value');
      expectError(await search(query(op('created_at_greater_than', 'yesterday'))), 400, 'user_search_invalid_filter_value');
      expectError(await search(query(op('created_at_between', '2031-01-01T00:00:00Z'))), 400, 'user_search_invalid_filter_value');
      expectError(await search(query(op('created_at_between', { greater_than: '2031-01-01T00:00:00Z' }))), 400, 'user_search_missing_less_than');
      expectError(await search(query(op('created_at_between', { less_than: '2031-01-01T00:00:00Z' }))), 400, 'user_search_missing_greater_than');
      expectError(await search(query(op('created_at_between', { greater_than: 'x', less_than: '2031-01-01T00:00:00Z' }))), 400, 'user_search_invalid_filter_value');
      expectError(await search({ query: { operator: 'NOT', operands: [] } }), 400, 'user_search_invalid_operator');
      expectError(await search({ cursor: 'eyJ4IjoxfQ' }), 400, 'user_search_invalid_cursor');
      expectError(await search({ limit: 1.5 }), 400, 'user_search_invalid_limit');
      expectError(await search({ limit: -1 }), 400, 'user_search_invalid_limit');
    });

    void it('a query with an operator and no operands, or none at all, returns every user', async () => {
      const all = named('alpha', 'bravo', 'charlie', 'delta', 'echo');
      assert.deepEqual(await found({ query: { operator: 'AND', operands: [] } }), all);
      assert.deepEqual(await found({ query: null, cursor: null, limit: null }), all);
    });
  });
}
