/**
 * The pepper's pieces: POSTERN_PEPPER validation (a bad value stops the start without showing
 * the secret), hashing and verifying with it on the workers' synchronous path and through the
 * pool, the rehash decision, and the importer refusing a foreign keyid.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { verify as argon2Verify } from '@node-rs/argon2';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { AuthError } from '../../src/errors.js';
import { HashPool } from '../../src/passwords/hash-pool.js';
import { hashPasswordBlocking, verifyStoredHashBlocking } from '../../src/passwords/hash-pool-sync.js';
import { importHash, needsRehash, verifyStoredHash } from '../../src/passwords/legacy/index.js';
import { CLI } from '../helpers/processes.js';

const OURS = { memoryKiB: 19456, iterations: 2, parallelism: 1 };
const secretA = randomBytes(32);
const secretB = randomBytes(40);
const A = `a:${secretA.toString('base64')}`;
const B = `k-2_Z:${secretB.toString('base64url')}`;

function problemsOf(value: string): string {
  try {
    loadConfig({ POSTERN_PEPPER: value });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail(`accepted ${value}`);
}

describe('POSTERN_PEPPER', () => {
  it('is empty when unset; entries are keyid:base64 (standard or URL alphabet), current first', () => {
    assert.deepEqual(loadConfig({}).peppers, []);
    assert.deepEqual(loadConfig({ POSTERN_PEPPER: '' }).peppers, []);
    const { peppers } = loadConfig({ POSTERN_PEPPER: ` ${B} , ${A} ` });
    assert.deepEqual(peppers.map((p) => p.id), ['k-2_Z', 'a']);
    assert.deepEqual(peppers[0]!.secret, secretB);
    assert.deepEqual(peppers[1]!.secret, secretA);
  });

  it('a bad value is refused with a message naming the entry, never the secret', () => {
    const short = randomBytes(31).toString('base64');
    const cases: Array<[string, RegExp]> = [
      [`a:${short}`, /entry 1 \(key id "a"\): the secret must be base64 of 32/],
      [`${A},b:${secretB.toString('base64')}!`, /entry 2 \(key id "b"\)/],
      [`${A},a:${secretB.toString('base64')}`, /entry 2: key id "a" is listed twice/],
      [`toolongid:${secretA.toString('base64')}`, /entry 1: must be keyid:base64secret/],
      [`a b:${secretA.toString('base64')}`, /entry 1: must be keyid:base64secret/],
      [secretA.toString('base64'), /entry 1: must be keyid:base64secret/],
      [`${A},`, /entry 2: must be keyid:base64secret/],
      [`a:${secretA.toString('base64')}x`, /entry 1 \(key id "a"\)/],
    ];
    for (const [value, expected] of cases) {
      const message = problemsOf(value);
      assert.match(message, expected, value);
      for (const secret of [secretA.toString('base64'), secretB.toString('base64'), short]) {
        assert.equal(message.includes(secret.slice(0, 16)), false, `the message shows a secret: ${message}`);
      }
    }
  });

  it('the loaded config shows no secret when logged or serialized', () => {
    const config = loadConfig({ POSTERN_PEPPER: `${A},${B}` });
    for (const text of [JSON.stringify(config), inspect(config, { depth: 10 })]) {
      assert.equal(text.includes(secretA.toString('base64')), false);
      assert.equal(text.includes(secretA.toString('hex')), false);
      // Buffer's own renderings: JSON `{"type":"Buffer","data":[…]}` and inspect's `<Buffer 1a 2b …>`.
      assert.equal(text.includes(`${secretA[0]},${secretA[1]},${secretA[2]},${secretA[3]}`), false);
      assert.equal(text.includes(secretA.subarray(0, 4).toString('hex').replace(/(..)(?!$)/g, '$1 ')), false);
      assert.doesNotMatch(text, /Buffer/);
      assert.match(text, /k-2_Z/);
    }
  });

  it('stops a real `postern serve` at start with exit code 2 and a clear message, without the secret', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'postern-pepper-'));
    try {
      const short = randomBytes(16).toString('base64');
      const res = spawnSync(process.execPath, [...CLI, 'serve', '--port', '0', '--workers', '1'], {
        env: { ...process.env, POSTERN_DATA_DIR: dir, POSTERN_PEPPER: `${A},old:${short}` },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(res.status, 2, res.stderr);
      assert.match(res.stderr, /POSTERN_PEPPER entry 2 \(key id "old"\): the secret must be base64 of 32/);
      assert.doesNotMatch(res.stdout, /listening/);
      for (const secret of [secretA.toString('base64'), short]) assert.equal((res.stdout + res.stderr).includes(secret), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hashing and verifying with a pepper', () => {
  const peppers = new Map([['a', new Uint8Array(secretA)], ['b', new Uint8Array(secretB)]]);

  it('names the key in the PHC keyid parameter; only the same key verifies it', async () => {
    const hash = hashPasswordBlocking('pässwörd ✓', OURS, { id: 'a', secret: secretA });
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1,keyid=YQ\$/);
    assert.equal(await verifyStoredHashBlocking(hash, 'pässwörd ✓', peppers), true);
    assert.equal(await verifyStoredHashBlocking(hash, 'pässwörd ✓ ', peppers), false);
    // Without the key, with another secret under the same id, or under another key's id.
    assert.equal(await verifyStoredHashBlocking(hash, 'pässwörd ✓'), false);
    assert.equal(await verifyStoredHashBlocking(hash, 'pässwörd ✓', new Map([['a', new Uint8Array(secretB)]])), false);
    assert.equal(await verifyStoredHashBlocking(hash.replace('keyid=YQ', 'keyid=Yg'), 'pässwörd ✓', peppers), false);
    // The database alone: plain argon2, with or without the keyid, and the main-thread verifier.
    assert.equal(await argon2Verify(hash, 'pässwörd ✓'), false);
    assert.equal(await argon2Verify(hash.replace(',keyid=YQ', ''), 'pässwörd ✓'), false);
    assert.equal(await verifyStoredHash(hash, 'pässwörd ✓'), false);
    // Unpeppered hashes still verify when peppers are configured.
    const plain = hashPasswordBlocking('pässwörd ✓', OURS);
    assert.equal(await verifyStoredHashBlocking(plain, 'pässwörd ✓', peppers), true);
  });

  it('needsRehash: anything but the current key (or no key when none is configured)', () => {
    const a = hashPasswordBlocking('x', OURS, { id: 'a', secret: secretA });
    const plain = hashPasswordBlocking('x', OURS);
    assert.equal(needsRehash(a, OURS, 'a'), false);
    assert.equal(needsRehash(a, OURS, 'b'), true);
    assert.equal(needsRehash(a, OURS, null), true);
    assert.equal(needsRehash(plain, OURS, null), false);
    assert.equal(needsRehash(plain, OURS, 'a'), true);
    assert.equal(needsRehash(a, { ...OURS, iterations: 3 }, 'a'), true);
  });

  it('an imported argon2 hash may not carry a keyid', () => {
    const a = hashPasswordBlocking('x', OURS, { id: 'a', secret: secretA });
    assert.throws(() => importHash({ hashType: 'argon_2id', hash: a }), (err) => err instanceof AuthError && err.type === 'invalid_hash');
    assert.equal(importHash({ hashType: 'argon_2id', hash: a.replace(',keyid=YQ', '') }), a.replace(',keyid=YQ', ''));
  });

  it('the pool hashes with the current key, verifies with older ones, and reports a key it does not hold', async () => {
    const { peppers: configured } = loadConfig({ POSTERN_PEPPER: `b:${secretB.toString('base64')},${A}` });
    const unknown: string[] = [];
    const pool = new HashPool({ argon2: OURS, peppers: configured, workers: 1, onUnknownPepperKey: (id) => unknown.push(id) });
    const older = new HashPool({ argon2: OURS, peppers: configured.slice(1), workers: 1 });
    try {
      const made = await pool.hash('pw one');
      assert.match(made, /,keyid=Yg\$/);
      assert.equal(pool.needsRehash(made), false);
      const madeWithA = await older.hash('pw one');
      assert.match(madeWithA, /,keyid=YQ\$/);
      assert.equal(await pool.verify(madeWithA, 'pw one'), true);
      assert.equal(pool.needsRehash(madeWithA), true);
      assert.deepEqual(unknown, []);
      const foreign = hashPasswordBlocking('pw one', OURS, { id: 'zz', secret: secretA });
      assert.equal(await pool.verify(foreign, 'pw one'), false);
      assert.equal(await older.verify(made, 'pw one'), false);
      assert.deepEqual(unknown, ['zz']);
    } finally {
      await pool.close();
      await older.close();
    }
  });
});
