/**
 * The storage contract: one suite, run against every dialect of the single `Store` interface.
 * The doc comments in src/storage/store.ts are the contract; every method is exercised here.
 * SQLite always; PostgreSQL too when POSTERN_TEST_DATABASE_URL is set (a database of its own).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthEvent } from '../../src/events/auth-event.js';
import { PROJECT_DEFAULTS, type Project, type ProjectSettings } from '../../src/projects/project.js';
import { newId } from '../../src/random.js';
import type { Session } from '../../src/sessions/session.js';
import { openStore } from '../../src/storage/open.js';
import type { NewUser, Store } from '../../src/storage/store.js';
import type { User, UserLock } from '../../src/users/user.js';
import {
  DIALECTS,
  HOUR,
  MINUTE,
  T0,
  createTestDatabase,
  makePassword,
  makeProject,
  makeSecret,
  makeSession,
  makeSigningKey,
  makeUser,
  openTestStore,
  passwordFactor,
  tokenHash,
  type TestStore,
} from './fixtures.js';

/** A deadlock (e.g. a transaction that does not join) fails the test instead of hanging. */
const T = { timeout: 30_000 };

const NO_LOCK: UserLock = { failedAttempts: 0, lockCreatedAt: null, lockExpiresAt: null };

/** Metadata that exercises nesting, arrays, every JSON scalar and non-ASCII text. */
const RICH_METADATA: Record<string, unknown> = {
  plan: 'pro',
  seats: 12,
  ratio: 0.125,
  negative: -42,
  big: 9_007_199_254_740_991,
  active: true,
  disabled: false,
  nothing: null,
  empty: {},
  emptyList: [],
  nested: { level1: { level2: { level3: ['a', 1, true, null, { deep: 'yes' }] } } },
  unicode: {
    accents: 'Zoë Ångström café',
    cjk: '日本語のテキスト',
    rtl: 'مرحبا بالعالم',
    emoji: '🔐🧪👩🏽‍💻',
    combining: 'e\u0301',
    astral: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  },
  escapes: 'quote " backslash \\ newline \n tab \t nul \u0000 end',
  'key with spaces & ünïcödé 🔑': 'value',
};

function expectedUser(u: NewUser, extra: { password?: User['password']; lock?: UserLock } = {}): User {
  return {
    id: u.id,
    projectId: u.projectId,
    status: u.status,
    name: u.name,
    emails: [u.email],
    phoneNumbers: u.phone ? [u.phone] : [],
    trustedMetadata: u.trustedMetadata,
    untrustedMetadata: u.untrustedMetadata,
    externalId: u.externalId,
    roles: u.roles,
    createdAt: u.createdAt,
    password: extra.password ?? null,
    lock: extra.lock ?? NO_LOCK,
  };
}

/** Explicit type checks, so a dialect leaking 0/1, strings or bigints fails with a clear message. */
function assertUserTypes(user: User): void {
  assert.equal(typeof user.createdAt, 'number', 'createdAt is a number');
  assert.ok(Number.isSafeInteger(user.createdAt), 'createdAt is a safe integer');
  for (const e of user.emails) assert.equal(typeof e.verified, 'boolean', 'email.verified is a boolean');
  if (user.password) assert.equal(typeof user.password.requiresReset, 'boolean', 'password.requiresReset is a boolean');
  assert.equal(typeof user.lock.failedAttempts, 'number', 'lock.failedAttempts is a number');
  for (const t of [user.lock.lockCreatedAt, user.lock.lockExpiresAt]) {
    assert.ok(t === null || typeof t === 'number', 'lock timestamps are numbers or null');
  }
  assert.ok(user.externalId === null || typeof user.externalId === 'string', 'externalId is a string or null');
  assert.ok(Array.isArray(user.roles), 'roles is an array');
  assert.equal(typeof user.trustedMetadata, 'object');
  assert.equal(typeof user.untrustedMetadata, 'object');
}

function assertSessionTypes(s: Session): void {
  for (const [k, v] of [
    ['startedAt', s.startedAt],
    ['lastAccessedAt', s.lastAccessedAt],
    ['expiresAt', s.expiresAt],
  ] as const) {
    assert.equal(typeof v, 'number', `${k} is a number`);
  }
  assert.ok(s.revokedAt === null || typeof s.revokedAt === 'number', 'revokedAt is a number or null');
  assert.ok(Array.isArray(s.factors), 'factors is an array');
  assert.equal(typeof s.customClaims, 'object');
}

for (const dialect of DIALECTS) {
  void describe(`store contract (${dialect})`, () => {
    let opened: TestStore | undefined;
    let store: Store;

    before(async () => {
      opened = await openTestStore(dialect);
      await opened.migrate();
      await opened.migrate(); // idempotent: a second run applies nothing and does not fail
      store = opened.store;
    });

    after(async () => {
      await opened?.dispose();
    });

    async function newProject(settings?: ProjectSettings): Promise<Project> {
      const p = makeProject(settings ? { settings } : {});
      await store.insertProject(p, makeSecret(`secret-hash-${p.id}`));
      return p;
    }

    async function newUser(projectId: string, overrides: Partial<NewUser> = {}): Promise<NewUser> {
      const u = makeUser(projectId, overrides);
      assert.equal(await store.insertUser(u), 'inserted', 'insertUser returns inserted');
      return u;
    }

    async function newSession(projectId: string, userId: string, overrides: Partial<Session> = {}): Promise<{ session: Session; hash: string }> {
      const session = makeSession(projectId, userId, overrides);
      const hash = tokenHash();
      await store.insertSession(session, hash);
      return { session, hash };
    }

    async function lockOf(projectId: string, userId: string): Promise<UserLock> {
      const u = await store.getUser(projectId, userId);
      assert.ok(u, 'user exists');
      return u.lock;
    }

    // ------------------------------------------------------------------ migrations

    void describe('migrations', () => {
      void it('opens the expected dialect on a fresh, empty database', T, async () => {
        assert.equal(opened?.dialect, dialect);
        assert.equal(await store.countProjects(), 0);
      });

      void it('migrate() run again is a no-op that keeps the data', T, async () => {
        const p = await newProject();
        await opened!.migrate();
        const got = await store.getProjectWithSecretHashes(p.id);
        assert.deepEqual(got?.project, p);
      });

      void it('close() releases the store, and the data is there when the database is opened again', T, async () => {
        const db = await createTestDatabase(dialect);
        try {
          const first = openStore(db.target);
          await first.migrate();
          const p = makeProject();
          await first.store.insertProject(p, makeSecret('kept-hash'));
          const u = makeUser(p.id);
          assert.equal(await first.store.insertUser(u), 'inserted');
          await first.store.close();

          const second = openStore(db.target);
          try {
            await second.migrate(); // nothing pending: a no-op on an existing database
            assert.deepEqual(await second.store.getProjectWithSecretHashes(p.id), { project: p, secretHashes: ['kept-hash'] });
            assert.deepEqual(await second.store.getUser(p.id, u.id), expectedUser(u));
          } finally {
            await second.store.close();
          }
        } finally {
          await db.drop();
        }
      });
    });

    // ------------------------------------------------------------------ projects

    void describe('projects', () => {
      void it('insertProject / getProjectWithSecretHashes round-trip the project and its secret hash', T, async () => {
        const p = makeProject({ environment: 'live', settings: { ...PROJECT_DEFAULTS, lockThreshold: 7, lockDurationMinutes: 15 }, createdAt: T0 + 123 });
        const secret = makeSecret('$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', T0 + 5);
        await store.insertProject(p, secret);
        const got = await store.getProjectWithSecretHashes(p.id);
        assert.ok(got);
        assert.deepEqual(got, { project: p, secretHashes: ['$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'] });
        assert.deepEqual(await store.listProjectSecrets(p.id), [{ id: secret.id, createdAt: T0 + 5 }]);
        assert.equal(typeof got.project.createdAt, 'number');
        assert.equal(typeof got.project.settings.lockThreshold, 'number');
      });

      void it('getProjectWithSecretHashes returns null for an unknown project', T, async () => {
        assert.equal(await store.getProjectWithSecretHashes(newId('project', 'test')), null);
        assert.equal(await store.getProjectWithSecretHashes(''), null);
        assert.deepEqual(await store.listProjectSecrets(newId('project', 'test')), []);
      });

      void it('a project holds several secrets; deleting never removes the last one, even concurrently', T, async () => {
        const p = await newProject();
        const [first] = await store.listProjectSecrets(p.id);
        assert.ok(first);
        const second = makeSecret('second-hash', T0 + 1);
        const third = makeSecret('third-hash', T0 + 2);
        await store.insertProjectSecret(p.id, second);
        await store.insertProjectSecret(p.id, third);
        assert.deepEqual((await store.getProjectWithSecretHashes(p.id))?.secretHashes.sort(), [`secret-hash-${p.id}`, 'second-hash', 'third-hash'].sort());
        assert.deepEqual((await store.listProjectSecrets(p.id)).map((s) => s.id), [first.id, second.id, third.id]);
        // another project's secret cannot be deleted through this project
        const other = await newProject();
        assert.equal(await store.deleteProjectSecret(other.id, second.id), 'not_found');
        assert.equal(await store.deleteProjectSecret(p.id, 'project-secret-test-nope'), 'not_found');
        assert.equal(await store.deleteProjectSecret(newId('project', 'test'), second.id), 'not_found');
        assert.equal(await store.deleteProjectSecret(p.id, first.id), 'deleted');
        // two concurrent deletes of the last two: exactly one wins
        const outcomes = await Promise.all([store.deleteProjectSecret(p.id, second.id), store.deleteProjectSecret(p.id, third.id)]);
        assert.deepEqual(outcomes.sort(), ['deleted', 'last']);
        assert.equal((await store.listProjectSecrets(p.id)).length, 1);
        assert.equal((await store.getProjectWithSecretHashes(p.id))?.secretHashes.length, 1);
        assert.equal((await store.listProjectSecrets(other.id)).length, 1);
      });

      void it('settings missing from the stored row are filled from PROJECT_DEFAULTS', T, async () => {
        const partial = { lockThreshold: 3 } as unknown as ProjectSettings;
        const p = makeProject({ settings: partial });
        await store.insertProject(p, makeSecret('h'));
        const got = await store.getProjectWithSecretHashes(p.id);
        assert.deepEqual(got?.project.settings, { ...PROJECT_DEFAULTS, lockThreshold: 3 });

        const none = makeProject({ settings: {} as ProjectSettings });
        await store.insertProject(none, makeSecret('h'));
        assert.deepEqual((await store.getProjectWithSecretHashes(none.id))?.project.settings, { ...PROJECT_DEFAULTS });
      });

      void it('updateProjectSettings replaces the settings of that project only', T, async () => {
        const a = await newProject();
        const b = await newProject();
        await store.updateProjectSettings(a.id, { ...PROJECT_DEFAULTS, lockThreshold: 4, lockDurationMinutes: 5 });
        const gotA = await store.getProjectWithSecretHashes(a.id);
        assert.deepEqual(gotA, { project: { ...a, settings: { ...PROJECT_DEFAULTS, lockThreshold: 4, lockDurationMinutes: 5 } }, secretHashes: [`secret-hash-${a.id}`] });
        assert.deepEqual((await store.getProjectWithSecretHashes(b.id))?.project, b);
        // an unknown project is simply not there
        await store.updateProjectSettings(newId('project', 'test'), { ...PROJECT_DEFAULTS, lockThreshold: 1, lockDurationMinutes: 5 });
      });

      void it('countProjects counts every project', T, async () => {
        const before = await store.countProjects();
        assert.equal(typeof before, 'number');
        await newProject();
        await newProject();
        await newProject();
        assert.equal(await store.countProjects(), before + 3);
      });
    });

    // ------------------------------------------------------------------ signing keys

    void describe('signing keys', () => {
      void it('listSigningKeys is empty for a project without keys', T, async () => {
        const p = await newProject();
        assert.deepEqual(await store.listSigningKeys(p.id), []);
      });

      void it('insertSigningKey / listSigningKeys round-trip every field, ordered by createdAt, project-scoped', T, async () => {
        const p = await newProject();
        const other = await newProject();
        const newest = makeSigningKey(p.id, { createdAt: T0 + 2 * HOUR });
        const oldest = makeSigningKey(p.id, { createdAt: T0, retiredAt: T0 + HOUR + 1 });
        const middle = makeSigningKey(p.id, { createdAt: T0 + HOUR, retiredAt: null });
        const foreign = makeSigningKey(other.id, { createdAt: T0 - HOUR });
        // inserted out of order on purpose
        await store.insertSigningKey(newest);
        await store.insertSigningKey(foreign);
        await store.insertSigningKey(oldest);
        await store.insertSigningKey(middle);

        const keys = await store.listSigningKeys(p.id);
        assert.deepEqual(keys, [oldest, middle, newest]);
        assert.equal(keys[0]?.retiredAt, T0 + HOUR + 1);
        assert.equal(typeof keys[0]?.retiredAt, 'number');
        assert.equal(keys[1]?.retiredAt, null);
        for (const k of keys) assert.equal(typeof k.createdAt, 'number');
        assert.deepEqual(await store.listSigningKeys(other.id), [foreign]);
      });

      void it('the public JWK round-trips as JSON, nested arrays and all', T, async () => {
        const p = await newProject();
        const key = makeSigningKey(p.id, {
          publicJwk: {
            kty: 'EC',
            crv: 'P-256',
            x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
            y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
            kid: 'k1',
            x5c: ['MIIB', 'MIIC'],
            key_ops: ['verify'],
            ext: true,
            nested: { a: [1, 2, { b: null }] },
          },
        });
        await store.insertSigningKey(key);
        const [got] = await store.listSigningKeys(p.id);
        assert.deepEqual(got?.publicJwk, key.publicJwk);
        assert.equal(got?.privateKey, key.privateKey);
      });
    });

    // ------------------------------------------------------------------ users

    void describe('users', () => {
      void it('insertUser returns true and getUser returns every field with the right types', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id, {
          status: 'pending',
          name: { firstName: 'Grace', middleName: 'Brewster', lastName: 'Hopper' },
          email: { id: newId('email', 'test'), email: 'grace@example.com', verified: true },
          trustedMetadata: { tier: 'gold', limits: { daily: 10 } },
          untrustedMetadata: { theme: 'dark' },
          externalId: 'ext-123',
          roles: ['admin', 'billing'],
          createdAt: T0 + 987,
        });
        const got = await store.getUser(p.id, u.id);
        assert.ok(got);
        assert.deepEqual(got, expectedUser(u));
        assertUserTypes(got);
        assert.equal(got.emails[0]?.verified, true);
      });

      void it('an unverified email reads back as false and an empty user round-trips', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const got = await store.getUser(p.id, u.id);
        assert.ok(got);
        assert.deepEqual(got, expectedUser(u));
        assert.equal(got.emails[0]?.verified, false);
        assert.equal(got.externalId, null);
        assertUserTypes(got);
      });

      void it('metadata objects round-trip, nested and unicode included', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id, {
          name: { firstName: 'Zoë', middleName: '李', lastName: 'Ødegård 🚀' },
          trustedMetadata: RICH_METADATA,
          untrustedMetadata: { ...RICH_METADATA, mine: { only: ['untrusted'] } },
        });
        const got = await store.getUser(p.id, u.id);
        assert.deepEqual(got, expectedUser(u));
      });

      void it('insertUser returns false for an email already taken in the project and writes nothing', T, async () => {
        const p = await newProject();
        const first = await newUser(p.id, { email: { id: newId('email', 'test'), email: 'dup@example.com', verified: false } });
        const dup = makeUser(p.id, { email: { id: newId('email', 'test'), email: 'dup@example.com', verified: true } });
        assert.equal(await store.insertUser(dup), 'email_taken');
        assert.equal(await store.getUser(p.id, dup.id), null, 'the duplicate user was not written');
        assert.deepEqual(await store.getUserByEmail(p.id, 'dup@example.com'), expectedUser(first));
      });

      void it('insertUser refuses a taken phone number or external id, writes nothing, and round-trips a phone', T, async () => {
        const p = await newProject();
        const phone = { id: newId('phone-number', 'test'), phoneNumber: '+14155550100', verified: true };
        const u = makeUser(p.id, { phone, externalId: 'ext-1' });
        assert.equal(await store.insertUser(u), 'inserted');
        assert.deepEqual((await store.getUser(p.id, u.id))?.phoneNumbers, [phone]);

        const samePhone = makeUser(p.id, { phone: { ...phone, id: newId('phone-number', 'test') } });
        assert.equal(await store.insertUser(samePhone), 'phone_taken');
        assert.equal(await store.getUser(p.id, samePhone.id), null);
        assert.equal(await store.getUserByEmail(p.id, samePhone.email.email), null, 'its email was not kept');

        const sameExternal = makeUser(p.id, { externalId: 'ext-1' });
        assert.equal(await store.insertUser(sameExternal), 'external_id_taken');
        assert.equal(await store.getUser(p.id, sameExternal.id), null);

        const other = await newProject();
        assert.equal(await store.insertUser(makeUser(other.id, { phone: { ...phone, id: newId('phone-number', 'test') }, externalId: 'ext-1' })), 'inserted');
        assert.equal(await store.deleteUser(p.id, u.id), true);
        assert.equal(await store.insertUser(makeUser(p.id, { phone: { ...phone, id: newId('phone-number', 'test') } })), 'inserted', 'delete freed the phone');
      });

      void it('insertUser returns true for the same email in another project', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const email = 'shared@example.com';
        const ua = await newUser(a.id, { email: { id: newId('email', 'test'), email, verified: false } });
        const ub = makeUser(b.id, { email: { id: newId('email', 'test'), email, verified: true } });
        assert.equal(await store.insertUser(ub), 'inserted');
        assert.deepEqual(await store.getUserByEmail(a.id, email), expectedUser(ua));
        assert.deepEqual(await store.getUserByEmail(b.id, email), expectedUser(ub));
      });

      void it('concurrent insertUser calls with the same email: exactly one wins', T, async () => {
        const p = await newProject();
        const email = 'race@example.com';
        const users = Array.from({ length: 5 }, () => makeUser(p.id, { email: { id: newId('email', 'test'), email, verified: false } }));
        const results = await Promise.all(users.map((u) => store.insertUser(u)));
        assert.equal(results.filter((r) => r === 'inserted').length, 1, `exactly one insert wins: ${JSON.stringify(results)}`);
        assert.equal(results.filter((r) => r === 'email_taken').length, 4);
        const winner = users[results.indexOf('inserted')]!;
        assert.deepEqual(await store.getUserByEmail(p.id, email), expectedUser(winner));
        for (const u of users) {
          if (u !== winner) assert.equal(await store.getUser(p.id, u.id), null, 'losers left no user row');
        }
      });

      void it('insertUser losing a concurrent email race inside a transaction returns false and leaves the transaction usable', T, async () => {
        // A inserts the email and holds its transaction open; B, in its own transaction, does
        // not see A's uncommitted email, so its own email insert is the one that collides.
        const p = await newProject();
        const email = 'tx-race@example.com';
        const a = makeUser(p.id, { email: { id: newId('email', 'test'), email, verified: false } });
        const b = makeUser(p.id, { email: { id: newId('email', 'test'), email, verified: false } });
        const keyB = makeSigningKey(p.id);
        const keyB2 = makeSigningKey(p.id, { createdAt: T0 + 1 });
        let aInserted!: () => void;
        const aHolds = new Promise<void>((resolve) => (aInserted = resolve));
        const txA = store.transaction(async (tx) => {
          const ok = await tx.insertUser(a);
          aInserted();
          await sleep(300);
          return ok;
        });
        await Promise.race([aHolds, txA]);
        const txB = store.transaction(async (tx) => {
          await tx.insertSigningKey(keyB);
          const ok = await tx.insertUser(b);
          await tx.insertSigningKey(keyB2); // the caller's transaction must still be usable
          return ok;
        });
        const [ra, rb] = await Promise.allSettled([txA, txB]);
        assert.deepEqual(ra, { status: 'fulfilled', value: 'inserted' }, 'A wins');
        if (rb.status === 'rejected') assert.fail(`B's transaction failed after insertUser lost the race: ${String(rb.reason)}`);
        assert.equal(rb.value, 'email_taken', 'B learns that the email is taken');
        assert.deepEqual(await store.listSigningKeys(p.id), [keyB, keyB2], "B's other writes landed");
        assert.equal(await store.getUser(p.id, b.id), null, 'no user row for B');
        assert.deepEqual(await store.getUserByEmail(p.id, email), expectedUser(a));
      });

      void it('getUser returns null for an unknown user and for another project (isolation)', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        assert.equal(await store.getUser(a.id, newId('user', 'test')), null);
        assert.equal(await store.getUser(b.id, u.id), null);
        assert.equal(await store.getUser(newId('project', 'test'), u.id), null);
      });

      void it('getUserByEmail finds the user, and returns null for unknown emails and other projects', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id, { email: { id: newId('email', 'test'), email: 'find.me+tag@example.com', verified: true } });
        const got = await store.getUserByEmail(a.id, 'find.me+tag@example.com');
        assert.ok(got);
        assert.deepEqual(got, expectedUser(u));
        assertUserTypes(got);
        assert.equal(await store.getUserByEmail(a.id, 'nobody@example.com'), null);
        assert.equal(await store.getUserByEmail(b.id, 'find.me+tag@example.com'), null);
      });

      void it('password is null until insertPassword, then carries its id and requiresReset', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        assert.equal((await store.getUser(p.id, u.id))?.password, null);
        const pw = { ...makePassword(u.id), requiresReset: true };
        await store.insertPassword(p.id, pw, T0);
        const got = await store.getUser(p.id, u.id);
        assert.ok(got);
        assert.deepEqual(got, expectedUser(u, { password: { id: pw.id, requiresReset: true } }));
        assertUserTypes(got);
        assert.deepEqual((await store.getUserByEmail(p.id, u.email.email))?.password, { id: pw.id, requiresReset: true });
      });

      void it('deleteUser removes the user with its emails, password and sessions, and is false the second time', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const keep = await newUser(p.id);
        const pw = makePassword(u.id);
        await store.insertPassword(p.id, pw, T0);
        const s1 = await newSession(p.id, u.id);
        const s2 = await newSession(p.id, u.id, { startedAt: T0 + 1 });
        const kept = await newSession(p.id, keep.id);

        assert.equal(await store.deleteUser(p.id, u.id), true);
        assert.equal(await store.getUser(p.id, u.id), null);
        assert.equal(await store.getUserByEmail(p.id, u.email.email), null, 'email gone');
        assert.equal(await store.getPassword(p.id, u.id), null, 'password gone');
        for (const s of [s1, s2]) {
          assert.equal(await store.getSessionById(p.id, s.session.id), null, 'session gone (by id)');
          assert.equal(await store.getSessionByTokenHash(p.id, s.hash), null, 'session gone (by token hash)');
        }
        assert.deepEqual(await store.listActiveSessions(p.id, u.id, T0), []);
        assert.equal(await store.deleteUser(p.id, u.id), false, 'second delete finds nothing');

        // the email is free again, and the other user is untouched
        assert.equal(await store.insertUser(makeUser(p.id, { email: { ...u.email, id: newId('email', 'test') } })), 'inserted');
        assert.deepEqual(await store.getUser(p.id, keep.id), expectedUser(keep));
        assert.deepEqual(await store.getSessionById(p.id, kept.session.id), kept.session);
      });

      void it('deleteUser returns false for an unknown user and does not reach into another project', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        await store.insertPassword(a.id, makePassword(u.id), T0);
        const s = await newSession(a.id, u.id);
        assert.equal(await store.deleteUser(a.id, newId('user', 'test')), false);
        assert.equal(await store.deleteUser(b.id, u.id), false);
        assert.ok(await store.getUser(a.id, u.id));
        assert.ok(await store.getPassword(a.id, u.id));
        assert.deepEqual(await store.getSessionById(a.id, s.session.id), s.session);
      });
    });

    // ------------------------------------------------------------------ lock counting

    void describe('lock counting', () => {
      const LOCK_MS = 30 * MINUTE;

      void it('recordFailedAttempt increments the counter without locking below the threshold', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        for (let i = 1; i <= 3; i++) {
          assert.equal(await store.recordFailedAttempt(p.id, u.id, T0 + i, 5, LOCK_MS), false, 'no lock below the threshold');
          assert.deepEqual(await lockOf(p.id, u.id), { failedAttempts: i, lockCreatedAt: null, lockExpiresAt: null });
        }
      });

      void it('reaching the threshold locks the user from now until now + lockMs', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        for (let i = 1; i <= 2; i++) await store.recordFailedAttempt(p.id, u.id, T0 + i, 3, LOCK_MS);
        const now = T0 + 10;
        assert.equal(await store.recordFailedAttempt(p.id, u.id, now, 3, LOCK_MS), true, 'this attempt locked the user');
        const lock = await lockOf(p.id, u.id);
        assert.deepEqual(lock, { failedAttempts: 3, lockCreatedAt: now, lockExpiresAt: now + LOCK_MS });
        assert.equal(typeof lock.lockCreatedAt, 'number');
        assert.equal(typeof lock.lockExpiresAt, 'number');
        // getUserByEmail reports the same lock
        assert.deepEqual((await store.getUserByEmail(p.id, u.email.email))?.lock, lock);
      });

      void it('further failures while locked do not move the lock', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const lockedAt = T0 + 100;
        await store.recordFailedAttempt(p.id, u.id, lockedAt, 1, LOCK_MS);
        const first = await lockOf(p.id, u.id);
        assert.deepEqual(first, { failedAttempts: 1, lockCreatedAt: lockedAt, lockExpiresAt: lockedAt + LOCK_MS });

        for (const now of [lockedAt + 1, lockedAt + LOCK_MS / 2, lockedAt + LOCK_MS - 1]) {
          assert.equal(await store.recordFailedAttempt(p.id, u.id, now, 1, LOCK_MS), false, 'an attempt while locked locks nothing new');
          const lock = await lockOf(p.id, u.id);
          assert.equal(lock.lockCreatedAt, lockedAt, `lockCreatedAt unchanged at ${now}`);
          assert.equal(lock.lockExpiresAt, lockedAt + LOCK_MS, `lockExpiresAt unchanged at ${now}`);
          assert.ok(lock.failedAttempts >= 1);
        }
      });

      void it('after the lock runs out, the next failure starts the count at 1 and clears the old lock', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        for (let i = 0; i < 3; i++) await store.recordFailedAttempt(p.id, u.id, T0 + i, 3, LOCK_MS);
        const expiresAt = T0 + 2 + LOCK_MS;
        assert.equal((await lockOf(p.id, u.id)).lockExpiresAt, expiresAt);

        // exactly at lockExpiresAt the lock has run out (isLocked: lockExpiresAt > now)
        await store.recordFailedAttempt(p.id, u.id, expiresAt, 3, LOCK_MS);
        assert.deepEqual(await lockOf(p.id, u.id), { failedAttempts: 1, lockCreatedAt: null, lockExpiresAt: null });

        // and the count builds up to a fresh lock from there
        await store.recordFailedAttempt(p.id, u.id, expiresAt + 1, 3, LOCK_MS);
        await store.recordFailedAttempt(p.id, u.id, expiresAt + 2, 3, LOCK_MS);
        assert.deepEqual(await lockOf(p.id, u.id), { failedAttempts: 3, lockCreatedAt: expiresAt + 2, lockExpiresAt: expiresAt + 2 + LOCK_MS });
      });

      void it('with threshold 1, a failure after expiry clears the old lock and locks again from now', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        await store.recordFailedAttempt(p.id, u.id, T0, 1, LOCK_MS);
        const later = T0 + LOCK_MS + 5 * MINUTE;
        await store.recordFailedAttempt(p.id, u.id, later, 1, LOCK_MS);
        assert.deepEqual(await lockOf(p.id, u.id), { failedAttempts: 1, lockCreatedAt: later, lockExpiresAt: later + LOCK_MS });
      });

      void it('clearFailedAttempts resets the counter and any lock', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        await store.clearFailedAttempts(p.id, u.id); // nothing to clear
        assert.deepEqual(await lockOf(p.id, u.id), NO_LOCK);

        await store.recordFailedAttempt(p.id, u.id, T0, 5, LOCK_MS);
        await store.recordFailedAttempt(p.id, u.id, T0 + 1, 5, LOCK_MS);
        await store.clearFailedAttempts(p.id, u.id);
        assert.deepEqual(await lockOf(p.id, u.id), NO_LOCK);

        for (let i = 0; i < 2; i++) await store.recordFailedAttempt(p.id, u.id, T0 + 10 + i, 2, LOCK_MS);
        assert.notEqual((await lockOf(p.id, u.id)).lockExpiresAt, null);
        await store.clearFailedAttempts(p.id, u.id);
        assert.deepEqual(await lockOf(p.id, u.id), NO_LOCK);

        // the count starts over after a clear
        await store.recordFailedAttempt(p.id, u.id, T0 + 20, 2, LOCK_MS);
        assert.deepEqual(await lockOf(p.id, u.id), { failedAttempts: 1, lockCreatedAt: null, lockExpiresAt: null });
      });

      void it('lock counting is project-scoped', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        await store.recordFailedAttempt(b.id, u.id, T0, 1, LOCK_MS);
        assert.deepEqual(await lockOf(a.id, u.id), NO_LOCK);
        await store.recordFailedAttempt(a.id, u.id, T0, 1, LOCK_MS);
        await store.clearFailedAttempts(b.id, u.id);
        assert.deepEqual(await lockOf(a.id, u.id), { failedAttempts: 1, lockCreatedAt: T0, lockExpiresAt: T0 + LOCK_MS });
      });

      void it('20 concurrent recordFailedAttempt calls count exactly 20', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.recordFailedAttempt(p.id, u.id, T0 + i, 100, LOCK_MS)));
        assert.deepEqual(await lockOf(p.id, u.id), { failedAttempts: 20, lockCreatedAt: null, lockExpiresAt: null });
      });

      void it('20 concurrent failures crossing the threshold count 20 and lock once', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const locked = await Promise.all(Array.from({ length: 20 }, () => store.recordFailedAttempt(p.id, u.id, T0, 5, LOCK_MS)));
        assert.deepEqual(await lockOf(p.id, u.id), { failedAttempts: 20, lockCreatedAt: T0, lockExpiresAt: T0 + LOCK_MS });
        assert.equal(locked.filter(Boolean).length, 1, 'exactly one attempt reports the lock');
      });
    });

    // ------------------------------------------------------------------ passwords

    void describe('passwords', () => {
      void it('getPassword is null before insertPassword and returns every field after', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        assert.equal(await store.getPassword(p.id, u.id), null);
        const pw = makePassword(u.id);
        await store.insertPassword(p.id, pw, T0);
        const got = await store.getPassword(p.id, u.id);
        assert.deepEqual(got, pw);
        assert.equal(typeof got?.requiresReset, 'boolean');

        const u2 = await newUser(p.id);
        const pw2 = { ...makePassword(u2.id), requiresReset: true };
        await store.insertPassword(p.id, pw2, T0);
        assert.deepEqual(await store.getPassword(p.id, u2.id), pw2);
      });

      void it('getPassword is project-scoped', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        await store.insertPassword(a.id, makePassword(u.id), T0);
        assert.equal(await store.getPassword(b.id, u.id), null);
      });

      void it('replacePasswordHash succeeds with the expected hash and clears requiresReset', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const pw = { ...makePassword(u.id, 'hash-old'), requiresReset: true };
        await store.insertPassword(p.id, pw, T0);
        assert.equal(await store.replacePasswordHash(p.id, pw.id, 'hash-old', 'hash-new', T0 + 1), true);
        assert.deepEqual(await store.getPassword(p.id, u.id), { ...pw, hash: 'hash-new', requiresReset: false });
        assert.deepEqual((await store.getUser(p.id, u.id))?.password, { id: pw.id, requiresReset: false });
      });

      void it('replacePasswordHash returns false with a stale hash and changes nothing', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const pw = { ...makePassword(u.id, 'hash-1'), requiresReset: true };
        await store.insertPassword(p.id, pw, T0);
        assert.equal(await store.replacePasswordHash(p.id, pw.id, 'hash-1', 'hash-2', T0 + 1), true);
        assert.equal(await store.replacePasswordHash(p.id, pw.id, 'hash-1', 'hash-3', T0 + 2), false, 'stale expected hash');
        assert.deepEqual(await store.getPassword(p.id, u.id), { ...pw, hash: 'hash-2', requiresReset: false });

        const v = await newUser(p.id);
        const pv = { ...makePassword(v.id, 'hash-v'), requiresReset: true };
        await store.insertPassword(p.id, pv, T0);
        assert.equal(await store.replacePasswordHash(p.id, pv.id, 'not-the-hash', 'hash-x', T0 + 1), false);
        assert.deepEqual(await store.getPassword(p.id, v.id), pv, 'a failed replace leaves requiresReset alone');
      });

      void it('replacePasswordHash returns false for an unknown password or another project', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        const pw = makePassword(u.id, 'hash-a');
        await store.insertPassword(a.id, pw, T0);
        assert.equal(await store.replacePasswordHash(a.id, newId('password', 'test'), 'hash-a', 'x', T0), false);
        assert.equal(await store.replacePasswordHash(b.id, pw.id, 'hash-a', 'x', T0), false);
        assert.deepEqual(await store.getPassword(a.id, u.id), pw);
      });

      void it('two concurrent replacePasswordHash calls from the same hash, each in its own transaction: exactly one wins', T, async () => {
        const p = await newProject();
        for (let round = 0; round < 5; round++) {
          const u = await newUser(p.id);
          const pw = makePassword(u.id, `hash-start-${round}`);
          await store.insertPassword(p.id, pw, T0);
          const attempt = (newHash: string) =>
            store.transaction(async (tx) => {
              const current = await tx.getPassword(p.id, u.id);
              assert.ok(current);
              return tx.replacePasswordHash(p.id, current.id, pw.hash, newHash, T0 + 1);
            });
          const results = await Promise.all([attempt(`hash-a-${round}`), attempt(`hash-b-${round}`)]);
          assert.equal(results.filter(Boolean).length, 1, `round ${round}: exactly one wins, got ${JSON.stringify(results)}`);
          const winner = results[0] ? `hash-a-${round}` : `hash-b-${round}`;
          assert.equal((await store.getPassword(p.id, u.id))?.hash, winner);
        }
      });

      void it('two concurrent replacePasswordHash calls outside transactions: exactly one wins', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const pw = makePassword(u.id, 'hash-start');
        await store.insertPassword(p.id, pw, T0);
        const results = await Promise.all([
          store.replacePasswordHash(p.id, pw.id, 'hash-start', 'hash-a', T0 + 1),
          store.replacePasswordHash(p.id, pw.id, 'hash-start', 'hash-b', T0 + 1),
        ]);
        assert.equal(results.filter(Boolean).length, 1, JSON.stringify(results));
      });
    });

    // ------------------------------------------------------------------ sessions

    void describe('sessions', () => {
      void it('insertSession / getSessionByTokenHash / getSessionById round-trip every field', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const { session, hash } = await newSession(p.id, u.id, {
          startedAt: T0 + 5,
          lastAccessedAt: T0 + 6,
          expiresAt: T0 + 5 + HOUR,
          attributes: { ipAddress: '2001:db8::1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) 🦊' },
          customClaims: { role: 'reader', nested: { list: [1, 'two', { three: 3 }] }, unicode: '日本語' },
          factors: [
            passwordFactor(T0 + 5),
            {
              type: 'magic_link',
              deliveryMethod: 'email',
              createdAt: T0 + 5,
              lastAuthenticatedAt: T0 + 6,
              updatedAt: T0 + 6,
              emailFactor: { emailId: u.email.id, emailAddress: u.email.email },
            },
          ],
        });
        const byHash = await store.getSessionByTokenHash(p.id, hash);
        assert.ok(byHash);
        assert.deepEqual(byHash, session);
        assertSessionTypes(byHash);
        const byId = await store.getSessionById(p.id, session.id);
        assert.deepEqual(byId, session);
      });

      void it('a session inserted already revoked keeps its revokedAt', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const { session } = await newSession(p.id, u.id, { revokedAt: T0 + 7 });
        const got = await store.getSessionById(p.id, session.id);
        assert.deepEqual(got, session);
        assert.equal(typeof got?.revokedAt, 'number');
      });

      void it('session lookups are project-scoped and null when unknown', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        const { session, hash } = await newSession(a.id, u.id);
        assert.equal(await store.getSessionByTokenHash(b.id, hash), null);
        assert.equal(await store.getSessionById(b.id, session.id), null);
        assert.equal(await store.getSessionByTokenHash(a.id, tokenHash()), null);
        assert.equal(await store.getSessionById(a.id, newId('session', 'test')), null);
      });

      void it('updateSession writes last_accessed_at, expires_at, custom claims and factors', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const { session, hash } = await newSession(p.id, u.id);
        const updated: Session = {
          ...session,
          lastAccessedAt: T0 + 10 * MINUTE,
          expiresAt: T0 + 3 * HOUR,
          customClaims: { step_up: true, ctx: { v: 2, tags: ['a', 'ü'] } },
          factors: [...session.factors, { ...passwordFactor(T0 + 10 * MINUTE), updatedAt: T0 + 11 * MINUTE }],
        };
        assert.equal(await store.updateSession(updated, session, T0), true);
        assert.deepEqual(await store.getSessionByTokenHash(p.id, hash), updated);
        assert.deepEqual(await store.getSessionById(p.id, session.id), updated);

        // claims and factors can also be emptied
        const emptied: Session = { ...updated, customClaims: {}, factors: [] };
        assert.equal(await store.updateSession(emptied, updated, T0), true);
        assert.deepEqual(await store.getSessionById(p.id, session.id), emptied);
      });

      void it('updateSession leaves the immutable fields alone', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const { session } = await newSession(p.id, u.id);
        await store.updateSession(
          {
            ...session,
            startedAt: T0 - HOUR,
            attributes: { ipAddress: '198.51.100.1', userAgent: 'changed' },
            lastAccessedAt: T0 + MINUTE,
          },
          session,
          T0,
        );
        assert.deepEqual(await store.getSessionById(p.id, session.id), { ...session, lastAccessedAt: T0 + MINUTE });
      });

      void it('updateSession is project-scoped', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        const { session } = await newSession(a.id, u.id);
        assert.equal(await store.updateSession({ ...session, projectId: b.id, expiresAt: T0 + 99 * HOUR }, session, T0), false);
        assert.deepEqual(await store.getSessionById(a.id, session.id), session);
      });

      void it('updateSession is a compare-and-set: refused over a changed row, a revoked or an expired session', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const { session } = await newSession(p.id, u.id);
        const first: Session = { ...session, lastAccessedAt: T0 + MINUTE, expiresAt: T0 + 2 * HOUR };
        const second: Session = { ...session, lastAccessedAt: T0 + MINUTE, expiresAt: T0 + 3 * HOUR, customClaims: { b: 1 } };
        assert.equal(await store.updateSession(first, session, T0 + MINUTE), true);
        // Computed from the row before `first`: refused, `first` stays.
        assert.equal(await store.updateSession(second, session, T0 + MINUTE), false);
        assert.deepEqual(await store.getSessionById(p.id, session.id), first);
        // A claim change alone also counts as a change.
        const claimed: Session = { ...first, customClaims: { a: 1 } };
        assert.equal(await store.updateSession(claimed, first, T0 + MINUTE), true);
        assert.equal(await store.updateSession({ ...first, expiresAt: T0 + 5 * HOUR }, first, T0 + MINUTE), false);
        // Expired at `now`: refused even over the current row.
        assert.equal(await store.updateSession({ ...claimed, expiresAt: T0 + 9 * HOUR }, claimed, T0 + 2 * HOUR), false);
        // Revoked: refused, and the revocation stays.
        assert.equal(await store.revokeSession(p.id, session.id, T0 + 2 * MINUTE), true);
        assert.equal(await store.updateSession({ ...claimed, expiresAt: T0 + 9 * HOUR }, claimed, T0 + 2 * MINUTE), false);
        assert.deepEqual(await store.getSessionById(p.id, session.id), { ...claimed, revokedAt: T0 + 2 * MINUTE });
      });

      void it('listActiveSessions excludes revoked and expired sessions and orders by startedAt', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        const other = await newUser(a.id);
        const now = T0 + 30 * MINUTE;
        // inserted out of order on purpose
        const third = await newSession(a.id, u.id, { startedAt: T0 + 3 });
        const first = await newSession(a.id, u.id, { startedAt: T0 + 1 });
        const second = await newSession(a.id, u.id, { startedAt: T0 + 2 });
        const revoked = await newSession(a.id, u.id, { startedAt: T0 });
        assert.equal(await store.revokeSession(a.id, revoked.session.id, T0 + MINUTE), true);
        await newSession(a.id, u.id, { startedAt: T0 - 2 * HOUR, expiresAt: now - 1 }); // expired
        await newSession(a.id, u.id, { startedAt: T0 - HOUR, expiresAt: now }); // expires exactly now
        await newSession(a.id, u.id, { startedAt: T0 + 4, revokedAt: T0 + 5 }); // inserted revoked
        await newSession(a.id, other.id, { startedAt: T0 + 1 }); // another user
        await newSession(b.id, u.id, { startedAt: T0 + 1 }); // same user id, another project

        const active = await store.listActiveSessions(a.id, u.id, now);
        assert.deepEqual(
          active.map((s) => s.id),
          [first, second, third].map((s) => s.session.id),
        );
        assert.deepEqual(active, [first.session, second.session, third.session]);
        assert.deepEqual(await store.listActiveSessions(a.id, newId('user', 'test'), now), []);
        // later, all of them have expired
        assert.deepEqual(await store.listActiveSessions(a.id, u.id, T0 + 3 + HOUR), []);
      });

      void it('revokeSession returns true once, then false', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const { session, hash } = await newSession(p.id, u.id);
        assert.equal(await store.revokeSession(p.id, session.id, T0 + MINUTE), true);
        assert.deepEqual(await store.getSessionByTokenHash(p.id, hash), { ...session, revokedAt: T0 + MINUTE });
        assert.equal(await store.revokeSession(p.id, session.id, T0 + 2 * MINUTE), false);
        assert.equal((await store.getSessionById(p.id, session.id))?.revokedAt, T0 + MINUTE, 'the first revocation time stays');
        assert.equal(await store.revokeSession(p.id, newId('session', 'test'), T0), false, 'unknown session');
      });

      void it('revokeSession is project-scoped', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        const { session } = await newSession(a.id, u.id);
        assert.equal(await store.revokeSession(b.id, session.id, T0), false);
        assert.equal((await store.getSessionById(a.id, session.id))?.revokedAt, null);
      });

      void it('revokeUserSessions revokes every live session of the user', T, async () => {
        const a = await newProject();
        const b = await newProject();
        const u = await newUser(a.id);
        const other = await newUser(a.id);
        const s1 = await newSession(a.id, u.id, { startedAt: T0 });
        const s2 = await newSession(a.id, u.id, { startedAt: T0 + 1 });
        const earlier = await newSession(a.id, u.id, { startedAt: T0 + 2, revokedAt: T0 + 3 });
        const otherUser = await newSession(a.id, other.id);
        const otherProject = await newSession(b.id, u.id);
        const now = T0 + 10 * MINUTE;

        await store.revokeUserSessions(a.id, u.id, now);
        assert.deepEqual(await store.listActiveSessions(a.id, u.id, now), []);
        for (const s of [s1, s2]) assert.equal((await store.getSessionById(a.id, s.session.id))?.revokedAt, now);
        assert.equal((await store.getSessionById(a.id, earlier.session.id))?.revokedAt, T0 + 3, 'an earlier revocation is kept');
        assert.deepEqual(await store.getSessionById(a.id, otherUser.session.id), otherUser.session);
        assert.deepEqual(await store.getSessionById(b.id, otherProject.session.id), otherProject.session);
      });

      void it('revokeUserSessions spares exceptSessionId', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const keep = await newSession(p.id, u.id, { startedAt: T0 });
        const drop1 = await newSession(p.id, u.id, { startedAt: T0 + 1 });
        const drop2 = await newSession(p.id, u.id, { startedAt: T0 + 2 });
        const now = T0 + MINUTE;
        await store.revokeUserSessions(p.id, u.id, now, keep.session.id);
        assert.deepEqual(await store.listActiveSessions(p.id, u.id, now), [keep.session]);
        for (const s of [drop1, drop2]) assert.equal((await store.getSessionById(p.id, s.session.id))?.revokedAt, now);
      });
    });

    // ------------------------------------------------------------------ authentication audit events

    void describe('auth events', () => {
      function makeEvent(projectId: string, overrides: Partial<AuthEvent> = {}): AuthEvent {
        return {
          id: newId('auth-event', 'test'),
          projectId,
          userId: null,
          route: '/v1/passwords/authenticate',
          outcome: 'success',
          clientAddress: '127.0.0.1',
          requestId: newId('request-id', 'test'),
          createdAt: T0,
          ...overrides,
        };
      }

      void it('insertAuthEvents stores every field; listAuthEvents returns them newest first, per project', T, async () => {
        const p = await newProject();
        const other = await newProject();
        const u = await newUser(p.id);
        const a = makeEvent(p.id, { userId: u.id, createdAt: T0, outcome: 'success', clientAddress: '::1' });
        const b = makeEvent(p.id, { createdAt: T0 + MINUTE, outcome: 'email_not_found', route: '/v1/passwords/email/reset/start' });
        const c = makeEvent(p.id, { userId: u.id, createdAt: T0 + 2 * MINUTE, outcome: 'unauthorized_credentials' });
        const elsewhere = makeEvent(other.id, { createdAt: T0 + 3 * MINUTE });
        await store.insertAuthEvents([a, b, c, elsewhere]);
        await store.insertAuthEvents([]); // nothing to write is not an error

        assert.deepEqual(await store.listAuthEvents({ projectId: p.id, limit: 10 }), [c, b, a]);
        assert.deepEqual(await store.listAuthEvents({ projectId: p.id, limit: 2 }), [c, b], 'limit keeps the newest');
        assert.deepEqual(await store.listAuthEvents({ projectId: p.id, userId: u.id, limit: 10 }), [c, a]);
        assert.deepEqual(await store.listAuthEvents({ projectId: p.id, outcome: 'unauthorized_credentials', limit: 10 }), [c]);
        assert.deepEqual(await store.listAuthEvents({ projectId: other.id, limit: 10 }), [elsewhere]);
        const all = await store.listAuthEvents({ limit: 1000 });
        for (const e of [a, b, c, elsewhere]) assert.ok(all.some((x) => x.id === e.id), 'listing without a project spans every project');
        assert.equal(typeof a.createdAt, 'number');
        assert.equal(typeof (await store.listAuthEvents({ projectId: p.id, limit: 1 }))[0]?.createdAt, 'number');
      });

      void it('insertAuthEvents writes a batch larger than one statement holds, and rows survive their user', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const many = Array.from({ length: 1234 }, (_, i) => makeEvent(p.id, { userId: u.id, createdAt: T0 + i }));
        await store.insertAuthEvents(many);
        const listed = await store.listAuthEvents({ projectId: p.id, limit: 5000 });
        assert.equal(listed.length, many.length);
        assert.deepEqual(listed[0], many.at(-1));
        assert.equal(await store.deleteUser(p.id, u.id), true);
        assert.equal((await store.listAuthEvents({ projectId: p.id, userId: u.id, limit: 5000 })).length, many.length, 'the audit trail outlives the user');
      });

      void it('pruneAuthEvents deletes events created before the cutoff, in every project, and says how many', T, async () => {
        const p = await newProject();
        const q = await newProject();
        const old1 = makeEvent(p.id, { createdAt: T0 - 100 * 24 * HOUR });
        const old2 = makeEvent(q.id, { createdAt: T0 - 91 * 24 * HOUR });
        const edge = makeEvent(p.id, { createdAt: T0 - 90 * 24 * HOUR });
        const fresh = makeEvent(q.id, { createdAt: T0 });
        await store.insertAuthEvents([old1, old2, edge, fresh]);
        // Every other test's events are from T0 on, so exactly these two are older than the cutoff.
        assert.equal(await store.pruneAuthEvents(T0 - 90 * 24 * HOUR), 2);
        assert.deepEqual(await store.listAuthEvents({ projectId: p.id, limit: 10 }), [edge]);
        assert.deepEqual(await store.listAuthEvents({ projectId: q.id, limit: 10 }), [fresh]);
        assert.equal(await store.pruneAuthEvents(T0 - 90 * 24 * HOUR), 0);
      });

      void it('insertAuthEvents inside a transaction rolls back with it', T, async () => {
        const p = await newProject();
        const e = makeEvent(p.id);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertAuthEvents([e]);
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.deepEqual(await store.listAuthEvents({ projectId: p.id, limit: 10 }), []);
      });
    });

    // ------------------------------------------------------------------ transactions

    void describe('transactions', () => {
      class Boom extends Error {}

      void it('returns the value of fn and commits its writes', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const pw = makePassword(u.id);
        const session = makeSession(p.id, u.id);
        const hash = tokenHash();
        const result = await store.transaction(async (tx) => {
          await tx.insertPassword(p.id, pw, T0);
          await tx.insertSession(session, hash);
          // reads inside the transaction see its own writes
          assert.deepEqual(await tx.getPassword(p.id, u.id), pw);
          assert.deepEqual(await tx.getSessionByTokenHash(p.id, hash), session);
          return 42;
        });
        assert.equal(result, 42);
        assert.deepEqual(await store.getPassword(p.id, u.id), pw);
        assert.deepEqual(await store.getSessionByTokenHash(p.id, hash), session);
      });

      void it('a throw inside the transaction rolls back every write made through the tx store', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const pw = makePassword(u.id);
        const session = makeSession(p.id, u.id);
        const hash = tokenHash();
        const boom = new Boom('boom');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertPassword(p.id, pw, T0);
            await tx.insertSession(session, hash);
            await tx.recordFailedAttempt(p.id, u.id, T0, 10, HOUR);
            await tx.updateProjectSettings(p.id, { ...PROJECT_DEFAULTS, lockThreshold: 2, lockDurationMinutes: 5 });
            throw boom;
          }),
          (err) => err === boom,
        );
        assert.equal(await store.getPassword(p.id, u.id), null, 'password rolled back');
        assert.equal(await store.getSessionByTokenHash(p.id, hash), null, 'session rolled back');
        assert.equal(await store.getSessionById(p.id, session.id), null);
        assert.deepEqual(await lockOf(p.id, u.id), NO_LOCK, 'failed attempt rolled back');
        assert.deepEqual((await store.getProjectWithSecretHashes(p.id))?.project.settings, p.settings, 'settings rolled back');
        // and the store is still usable afterwards
        await store.insertPassword(p.id, pw, T0);
        assert.deepEqual(await store.getPassword(p.id, u.id), pw);
      });

      void it('methods that open their own transaction (insertUser, deleteUser) join the outer one and roll back with it', T, async () => {
        const p = await newProject();
        const existing = await newUser(p.id);
        const fresh = makeUser(p.id);
        await assert.rejects(
          store.transaction(async (tx) => {
            assert.equal(await tx.insertUser(fresh), 'inserted');
            assert.ok(await tx.getUser(p.id, fresh.id));
            assert.equal(await tx.deleteUser(p.id, existing.id), true);
            throw new Boom('boom');
          }),
          Boom,
        );
        assert.equal(await store.getUser(p.id, fresh.id), null, 'insertUser rolled back');
        assert.equal(await store.getUserByEmail(p.id, fresh.email.email), null, 'its email rolled back');
        assert.deepEqual(await store.getUser(p.id, existing.id), expectedUser(existing), 'deleteUser rolled back');
      });

      void it('a nested transaction joins the outer one: it sees its writes and rolls back with it', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const pw = makePassword(u.id);
        const session = makeSession(p.id, u.id);
        const hash = tokenHash();
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertPassword(p.id, pw, T0);
            const inner = await tx.transaction(async (tx2) => {
              assert.deepEqual(await tx2.getPassword(p.id, u.id), pw, 'inner sees the outer write');
              await tx2.insertSession(session, hash);
              return 'inner-done';
            });
            assert.equal(inner, 'inner-done');
            assert.deepEqual(await tx.getSessionByTokenHash(p.id, hash), session, 'outer sees the inner write');
            throw new Boom('boom');
          }),
          Boom,
        );
        assert.equal(await store.getPassword(p.id, u.id), null);
        assert.equal(await store.getSessionByTokenHash(p.id, hash), null, 'the inner write rolled back with the outer transaction');
      });

      void it('a nested transaction commits with the outer one', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const pw = makePassword(u.id);
        const session = makeSession(p.id, u.id);
        const hash = tokenHash();
        await store.transaction(async (tx) => {
          await tx.insertPassword(p.id, pw, T0);
          await tx.transaction((tx2) => tx2.insertSession(session, hash));
        });
        assert.deepEqual(await store.getPassword(p.id, u.id), pw);
        assert.deepEqual(await store.getSessionByTokenHash(p.id, hash), session);
      });

      void it('a throw from a nested transaction propagates and rolls back the whole transaction', T, async () => {
        const p = await newProject();
        const u = await newUser(p.id);
        const pw = makePassword(u.id);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertPassword(p.id, pw, T0);
            await tx.transaction(async (tx2) => {
              await tx2.recordFailedAttempt(p.id, u.id, T0, 10, HOUR);
              throw new Boom('inner');
            });
          }),
          Boom,
        );
        assert.equal(await store.getPassword(p.id, u.id), null);
        assert.deepEqual(await lockOf(p.id, u.id), NO_LOCK);
      });
    });
  });
}

for (const dialect of DIALECTS) {
  void describe(`store ping (${dialect})`, () => {
    void it('resolves while the database answers, inside a transaction too, and rejects once the store is closed', T, async () => {
      const db = await createTestDatabase(dialect);
      const { store } = openStore(db.target);
      try {
        await store.ping();
        await store.transaction((tx) => tx.ping());
        await store.close();
        await assert.rejects(store.ping());
      } finally {
        await db.drop();
      }
    });
  });
}
