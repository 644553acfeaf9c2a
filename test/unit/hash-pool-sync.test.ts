import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import { hashSync as bcryptHashSync } from '@node-rs/bcrypt';
import fc from 'fast-check';
import { hashPassword } from '../../src/passwords/hashing.js';
import { hashPasswordBlocking, verifyStoredHashBlocking } from '../../src/passwords/hash-pool-sync.js';
import { importHash, verifyStoredHash } from '../../src/passwords/legacy/index.js';
import { FIXTURES, fixture, toInput, verifiable } from '../fixtures/legacy-hashes.js';

const OURS = { memoryKiB: 19456, iterations: 2, parallelism: 1 };
const STORED = FIXTURES.map((f) => ({ f, stored: importHash(toInput(f)) }));

/** Both verifiers must agree; the async one (legacy/index.ts) is the reference. */
async function assertSame(stored: string, password: string, label: string): Promise<boolean> {
  const expected = await verifyStoredHash(stored, password);
  assert.equal(await verifyStoredHashBlocking(stored, password), expected, `${label}: ${JSON.stringify(stored)}`);
  return expected;
}

describe('hash-pool-sync: the same answers as verifyStoredHash, computed on the calling thread', () => {
  for (const { f, stored } of STORED) {
    it(`${f.label}: the password verifies (where Postern verifies it at all), the near miss does not`, async () => {
      assert.equal(await assertSame(stored, f.password, f.label), verifiable(f));
      assert.equal(await assertSame(stored, f.wrong_password, f.label), false);
    });
  }

  it('hashPasswordBlocking makes what hashPassword makes: argon2id PHC with the configured parameters', async () => {
    const blocking = hashPasswordBlocking('pässwörd ✓ 密码', OURS);
    const reference = await hashPassword('pässwörd ✓ 密码', OURS);
    const shape = (s: string) => s.split('$').slice(0, 4).join('$');
    assert.equal(shape(blocking), shape(reference));
    assert.equal(shape(blocking), '$argon2id$v=19$m=19456,t=2,p=1');
    assert.equal(await verifyStoredHash(blocking, 'pässwörd ✓ 密码'), true);
    assert.equal(await verifyStoredHashBlocking(reference, 'pässwörd ✓ 密码'), true);
    assert.equal(await verifyStoredHashBlocking(blocking, 'pässwörd ✓ 密码'.normalize('NFD')), false);
  });

  it('bcrypt: refuses any password over 72 bytes, as the reference does, and verifies one of exactly 72', async () => {
    const f = fixture('bcrypt $2b$ password over 72 bytes');
    const stored = importHash(toInput(f));
    const bytes = Buffer.from(f.password, 'utf8');
    const sameFirst72 = Buffer.concat([bytes.subarray(0, 72), Buffer.from('another tail')]).toString('utf8');
    assert.equal(await assertSame(stored, sameFirst72, f.label), false);
    assert.equal(await assertSame(stored, f.password, f.label), false);
    const exactly72 = 'x'.repeat(72);
    const own = bcryptHashSync(exactly72, 4);
    assert.equal(await assertSame(own, exactly72, '72 bytes'), true);
    assert.equal(await assertSame(own, `${exactly72}y`, '73 bytes'), false);
  });

  it('false, never a throw, for malformed and out-of-bounds stored values', async () => {
    const salt = 'c2FsdHNhbHQxMjM0NTY3OA';
    const hash = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const garbage = [
      '',
      '$',
      '$$$$$$',
      'plaintext-password',
      '$argon2id$',
      '$argon2id$v=19$m=19456,t=2,p=1$$',
      '$argon2d$v=19$m=1024,t=1,p=1$c2FsdHNhbHQxMjM0NTY3OA$1Y68BJTahiR5sPPdIWm+0fEtWOcaz5B+fARRmnqozAE',
      '$argon2id$v=19$m=4,t=1,p=1$c2FsdHNhbHQxMjM0NTY3OA$1Y68BJTahiR5sPPdIWm+0fEtWOcaz5B+fARRmnqozAE',
      `$argon2id$v=19$m=4294967295,t=1,p=1$${salt}$${hash}`,
      `$argon2id$v=19$m=1024,t=101,p=1$${salt}$${hash}`,
      `$argon2id$v=19$m=1024,t=1,p=17$${salt}$${hash}`,
      '$2b$04$',
      '$2b$99$l3uLguEWT.K9up2Hs6crwuZVSkzAgaPww5eWXel3xKUBNlYIlwUGS',
      '$2b$17$l3uLguEWT.K9up2Hs6crwuZVSkzAgaPww5eWXel3xKUBNlYIlwUGS',
      '$2x$04$l3uLguEWT.K9up2Hs6crwuZVSkzAgaPww5eWXel3xKUBNlYIlwUGS',
      '$P$',
      '$H$zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz',
      '$P$Spalabcdefghijklmnopqrstuvw.',
      `$scrypt$ln=30,r=8,p=1$${salt}$${hash}`,
      '$scrypt$ln=10,r=8,p=1$$',
      '$scrypt$ln=abc$x$y',
      '$postern-md5$$$',
      '$postern-md5$$$zz',
      '$postern-sha512$!$$00',
      '$postern-pbkdf2-sha256$i=0$c2FsdA$c2FsdA',
      `$postern-pbkdf2-sha256$i=1000000000$${salt}$${hash}`,
      '$postern-pbkdf2-md5$i=1$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA',
      '\u0000',
      '\ud800',
    ];
    const started = performance.now();
    for (const stored of garbage) assert.equal(await assertSame(stored, 'password', 'garbage'), false);
    // Bounds are checked before any work: none of these may cost a real hash.
    assert.ok(performance.now() - started < 1000);
    assert.equal(await verifyStoredHashBlocking(undefined as unknown as string, 'x'), false);
    assert.equal(await verifyStoredHashBlocking(STORED[0]!.stored, null as unknown as string), false);
  });

  it('agrees with verifyStoredHash on corrupted stored values (property)', async () => {
    // Edits in the last 60% of the string: the salt and hash, where an edit cannot raise the
    // work factors (a bcrypt cost or scrypt ln edited upwards would make a run take seconds).
    const edit = fc.record({
      which: fc.nat(STORED.length - 1),
      at: fc.double({ min: 0.4, max: 1, noNaN: true }),
      kind: fc.constantFrom('replace', 'delete', 'insert', 'truncate'),
      ch: fc.constantFrom(...'$.=/+-_,0aZz9'.split('')),
    });
    await fc.assert(
      fc.asyncProperty(edit, fc.boolean(), async ({ which, at, kind, ch }, right) => {
        const { f, stored } = STORED[which]!;
        const i = Math.min(stored.length - 1, Math.floor(stored.length * at));
        const edited =
          kind === 'replace'
            ? stored.slice(0, i) + ch + stored.slice(i + 1)
            : kind === 'delete'
              ? stored.slice(0, i) + stored.slice(i + 1)
              : kind === 'insert'
                ? stored.slice(0, i) + ch + stored.slice(i)
                : stored.slice(0, i);
        await assertSame(edited, right ? f.password : f.wrong_password, f.label);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with verifyStoredHash on arbitrary passwords (property)', async () => {
    const cheap = STORED.filter(({ f }) => /md_5|sha_1|phpass \$H\$ 2\^7|bcrypt \$2a\$ cost 4|argon_2id PHC v=19 m=1024/.test(f.label));
    await fc.assert(
      fc.asyncProperty(fc.nat(cheap.length - 1), fc.string({ unit: 'grapheme', maxLength: 80 }), async (which, password) => {
        const { f, stored } = cheap[which]!;
        await assertSame(stored, password, f.label);
      }),
      { numRuns: 100 },
    );
  });
});

describe('hash-pool-sync: never waits for libuv’s threadpool', () => {
  it('verifies every slow format while every threadpool thread is busy', async () => {
    // Occupy every libuv thread for about a second of CPU each. Anything that went through
    // the threadpool (async argon2, bcrypt, scrypt, pbkdf2) would finish after them; these
    // verifies take well under 0.2 s in all.
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    let firstBlockerDone = Number.POSITIVE_INFINITY;
    const blockers = Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) => {
          pbkdf2('x', 'salt', 1_000_000, 64, 'sha512', (err) => {
            firstBlockerDone = Math.min(firstBlockerDone, performance.now());
            if (err) reject(err);
            else resolve();
          });
        }),
    );
    const slow = ['bcrypt', 'argon_2i ', 'argon_2id', 'scrypt', 'pbkdf_2'].flatMap((type) =>
      STORED.filter(({ f }) => f.label.startsWith(type) && verifiable(f)).slice(0, 2),
    );
    for (const { f, stored } of slow) {
      assert.equal(await verifyStoredHashBlocking(stored, f.password), true, f.label);
      // A turn of the event loop, so that a blocker that has finished is seen to have.
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(hashPasswordBlocking('x', OURS).startsWith('$argon2id$'));
    const verifiedAt = performance.now();
    await Promise.all(blockers);
    assert.ok(verifiedAt < firstBlockerDone, 'the blocking verifiers must not have waited for the threadpool');
  });
});
