import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verify as argon2LibraryVerify } from '@node-rs/argon2';
import { hashPassword } from '../../src/passwords/hashing.js';
import { importHash, needsRehash, verifyStoredHash } from '../../src/passwords/legacy/index.js';
import { FIXTURES, fixture, toInput, verifiable } from '../fixtures/legacy-hashes.js';

const OURS = { memoryKiB: 19456, iterations: 2, parallelism: 1 };

describe('legacy hashes: golden vectors from passlib, python3-bcrypt, argon2-cffi, hashlib', () => {
  it('covers every hash type', () => {
    const types = new Set(FIXTURES.map((f) => f.hash_type));
    assert.deepEqual(
      [...types].sort(),
      ['argon_2i', 'argon_2id', 'bcrypt', 'md_5', 'pbkdf_2', 'phpass', 'scrypt', 'sha_1', 'sha_512'],
    );
  });

  for (const f of FIXTURES) {
    it(`${f.label}: imports, verifies the password, refuses the near miss`, async () => {
      const stored = importHash(toInput(f));
      assert.equal(await verifyStoredHash(stored, f.password), verifiable(f), `password should verify unless past bcrypt's 72 bytes: ${stored}`);
      assert.equal(await verifyStoredHash(stored, f.wrong_password), false, 'near miss must fail');
      assert.equal(needsRehash(stored, OURS), true, 'every imported hash is rehashed on login');
    });
  }
});

describe('legacy hashes: stored forms', () => {
  it('keeps standard strings (bcrypt, phpass, argon2 PHC, scrypt PHC) exactly as received', () => {
    for (const f of FIXTURES.filter((x) => x.hash.startsWith('$'))) {
      assert.equal(importHash(toInput(f)), f.hash, f.label);
    }
  });

  it('writes self-describing prefixed forms for the others', () => {
    const prefixes: Record<string, RegExp> = {
      md_5: /^\$postern-md5\$[\w-]*\$[\w-]*\$[0-9a-f]{32}$/,
      sha_1: /^\$postern-sha1\$[\w-]*\$[\w-]*\$[0-9a-f]{40}$/,
      sha_512: /^\$postern-sha512\$[\w-]*\$[\w-]*\$[0-9a-f]{128}$/,
      argon_2i: /^\$argon2i\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
      argon_2id: /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
      scrypt: /^\$scrypt\$ln=\d+,r=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
      pbkdf_2: /^\$postern-pbkdf2-sha(256|512)\$i=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
    };
    for (const f of FIXTURES.filter((x) => !x.hash.startsWith('$'))) {
      const re = prefixes[f.hash_type];
      assert.ok(re, f.label);
      assert.match(importHash(toInput(f)), re, f.label);
    }
  });

  it('md5 salts containing "$" round-trip through the stored form', async () => {
    const f = fixture('md_5 prepend salt');
    assert.equal(f.config?.md_5_config?.prepend_salt, 'pre$salt');
    assert.equal(await verifyStoredHash(importHash(toInput(f)), f.password), true);
  });

  it('argon2 raw hex + config becomes a PHC string that @node-rs/argon2 itself accepts', async () => {
    for (const f of FIXTURES.filter((x) => x.hash_type.startsWith('argon') && !x.hash.startsWith('$'))) {
      const stored = importHash(toInput(f));
      assert.equal(await argon2LibraryVerify(stored, f.password), true, f.label);
    }
  });

  it('pbkdf_2 without an algorithm is sha256', () => {
    const f = fixture('pbkdf_2 sha256 i=10000 len=32 (default algorithm)');
    assert.equal(f.config?.pbkdf_2_config?.algorithm, undefined);
    assert.match(importHash(toInput(f)), /^\$postern-pbkdf2-sha256\$/);
  });
});

describe('legacy hashes: bcrypt and the 72-byte limit', () => {
  const f = fixture('bcrypt $2b$ password over 72 bytes');
  const stored = importHash(toInput(f));

  it('a wrong password sharing the first 72 bytes is never accepted (bcrypt itself would accept it)', async () => {
    const bytes = Buffer.from(f.password, 'utf8');
    assert.ok(bytes.length > 72);
    const sameFirst72 = Buffer.concat([bytes.subarray(0, 72), Buffer.from('a different tail')]).toString('utf8');
    assert.notEqual(sameFirst72, f.password);
    // python3-bcrypt accepts this string (asserted by the generator); Postern refuses it.
    assert.equal(await verifyStoredHash(stored, sameFirst72), false);
    // So is the right one: past 72 bytes bcrypt cannot tell them apart, so neither verifies.
    assert.equal(await verifyStoredHash(stored, f.password), false);
  });

  it('exactly 72 bytes still verifies', async () => {
    const at72 = FIXTURES.find((x) => x.hash_type === 'bcrypt' && Buffer.byteLength(x.password) <= 72)!;
    assert.equal(await verifyStoredHash(importHash(toInput(at72)), at72.password), true);
  });

  it('bcrypt: a password that differs within the first 72 bytes fails', async () => {
    assert.equal(await verifyStoredHash(stored, f.wrong_password), false);
    assert.equal(await verifyStoredHash(stored, f.password.slice(0, 20)), false);
  });
});

describe('legacy hashes: our own argon2id hashes', () => {
  it('hashPassword output verifies through verifyStoredHash, and needs no rehash at its own params', async () => {
    const stored = await hashPassword('pässwörd ✓ 密码', OURS);
    assert.match(stored, /^\$argon2id\$v=19\$/);
    assert.equal(await verifyStoredHash(stored, 'pässwörd ✓ 密码'), true);
    assert.equal(await verifyStoredHash(stored, 'pässwörd ✓ 密码'.normalize('NFD')), false);
    assert.equal(needsRehash(stored, OURS), false);
    assert.equal(needsRehash(stored, { ...OURS, memoryKiB: OURS.memoryKiB - 1 }), false, 'above the params');
  });

  it('needsRehash is true for weaker argon2id and for argon2i', async () => {
    const weak = await hashPassword('x', { memoryKiB: 1024, iterations: 1, parallelism: 1 });
    assert.equal(needsRehash(weak, OURS), true);
    assert.equal(needsRehash(weak, { memoryKiB: 1024, iterations: 1, parallelism: 1 }), false);
    assert.equal(needsRehash(weak, { memoryKiB: 1024, iterations: 2, parallelism: 1 }), true);
    assert.equal(needsRehash(weak, { memoryKiB: 1024, iterations: 1, parallelism: 2 }), true);
    const argon2i = weak.replace('$argon2id$', '$argon2i$');
    assert.equal(needsRehash(argon2i, { memoryKiB: 1024, iterations: 1, parallelism: 1 }), true);
  });

  it('needsRehash is true for every non-argon2id form, even against the weakest params', () => {
    const weakest = { memoryKiB: 8, iterations: 1, parallelism: 1 };
    for (const f of FIXTURES.filter((x) => x.hash_type !== 'argon_2id')) {
      assert.equal(needsRehash(importHash(toInput(f)), weakest), true, f.label);
    }
  });

  it('needsRehash: an imported argon2id is kept only when at least as strong as ours (v=19, 32-byte output)', () => {
    const weakest = { memoryKiB: 8, iterations: 1, parallelism: 1 };
    const keep = (label: string) => !needsRehash(importHash(toInput(fixture(label))), weakest);
    assert.equal(keep('argon_2id PHC v=19 m=1024 t=2 p=1'), true);
    assert.equal(keep('argon_2id PHC v=19 m=4096 t=1 p=2'), false, '16-byte output');
    assert.equal(keep('argon_2id PHC v=16 m=2048 t=3 p=1'), false, 'argon2 1.0');
    assert.equal(keep('argon_2id raw hex m=1024 t=2 p=1'), false, '8-byte salt');
  });

  it('needsRehash is true for garbage', () => {
    assert.equal(needsRehash('', OURS), true);
    assert.equal(needsRehash('$argon2id$nonsense', OURS), true);
  });
});

describe('legacy hashes: phpass keeps the event loop free', () => {
  it('2^16 md5 rounds run in slices, letting other callbacks run in between', async () => {
    let ticks = 0;
    let running = true;
    const spin = () => {
      if (!running) return;
      ticks++;
      setImmediate(spin);
    };
    setImmediate(spin);
    // 'E' is 2^16 rounds, the largest accepted; the password is wrong, the work is the same.
    const stored = `$P$E${fixture('phpass $P$ 2^8').hash.slice(4)}`;
    assert.equal(await verifyStoredHash(stored, 'x'), false);
    running = false;
    assert.ok(ticks >= 16, `only ${ticks} turns of the event loop during the verify`);
  });
});

describe('legacy hashes: verifyStoredHash never throws', () => {
  const garbage = [
    '',
    '$',
    '$$$$$$',
    'plaintext-password',
    '$argon2id$',
    '$argon2id$v=19$m=19456,t=2,p=1$$',
    '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$!!!',
    '$argon2d$v=19$m=1024,t=1,p=1$c2FsdHNhbHQxMjM0NTY3OA$1Y68BJTahiR5sPPdIWm+0fEtWOcaz5B+fARRmnqozAE',
    '$argon2id$v=19$m=4,t=1,p=1$c2FsdHNhbHQxMjM0NTY3OA$1Y68BJTahiR5sPPdIWm+0fEtWOcaz5B+fARRmnqozAE',
    '$2b$04$',
    '$2b$99$l3uLguEWT.K9up2Hs6crwuZVSkzAgaPww5eWXel3xKUBNlYIlwUGS',
    '$2x$04$l3uLguEWT.K9up2Hs6crwuZVSkzAgaPww5eWXel3xKUBNlYIlwUGS',
    '$P$',
    '$H$zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz',
    '$scrypt$ln=10,r=8,p=1$$',
    '$scrypt$ln=abc$x$y',
    '$postern-md5$$$',
    '$postern-md5$$$zz',
    '$postern-sha512$!$$00',
    '$postern-pbkdf2-sha256$i=0$c2FsdA$c2FsdA',
    '$postern-pbkdf2-md5$i=1$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA',
    '\u0000',
    '\ud800',
  ];
  for (const stored of garbage) {
    it(`false for ${JSON.stringify(stored)}`, async () => {
      assert.equal(await verifyStoredHash(stored, 'password'), false);
    });
  }

  it('false for non-string arguments (defensive: values from an untyped layer)', async () => {
    assert.equal(await verifyStoredHash(undefined as unknown as string, 'x'), false);
    assert.equal(await verifyStoredHash(fixture('md_5 no salt').hash, null as unknown as string), false);
  });

  it('refuses stored values above the import bounds without doing the work', async () => {
    const salt = 'c2FsdHNhbHQxMjM0NTY3OA';
    const hash = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const started = performance.now();
    // scrypt: 2^30 · 8 · 128 bytes would be 1 TiB; pbkdf2: a billion rounds; phpass: 2^30 md5.
    assert.equal(await verifyStoredHash(`$scrypt$ln=30,r=8,p=1$${salt}$${hash}`, 'x'), false);
    assert.equal(await verifyStoredHash(`$postern-pbkdf2-sha256$i=1000000000$${salt}$${hash}`, 'x'), false);
    assert.equal(await verifyStoredHash('$P$Spalabcdefghijklmnopqrstuvw.', 'x'), false);
    assert.equal(await verifyStoredHash(`$P$${'S'}abcdefgh${'a'.repeat(21)}.`, 'x'), false);
    // argon2: above even the ceiling of our own configuration (4 GiB).
    assert.equal(await verifyStoredHash(`$argon2id$v=19$m=4294967295,t=1,p=1$${salt}$${hash}`, 'x'), false);
    assert.ok(performance.now() - started < 200);
  });
});
