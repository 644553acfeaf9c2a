/**
 * The RBAC part of the storage contract (getRbacPolicy / setRbacPolicy), on every dialect:
 * absent until set, replaced whole, project-scoped, unicode and nesting intact.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project } from '../../src/projects/project.js';
import { newId } from '../../src/random.js';
import type { RbacPolicy } from '../../src/rbac/policy.js';
import type { Store } from '../../src/storage/store.js';
import { DIALECTS, T0, makeProject, makeSecret, openTestStore, type TestStore } from './fixtures.js';

const POLICY: RbacPolicy = {
  roles: [
    { roleId: 'stytch_user', description: 'Everyone', permissions: [{ resourceId: 'documents', actions: ['read'] }] },
    { roleId: 'stytch_admin', description: '', permissions: [{ resourceId: 'documents', actions: ['*'] }] },
    { roleId: 'éditeur 📝', description: 'Zoë’s “editors”', permissions: [{ resourceId: 'documents', actions: ['read', 'write'] }] },
  ],
  resources: [{ resourceId: 'documents', description: 'Docs', actions: ['read', 'write', 'delete'] }],
  scopes: [{ scope: 'read:docs', description: '', permissions: [{ resourceId: 'documents', actions: ['read'] }] }],
};

for (const dialect of DIALECTS) {
  void describe(`store contract: RBAC policy (${dialect})`, () => {
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

    void it('getRbacPolicy is null until a policy is set, then round-trips it exactly', async () => {
      const p = await newProject();
      assert.equal(await store.getRbacPolicy(p.id), null);
      assert.equal(await store.setRbacPolicy(p.id, POLICY, T0), true);
      assert.deepEqual(await store.getRbacPolicy(p.id), POLICY);
    });

    void it('setRbacPolicy replaces the whole policy, of that project only', async () => {
      const a = await newProject();
      const b = await newProject();
      await store.setRbacPolicy(a.id, POLICY, T0);
      await store.setRbacPolicy(b.id, POLICY, T0);
      const smaller: RbacPolicy = { roles: [], resources: [{ resourceId: 'invoices', description: '', actions: ['pay'] }], scopes: [] };
      assert.equal(await store.setRbacPolicy(a.id, smaller, T0 + 1000), true);
      assert.deepEqual(await store.getRbacPolicy(a.id), smaller);
      assert.deepEqual(await store.getRbacPolicy(b.id), POLICY, 'the other project keeps its policy');
    });

    void it('setRbacPolicy for an unknown project writes nothing and says false', async () => {
      const ghost = newId('project', 'test');
      assert.equal(await store.setRbacPolicy(ghost, POLICY, T0), false);
      assert.equal(await store.getRbacPolicy(ghost), null);
    });

    void it('a policy set inside a transaction that fails is not kept', async () => {
      const p = await newProject();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.setRbacPolicy(p.id, POLICY, T0);
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      assert.equal(await store.getRbacPolicy(p.id), null);
    });
  });
}
