/** POST /v1/users/search: filters, AND/OR, paging with cursors, and its error types. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, authFor, expectError, expectOk, newEmail } from './support.js';

for (const dialect of DIALECTS) {
  describe(`users search (${dialect})`, () => {
    let s: TestServer;
    let other: { projectId: string; secret: string };
    const withPassword: Array<{ userId: string; email: string }> = [];
    const without: Array<{ userId: string; email: string }> = [];

    const search = (body: unknown, auth?: string) => s.request('POST', '/v1/users/search', body, auth ? { auth } : {});
    const operand = (filter_name: string, filter_value: unknown) => ({ filter_name, filter_value });
    const ids = (res: { body: { results: Array<{ user_id: string }> } }) => res.body.results.map((u) => u.user_id).sort();

    before(async () => {
      s = await startTestServer(dialect);
      other = await s.createProject();
      for (let i = 0; i < 3; i++) {
        const email = newEmail('search');
        const res = await s.request('POST', '/v1/passwords', { email, password: STRONG[0], name: { first_name: `Grace${i}`, last_name: 'Hopper' } });
        expectOk(res);
        withPassword.push({ userId: res.body.user_id, email });
      }
      for (let i = 0; i < 2; i++) {
        const email = newEmail('nopw');
        const userId = `user-test-${randomUUID()}`;
        const inserted = await s.postern.store.insertUser({
          id: userId, projectId: s.projectId, status: 'active', name: { firstName: 'Alan', middleName: '', lastName: 'Turing' },
          email: { id: `email-test-${randomUUID()}`, email, verified: true }, trustedMetadata: {}, untrustedMetadata: {}, externalId: null, roles: [], createdAt: Date.now(),
        });
        assert.equal(inserted, 'inserted');
        without.push({ userId, email });
      }
    });
    after(() => s.close());

    it('without a query returns every user of the project, with the full shape', async () => {
      const res = await search({});
      expectOk(res);
      assert.deepEqual(Object.keys(res.body).sort(), ['request_id', 'results', 'results_metadata', 'status_code']);
      assert.deepEqual(ids(res), [...withPassword, ...without].map((u) => u.userId).sort());
      assert.deepEqual(res.body.results_metadata, { total: 5, next_cursor: null });
      const first = res.body.results.find((u: { user_id: string }) => u.user_id === withPassword[0]!.userId);
      assert.equal(first.emails[0].email, withPassword[0]!.email);
      assert.equal(typeof first.password.password_id, 'string');
      // Another project sees none of them.
      const theirs = await search({}, authFor(other));
      assert.deepEqual(theirs.body.results, []);
      assert.equal(theirs.body.results_metadata.total, 0);
    });

    it('filters by email_address (case-insensitive), user_id and password_exists', async () => {
      const byEmail = await search({ query: { operator: 'AND', operands: [operand('email_address', [withPassword[1]!.email.toUpperCase(), 'nobody@example.com'])] } });
      assert.deepEqual(ids(byEmail), [withPassword[1]!.userId]);
      const byId = await search({ query: { operator: 'AND', operands: [operand('user_id', [without[0]!.userId, withPassword[2]!.userId])] } });
      assert.deepEqual(ids(byId), [without[0]!.userId, withPassword[2]!.userId].sort());
      const pwYes = await search({ query: { operator: 'AND', operands: [operand('password_exists', true)] } });
      assert.deepEqual(ids(pwYes), withPassword.map((u) => u.userId).sort());
      const pwNo = await search({ query: { operator: 'AND', operands: [operand('password_exists', false)] } });
      assert.deepEqual(ids(pwNo), without.map((u) => u.userId).sort());
      assert.equal(pwNo.body.results[0].password, null);
    });

    it('combines operands with AND and OR, and supports fuzzy name and email filters', async () => {
      const and = await search({ query: { operator: 'AND', operands: [operand('password_exists', true), operand('user_id', [without[0]!.userId, withPassword[0]!.userId])] } });
      assert.deepEqual(ids(and), [withPassword[0]!.userId]);
      const or = await search({ query: { operator: 'OR', operands: [operand('password_exists', false), operand('user_id', [withPassword[0]!.userId])] } });
      assert.deepEqual(ids(or), [...without.map((u) => u.userId), withPassword[0]!.userId].sort());
      const name = await search({ query: { operator: 'AND', operands: [operand('full_name_fuzzy', 'grace1')] } });
      assert.deepEqual(ids(name), [withPassword[1]!.userId]);
      const fuzzy = await search({ query: { operator: 'AND', operands: [operand('email_address_fuzzy', 'nopw.')] } });
      assert.deepEqual(ids(fuzzy), without.map((u) => u.userId).sort());
      const literal = await search({ query: { operator: 'AND', operands: [operand('email_address_fuzzy', '%%%')] } });
      assert.deepEqual(literal.body.results, [], '% is matched literally');
      const verified = await search({ query: { operator: 'AND', operands: [operand('email_verified', true)] } });
      assert.deepEqual(ids(verified), without.map((u) => u.userId).sort());
    });

    it('pages with limit and cursor: every user exactly once, in a stable order', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await search({ limit: 2, ...(cursor ? { cursor } : {}) });
        expectOk(res);
        assert.equal(res.body.results_metadata.total, 5);
        seen.push(...res.body.results.map((u: { user_id: string }) => u.user_id));
        cursor = res.body.results_metadata.next_cursor as string | null;
        pages++;
      } while (cursor && pages < 10);
      assert.equal(pages, 3);
      assert.equal(new Set(seen).size, 5);
      const all = await search({ limit: 5 });
      assert.deepEqual(seen, all.body.results.map((u: { user_id: string }) => u.user_id));
      assert.equal(all.body.results_metadata.next_cursor, null);
    });

    it('answers bad searches with the user_search_* types', async () => {
      expectError(await search({ limit: 0 }), 400, 'user_search_invalid_limit');
      expectError(await search({ limit: 1001 }), 400, 'user_search_invalid_limit');
      expectError(await search({ limit: 'ten' }), 400, 'user_search_invalid_limit');
      expectError(await search({ cursor: 'not-a-cursor' }), 400, 'user_search_invalid_cursor');
      expectError(await search({ query: { operator: 'XOR', operands: [] } }), 400, 'user_search_invalid_operator');
      expectError(await search({ query: { operator: 'AND', operands: [operand('favourite_colour', ['blue'])] } }), 400, 'user_search_filter_name_not_recognized');
      expectError(await search({ query: { operator: 'AND', operands: [{ filter_name: 'user_id' }] } }), 400, 'user_search_missing_filter_value');
      expectError(await search({ query: { operator: 'AND', operands: [operand('user_id', 'user-test-x')] } }), 400, 'user_search_expected_array_of_string');
      expectError(await search({ query: { operator: 'AND', operands: [operand('email_address_fuzzy', 'ab')] } }), 400, 'user_search_email_address_fuzzy_too_short');
      expectError(await search({ query: { operator: 'AND', operands: [operand('password_exists', 'yes')] } }), 400, 'user_search_invalid_filter_value');
    });
  });
}
