import assert from 'node:assert/strict';
import { createKeySealer } from '../../src/sessions/key-sealing.js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixedClock } from '../../src/clock.js';
import { PROJECT_DEFAULTS, type Project } from '../../src/projects/project.js';
import { mintSessionJwt, peekKid, verifySessionJwt } from '../../src/sessions/jwt.js';
import { generateSigningKey } from '../../src/sessions/keys.js';
import type { Session } from '../../src/sessions/session.js';
import { SigningKeys } from '../../src/sessions/signing-keys.js';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';

const PLAIN = createKeySealer([]);

const T0 = Date.UTC(2025, 10, 12, 10, 0, 0);
const MINUTE = 60_000;

let dir: string;
let store: Store;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-keys-'));
  const opened = openStore({ dataDir: dir, databaseUrl: undefined });
  await opened.migrate();
  store = opened.store;
});

after(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function newProject(): Promise<Project> {
  const project: Project = { id: `project-test-${randomUUID()}`, environment: 'test', createdAt: T0, settings: { ...PROJECT_DEFAULTS } };
  await store.insertProject(project, { id: `project-secret-test-${randomUUID()}`, hash: 'x', createdAt: T0 });
  return project;
}

function session(project: Project, now: number): Session {
  return {
    id: `session-test-${randomUUID()}`,
    projectId: project.id,
    userId: `user-test-${randomUUID()}`,
    startedAt: now,
    lastAccessedAt: now,
    expiresAt: now + 60 * MINUTE,
    revokedAt: null,
    attributes: { ipAddress: '', userAgent: '' },
    customClaims: {},
    factors: [],
  };
}

void describe('SigningKeys', () => {
  void it('creates the first key on demand, once, even for concurrent callers', async () => {
    const project = await newProject();
    const keys = new SigningKeys(store, new FixedClock(T0));
    const results = await Promise.all(Array.from({ length: 8 }, () => keys.current(project)));
    const stored = await store.listSigningKeys(project.id);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.createdAt, T0);
    assert.equal(stored[0]!.retiredAt, null);
    assert.match(stored[0]!.kid, /^jwk-test-[0-9a-f-]{36}$/);
    for (const r of results) assert.equal(r.kid, stored[0]!.kid);
    // The imported key object is reused, not re-parsed per call.
    assert.equal(results[0]!.privateKey, (await keys.current(project)).privateKey);
    assert.equal(new Set(results.map((r) => r.privateKey)).size, 1);
  });

  void it('uses a key another instance created instead of making its own', async () => {
    const project = await newProject();
    const first = await new SigningKeys(store, new FixedClock(T0)).current(project);
    const second = await new SigningKeys(store, new FixedClock(T0)).current(project);
    assert.equal(second.kid, first.kid);
    assert.equal((await store.listSigningKeys(project.id)).length, 1);
  });

  void it('publishes the JWK shape and verifies what it signs', async () => {
    const project = await newProject();
    const clock = new FixedClock(T0);
    const keys = new SigningKeys(store, clock);
    const jwks = await keys.jwks(project);
    assert.equal(jwks.length, 1);
    const jwk = jwks[0]!;
    assert.deepEqual(Object.keys(jwk), ['alg', 'e', 'key_ops', 'kid', 'kty', 'n', 'use', 'x5c', 'x5tS256']);
    assert.equal(jwk.alg, 'RS256');
    assert.equal(jwk.e, 'AQAB');
    assert.deepEqual(jwk.key_ops, ['verify']);
    assert.equal(jwk.kty, 'RSA');
    assert.equal(jwk.use, 'sig');
    assert.equal(Buffer.from(jwk.n as string, 'base64url').length, 256);
    assert.equal((jwk.x5c as string[]).length, 1);
    assert.match(jwk.x5tS256 as string, /^[A-Za-z0-9_-]{43}$/);

    const signer = await keys.current(project);
    assert.equal(jwk.kid, signer.kid);
    const s = session(project, T0);
    const jwt = await mintSessionJwt(signer, { projectId: project.id, session: s, roles: ['stytch_user'], now: T0 });
    const verified = await verifySessionJwt(jwt, project.id, await keys.publicKeys(project.id, peekKid(jwt)), T0);
    assert.equal(verified.sessionId, s.id);
  });

  void it('keeps a retired key published for 5 minutes after retirement, and never signs with it', async () => {
    const project = await newProject();
    const clock = new FixedClock(T0);
    const keys = new SigningKeys(store, clock);
    const active = await keys.current(project);
    // Newer than the active key, but retired: still verifies, never signs.
    const retired = await generateSigningKey(project.id, 'test', T0 + 1, PLAIN);
    await store.insertSigningKey({ ...retired, retiredAt: T0 + 2 });
    clock.advance(31_000); // past the cache TTL, so the new row is read

    assert.equal((await keys.current(project)).kid, active.kid);
    let kids = (await keys.jwks(project)).map((k) => k.kid);
    assert.deepEqual(kids.sort(), [active.kid, retired.kid].sort());

    clock.set(T0 + 2 + 5 * MINUTE - 1);
    assert.deepEqual((await keys.publicKeys(project.id)).map((k) => k.kid).sort(), [active.kid, retired.kid].sort());
    clock.set(T0 + 2 + 5 * MINUTE);
    kids = (await keys.jwks(project)).map((k) => k.kid);
    assert.deepEqual(kids, [active.kid]);
    assert.deepEqual((await keys.publicKeys(project.id, retired.kid)).map((k) => k.kid), [active.kid]);
  });

  void it('creates a new key when every key is retired', async () => {
    const project = await newProject();
    const old = await generateSigningKey(project.id, 'test', T0, PLAIN);
    await store.insertSigningKey({ ...old, retiredAt: T0 + MINUTE });
    const clock = new FixedClock(T0 + 2 * MINUTE);
    const keys = new SigningKeys(store, clock);
    const current = await keys.current(project);
    assert.notEqual(current.kid, old.kid);
    assert.deepEqual((await keys.jwks(project)).map((k) => k.kid).sort(), [old.kid, current.kid].sort());
  });

  void it("reloads early for a kid it has not seen (rate-limited), and picks up another instance's newer key", async () => {
    const project = await newProject();
    const clock = new FixedClock(T0);
    const keys = new SigningKeys(store, clock);
    const first = await keys.current(project);

    const second = await generateSigningKey(project.id, 'test', T0 + 1, PLAIN);
    await store.insertSigningKey(second);
    // Within the TTL the cache answers, so without a kid the new key is not visible yet...
    assert.deepEqual((await keys.publicKeys(project.id)).map((k) => k.kid), [first.kid]);
    // ...but naming the unknown kid reloads.
    assert.deepEqual((await keys.publicKeys(project.id, second.kid)).map((k) => k.kid), [first.kid, second.kid]);

    const third = await generateSigningKey(project.id, 'test', T0 + 2, PLAIN);
    await store.insertSigningKey(third);
    assert.equal((await keys.publicKeys(project.id, third.kid)).some((k) => k.kid === third.kid), false, 'cooldown');
    clock.advance(5_000);
    assert.equal((await keys.publicKeys(project.id, third.kid)).some((k) => k.kid === third.kid), true);

    // The newest active key signs from then on, in every instance.
    assert.equal((await keys.current(project)).kid, third.kid);
    assert.equal((await new SigningKeys(store, clock).current(project)).kid, third.kid);
  });

  void it('lets two instances racing on the first key agree on one after the TTL, publishing all', async () => {
    const project = await newProject();
    const clock = new FixedClock(T0);
    const a = new SigningKeys(store, clock);
    const b = new SigningKeys(store, clock);
    await Promise.all([a.current(project), b.current(project)]);
    const stored = await store.listSigningKeys(project.id);
    assert.ok(stored.length === 1 || stored.length === 2);
    clock.advance(30_000);
    const [ka, kb] = await Promise.all([a.current(project), b.current(project)]);
    assert.equal(ka.kid, kb.kid);
    assert.deepEqual((await a.jwks(project)).map((k) => k.kid).sort(), stored.map((k) => k.kid).sort());
  });
});
