/**
 * Users search paging over 1,234 users (spec §10.3): every user exactly once across pages, in
 * a stable order, right totals, limits up to 1,000, and keyset cursors that stay correct while
 * users are added and deleted between pages.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { NewUserRecord } from '../../src/storage/store.js';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { authFor, expectError, expectOk, type Res } from './support.js';

const N = 1234;
const T0 = Date.UTC(2032, 0, 1);
/** Ten users share each created_at instant, so the order depends on the user_id tie-break. */
const createdAt = (i: number) => T0 + Math.floor(i / 10) * 1000;

interface Row {
  user_id: string;
  created_at: string;
}

for (const dialect of DIALECTS) {
  void describe(`users search paging (${dialect})`, () => {
    let s: TestServer;
    let auth: string;
    let projectId: string;
    const all = new Set<string>();

    const search = (body: unknown): Promise<Res> => s.request('POST', '/v1/users/search', body, { auth });

    function record(i: number, at = createdAt(i)): NewUserRecord {
      const id = `user-test-${randomUUID()}`;
      return {
        id, projectId, status: 'active', name: { firstName: `P${i}`, middleName: '', lastName: '' },
        email: { id: `email-test-${randomUUID()}`, email: `page.${i}.${id.slice(-12)}@example.com`, verified: false },
        trustedMetadata: {}, untrustedMetadata: {}, externalId: null, roles: [], createdAt: at,
      };
    }

    /** Pages through `body` with `limit`; checks each page and returns every row in order. */
    async function pageAll(limit: number, body: Record<string, unknown> = {}, between?: (page: number) => Promise<void>): Promise<{ rows: Row[]; pages: number; totals: number[] }> {
      const rows: Row[] = [];
      const totals: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await search({ ...body, limit, ...(cursor === null ? {} : { cursor }) });
        expectOk(res);
        const results = res.body.results as Row[];
        cursor = res.body.results_metadata.next_cursor as string | null;
        totals.push(res.body.results_metadata.total as number);
        pages += 1;
        assert.ok(results.length <= limit);
        if (cursor !== null) {
          assert.equal(results.length, limit, 'only the last page is short');
          assert.equal(typeof cursor, 'string');
        }
        rows.push(...results.map((u) => ({ user_id: u.user_id, created_at: u.created_at })));
        if (between) await between(pages);
      } while (cursor !== null && pages < 100);
      return { rows, pages, totals };
    }

    function assertOrdered(rows: Row[]): void {
      for (let i = 1; i < rows.length; i++) {
        assert.ok(rows[i - 1]!.created_at <= rows[i]!.created_at, `row ${i} is out of created_at order`);
      }
    }

    before(async () => {
      s = await startTestServer(dialect);
      const p = await s.createProject();
      auth = authFor(p);
      projectId = p.projectId;
      // Inserted in a scrambled order (not by created_at, not by id), in one transaction.
      const order = Array.from({ length: N }, (_, i) => (i * 7919) % N);
      await s.postern.store.transaction(async (tx) => {
        for (const i of order) {
          const r = record(i);
          assert.equal(await tx.insertUser(r), 'inserted');
          all.add(r.id);
        }
      });
    });
    after(() => s.close());

    void it(`limit 100: ${N} users, each exactly once, in created_at order, total ${N} on every page`, async () => {
      const { rows, pages, totals } = await pageAll(100);
      assert.equal(pages, Math.ceil(N / 100));
      assert.equal(rows.length, N);
      assert.equal(new Set(rows.map((r) => r.user_id)).size, N, 'no user twice');
      assert.deepEqual(new Set(rows.map((r) => r.user_id)), all);
      assert.ok(totals.every((t) => t === N), `totals: ${totals.join(',')}`);
      assertOrdered(rows);
    });

    void it('the order is stable: the same for every page size and every run', async () => {
      const byHundred = (await pageAll(100)).rows.map((r) => r.user_id);
      const byThousand = await pageAll(1000);
      assert.equal(byThousand.pages, 2);
      assert.deepEqual(byThousand.rows.map((r) => r.user_id), byHundred);
      const odd = await pageAll(37);
      assert.equal(odd.pages, Math.ceil(N / 37));
      assert.deepEqual(odd.rows.map((r) => r.user_id), byHundred);
      assert.deepEqual((await pageAll(100)).rows.map((r) => r.user_id), byHundred);
    });

    void it('the default limit is 100 and the maximum 1000', async () => {
      const res = await search({});
      expectOk(res);
      assert.equal(res.body.results.length, 100);
      assert.equal(res.body.results_metadata.total, N);
      assert.equal(typeof res.body.results_metadata.next_cursor, 'string');
      const max = await search({ limit: 1000 });
      assert.equal(max.body.results.length, 1000);
      expectError(await search({ limit: 1001 }), 400, 'user_search_invalid_limit');
    });

    void it('a filtered search pages through exactly its matches', async () => {
      // Users 500..1233 have created_at after T0 + 49 s.
      const body = { query: { operator: 'AND', operands: [{ filter_name: 'created_at_greater_than', filter_value: new Date(T0 + 49_000).toISOString() }] } };
      const { rows, totals } = await pageAll(64, body);
      assert.equal(rows.length, N - 500);
      assert.equal(new Set(rows.map((r) => r.user_id)).size, N - 500);
      assert.ok(totals.every((t) => t === N - 500));
      assertOrdered(rows);
    });

    void it('cursors stay exact while users are added and deleted between pages', async () => {
      const before = (await pageAll(1000)).rows.map((r) => r.user_id);
      const late = record(N, T0 + 10_000_000);
      const early = record(N + 1, T0 - 1000);
      // Deleted before its page is reached.
      const doomed = before[900]!;
      const { rows, totals } = await pageAll(100, {}, async (page) => {
        if (page !== 3) return;
        assert.equal(await s.postern.store.insertUser(late), 'inserted');
        assert.equal(await s.postern.store.insertUser(early), 'inserted');
        assert.equal(await s.postern.store.deleteUser(projectId, doomed), true);
      });
      const seen = rows.map((r) => r.user_id);
      assert.equal(new Set(seen).size, seen.length, 'no user twice');
      // Behind the cursor: the early user is not shown, nothing shifts; ahead of it: the late user is.
      assert.deepEqual(seen, [...before.filter((id) => id !== doomed), late.id]);
      assert.equal(totals[0], N);
      assert.equal(totals[totals.length - 1], N + 1);
      await s.postern.store.deleteUser(projectId, late.id);
      await s.postern.store.deleteUser(projectId, early.id);
    });
  });
}
