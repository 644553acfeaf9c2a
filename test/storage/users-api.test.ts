/**
 * The storage contract, continued for the users API methods (the `// ---- users API` block of
 * src/storage/store.ts) and the search filters they added. Same pattern as contract.test.ts:
 * one suite, every dialect, a database of its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Project } from '../../src/projects/project.js';
import { newId } from '../../src/random.js';
import type { NewUserRecord, Store } from '../../src/storage/store.js';
import type { UserFilter } from '../../src/users/search.js';
import type { User } from '../../src/users/user.js';
import { DIALECTS, HOUR, T0, makePassword, makeProject, makeSecret, makeSession, makeUser, openTestStore, tokenHash, type TestStore } from './fixtures.js';

/** A deadlock (e.g. a transaction that does not join) fails the test instead of hanging. */
const T = { timeout: 30_000 };

function phone(number: string, verified = false) {
  return { id: newId('phone-number', 'test'), phoneNumber: number, verified };
}

for (const dialect of DIALECTS) {
  void describe(`store contract: users API (${dialect})`, () => {
    let opened: TestStore | undefined;
    let store: Store;

    before(async () => {
      opened = await openTestStore(dialect);
      await opened.migrate();
      store = opened.store;
    });
    after(async () => {
      await opened?.dispose();
    });

    async function newProject(): Promise<Project> {
      const p = makeProject();
      await store.insertProject(p, makeSecret(`secret-hash-${p.id}`));
      return p;
    }

    async function newUser(projectId: string, overrides: Partial<NewUserRecord> = {}): Promise<NewUserRecord> {
      const u: NewUserRecord = { ...makeUser(projectId), ...overrides };
      assert.equal(await store.insertUser(u), 'inserted');
      return u;
    }

    async function fetch(projectId: string, userId: string): Promise<User> {
      const u = await store.getUser(projectId, userId);
      assert.ok(u, 'user exists');
      return u;
    }

    void describe('insertUser without an email', () => {
      void it('a phone-only user round-trips with emails []', T, async () => {
        const p = await newProject();
        const ph = phone('+14155550111', true);
        const u = await newUser(p.id, { email: null, phone: ph });
        const got = await fetch(p.id, u.id);
        assert.deepEqual(got.emails, []);
        assert.deepEqual(got.phoneNumbers, [ph]);
        assert.equal(got.name.firstName, u.name.firstName);
      });

      void it('still refuses a taken phone number or external id and writes nothing', T, async () => {
        const p = await newProject();
        await newUser(p.id, { email: null, phone: phone('+14155550112'), externalId: 'x-1' });
        const samePhone: NewUserRecord = { ...makeUser(p.id), email: null, phone: phone('+14155550112') };
        assert.equal(await store.insertUser(samePhone), 'phone_taken');
        assert.equal(await store.getUser(p.id, samePhone.id), null);
        const sameExternal: NewUserRecord = { ...makeUser(p.id), email: null, externalId: 'x-1' };
        assert.equal(await store.insertUser(sameExternal), 'external_id_taken');
      });

      void it('a user with neither email nor phone can be stored (the service refuses to make one)', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id, { email: null });
        const got = await fetch(p.id, u.id);
        assert.deepEqual([got.emails, got.phoneNumbers], [[], []]);
      });
    });

    void describe('getUserByExternalId', () => {
      void it('finds the user by its external id, within its project only', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id, { externalId: 'shared-ext' });
        const v = await newUser(b.id, { externalId: 'shared-ext' });
        assert.equal((await store.getUserByExternalId(a.id, 'shared-ext'))?.id, u.id);
        assert.equal((await store.getUserByExternalId(b.id, 'shared-ext'))?.id, v.id);
        assert.deepEqual(await store.getUserByExternalId(a.id, 'shared-ext'), await store.getUser(a.id, u.id));
        assert.equal(await store.getUserByExternalId(a.id, 'other'), null);
        assert.equal(await store.getUserByExternalId(a.id, u.id), null, 'a user id is not an external id');
      });
    });

    void describe('getUserForUpdate', () => {
      void it('reads the user like getUser; null for unknown users and other projects', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id, { trustedMetadata: { k: 1 } });
        assert.deepEqual(await store.getUserForUpdate(a.id, u.id), await store.getUser(a.id, u.id));
        assert.deepEqual(await store.transaction((tx) => tx.getUserForUpdate(a.id, u.id)), await store.getUser(a.id, u.id));
        assert.equal(await store.getUserForUpdate(a.id, newId('user', 'test')), null);
        assert.equal(await store.getUserForUpdate(b.id, u.id), null);
      });

      void it('serializes read-merge-write transactions on the same user: no update is lost', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id, { trustedMetadata: {} });
        const writers = Array.from({ length: 6 }, (_, i) =>
          store.transaction(async (tx) => {
            const current = await tx.getUserForUpdate(p.id, u.id);
            assert.ok(current);
            await sleep(20); // widen the window a lost update would need
            return tx.updateUser(p.id, u.id, { trustedMetadata: { ...current.trustedMetadata, [`w${i}`]: i } });
          }),
        );
        assert.deepEqual(await Promise.all(writers), Array(6).fill('updated'));
        assert.deepEqual((await fetch(p.id, u.id)).trustedMetadata, { w0: 0, w1: 1, w2: 2, w3: 3, w4: 4, w5: 5 });
      });
    });

    void describe('updateUser', () => {
      void it('writes each given field and leaves the others alone', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id, { trustedMetadata: { a: 1 }, untrustedMetadata: { b: 2 }, roles: ['r1'], externalId: 'before' });
        const original = await fetch(p.id, u.id);

        assert.equal(await store.updateUser(p.id, u.id, { name: { firstName: 'N', middleName: 'M', lastName: 'L' } }), 'updated');
        let got = await fetch(p.id, u.id);
        assert.deepEqual(got, { ...original, name: { firstName: 'N', middleName: 'M', lastName: 'L' } });

        const rich = { nested: { list: [1, 'two', null, { deep: true }] }, unicode: 'Zoë 🔐', big: 9_007_199_254_740_991 };
        assert.equal(await store.updateUser(p.id, u.id, { trustedMetadata: rich, untrustedMetadata: {} }), 'updated');
        got = await fetch(p.id, u.id);
        assert.deepEqual(got.trustedMetadata, rich);
        assert.deepEqual(got.untrustedMetadata, {});
        assert.deepEqual(got.roles, ['r1']);

        assert.equal(await store.updateUser(p.id, u.id, { roles: [], externalId: 'after' }), 'updated');
        got = await fetch(p.id, u.id);
        assert.deepEqual(got.roles, []);
        assert.equal(got.externalId, 'after');
        assert.equal(await store.getUserByExternalId(p.id, 'before'), null);

        assert.equal(await store.updateUser(p.id, u.id, { externalId: null }), 'updated');
        assert.equal((await fetch(p.id, u.id)).externalId, null);
        assert.deepEqual((await fetch(p.id, u.id)).name, { firstName: 'N', middleName: 'M', lastName: 'L' });
        assert.equal(await store.updateUser(p.id, u.id, {}), 'updated', 'an empty change of an existing user');
      });

      void it("is 'not_found' for an unknown user or another project's user, and writes nothing there", T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        assert.equal(await store.updateUser(a.id, newId('user', 'test'), { roles: ['x'] }), 'not_found');
        assert.equal(await store.updateUser(a.id, newId('user', 'test'), {}), 'not_found');
        assert.equal(await store.updateUser(b.id, u.id, { roles: ['x'], externalId: 'e' }), 'not_found');
        assert.deepEqual((await fetch(a.id, u.id)).roles, []);
      });

      void it("is 'external_id_taken' when another user of the project holds it, writing nothing", T, async () => {
        const p = await newProject();
        const holder = await newUser(p.id, { externalId: 'taken' });
        const u = await newUser(p.id);
        assert.equal(await store.updateUser(p.id, u.id, { externalId: 'taken', roles: ['not-written'] }), 'external_id_taken');
        assert.deepEqual(await fetch(p.id, u.id), await store.getUser(p.id, u.id));
        assert.deepEqual((await fetch(p.id, u.id)).roles, []);
        assert.equal((await store.getUserByExternalId(p.id, 'taken'))?.id, holder.id);
        assert.equal(await store.updateUser(p.id, holder.id, { externalId: 'taken' }), 'updated', 'its own value is no conflict');
        const other = await newProject();
        const w = await newUser(other.id);
        assert.equal(await store.updateUser(other.id, w.id, { externalId: 'taken' }), 'updated', 'unique per project only');
      });

      void it('losing a race for an external id inside a transaction answers external_id_taken and leaves the transaction usable', T, async () => {
        // A sets the value and holds its transaction open; B does not see it, so B's write is
        // the one the unique index refuses (PostgreSQL), or B waits for A (SQLite).
        const p = await newProject();
        const a = await newUser(p.id);
        const b = await newUser(p.id);
        let aWrote!: () => void;
        const aHolds = new Promise<void>((resolve) => (aWrote = resolve));
        const txA = store.transaction(async (tx) => {
          const r = await tx.updateUser(p.id, a.id, { externalId: 'raced' });
          aWrote();
          await sleep(300);
          return r;
        });
        await Promise.race([aHolds, txA]);
        const txB = store.transaction(async (tx) => {
          const r = await tx.updateUser(p.id, b.id, { externalId: 'raced' });
          assert.equal(await tx.updateUser(p.id, b.id, { roles: ['still-usable'] }), 'updated');
          return r;
        });
        const [ra, rb] = await Promise.allSettled([txA, txB]);
        assert.deepEqual(ra, { status: 'fulfilled', value: 'updated' });
        if (rb.status === 'rejected') assert.fail(`B's transaction failed: ${String(rb.reason)}`);
        assert.equal(rb.value, 'external_id_taken');
        const gotB = await fetch(p.id, b.id);
        assert.equal(gotB.externalId, null);
        assert.deepEqual(gotB.roles, ['still-usable'], "B's later write landed");
        assert.equal((await store.getUserByExternalId(p.id, 'raced'))?.id, a.id);
      });

      void it('rolls back with its transaction', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.updateUser(p.id, u.id, { roles: ['gone'], externalId: 'gone' });
            throw new Error('abort');
          }),
          /abort/,
        );
        const got = await fetch(p.id, u.id);
        assert.deepEqual([got.roles, got.externalId], [[], null]);
      });
    });

    void describe('deletePassword / deleteEmail / deletePhoneNumber', () => {
      void it('deletePassword returns the owner once, then null; project-scoped', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        const pw = makePassword(u.id);
        assert.equal(await store.insertPassword(a.id, pw, T0), true);
        assert.equal(await store.deletePassword(b.id, pw.id), null);
        assert.notEqual(await store.getPassword(a.id, u.id), null, 'another project cannot delete it');
        assert.equal(await store.deletePassword(a.id, pw.id), u.id);
        assert.equal(await store.getPassword(a.id, u.id), null);
        assert.equal((await fetch(a.id, u.id)).password, null);
        assert.equal(await store.deletePassword(a.id, pw.id), null);
        // A new password can be added afterwards.
        assert.equal(await store.insertPassword(a.id, makePassword(u.id), T0), true);
      });

      void it('deletePassword leaves sessions alone', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const pw = makePassword(u.id);
        await store.insertPassword(p.id, pw, T0);
        const session = makeSession(p.id, u.id);
        await store.insertSession(session, tokenHash());
        await store.deletePassword(p.id, pw.id);
        assert.equal((await store.listActiveSessions(p.id, u.id, T0 + HOUR / 2)).length, 1);
      });

      void it('deleteEmail returns the owner once, frees the address, and is project-scoped', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        const email = u.email!;
        assert.equal(await store.deleteEmail(b.id, email.id), null);
        assert.equal(await store.deleteEmail(a.id, email.id), u.id);
        assert.deepEqual((await fetch(a.id, u.id)).emails, []);
        assert.equal(await store.getUserByEmail(a.id, email.email), null);
        assert.equal(await store.deleteEmail(a.id, email.id), null);
        const again = await newUser(a.id, { email: { id: newId('email', 'test'), email: email.email, verified: false } });
        assert.equal((await store.getUserByEmail(a.id, email.email))?.id, again.id);
      });

      void it('deletePhoneNumber returns the owner once, frees the number, and is project-scoped', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const ph = phone('+14155550113');
        const u = await newUser(a.id, { phone: ph });
        assert.equal(await store.deletePhoneNumber(b.id, ph.id), null);
        assert.equal(await store.deletePhoneNumber(a.id, ph.id), u.id);
        assert.deepEqual((await fetch(a.id, u.id)).phoneNumbers, []);
        assert.equal(await store.deletePhoneNumber(a.id, ph.id), null);
        await newUser(a.id, { phone: phone('+14155550113') });
      });
    });

    void describe('searchUsers: phone filters and never-held factors', () => {
      void it('compiles phone_number, phone_id, phone_verified, phone_number_fuzzy and none', T, async () => {
        const p = await newProject();
        const verified = phone('+14155550121', true);
        const unverified = phone('+442071838751');
        const u1 = await newUser(p.id, { phone: verified });
        const u2 = await newUser(p.id, { email: null, phone: unverified });
        const u3 = await newUser(p.id);
        const ids = async (...filters: UserFilter[]) =>
          (await store.searchUsers(p.id, { operator: 'AND', filters, limit: 100, after: null })).users.map((u) => u.id).sort();
        assert.deepEqual(await ids({ kind: 'phone_number', values: ['+442071838751'] }), [u2.id]);
        assert.deepEqual(await ids({ kind: 'phone_id', values: [verified.id, unverified.id] }), [u1.id, u2.id].sort());
        assert.deepEqual(await ids({ kind: 'phone_verified', value: true }), [u1.id]);
        assert.deepEqual(await ids({ kind: 'phone_verified', value: false }), [u2.id]);
        assert.deepEqual(await ids({ kind: 'phone_number_fuzzy', value: '2071' }), [u2.id]);
        assert.deepEqual(await ids({ kind: 'phone_number_fuzzy', value: '%' }), [], '% is literal');
        assert.deepEqual(await ids({ kind: 'none' }), []);
        assert.deepEqual(await ids(), [u1.id, u2.id, u3.id].sort());
        const or = await store.searchUsers(p.id, { operator: 'OR', filters: [{ kind: 'none' }, { kind: 'user_id', values: [u3.id] }], limit: 100, after: null });
        assert.deepEqual(or.users.map((u) => u.id), [u3.id]);
        assert.equal(or.total, 1);
      });
    });
  });
}
