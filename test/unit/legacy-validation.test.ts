import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, type ErrorType } from '../../src/errors.js';
import { importHash, verifyStoredHash, type MigrateHashInput } from '../../src/passwords/legacy/index.js';
import { fixture, toInput } from '../fixtures/legacy-hashes.js';

const BCRYPT = fixture('bcrypt $2b$ cost 4').hash; // $2b$04$<53 chars>
const BCRYPT_TAIL = BCRYPT.slice(7);
const PHPASS = fixture('phpass $P$ 2^8').hash;
const MD5 = fixture('md_5 no salt').hash;
const SHA1 = fixture('sha_1 no salt').hash;
const ARGON2ID_PHC = fixture('argon_2id PHC v=19 m=1024 t=2 p=1').hash;
const HEX32 = 'ab'.repeat(32); // a 32-byte raw argon2 hash
const B64_32 = Buffer.alloc(32, 1).toString('base64');
const SALT16 = Buffer.alloc(16, 2).toString('base64');

const argon2 = (config: MigrateHashInput['argon2Config'], hash = HEX32): MigrateHashInput => ({
  hashType: 'argon_2id',
  hash,
  argon2Config: { salt: 'saltsalt', iterationAmount: 2, memory: 1024, threads: 1, keyLength: 32, ...config },
});
const scrypt = (config: MigrateHashInput['scryptConfig'], hash = B64_32): MigrateHashInput => ({
  hashType: 'scrypt',
  hash,
  scryptConfig: { salt: SALT16, nParameter: 1024, rParameter: 8, pParameter: 1, keyLength: 32, ...config },
});
const pbkdf2 = (config: MigrateHashInput['pbkdf2Config'], hash = B64_32): MigrateHashInput => ({
  hashType: 'pbkdf_2',
  hash,
  pbkdf2Config: { salt: SALT16, iterationAmount: 1000, keyLength: 32, algorithm: 'sha256', ...config },
});
const phc = (m: number, t: number, p: number) => ARGON2ID_PHC.replace('m=1024,t=2,p=1', `m=${m},t=${t},p=${p}`);

/** At least one input per migrate error type of spec §4.2, several where the rule has edges. */
const CASES: readonly (readonly [ErrorType, string, MigrateHashInput])[] = [
  ['invalid_hash_type', 'unknown type', { hashType: 'md5', hash: MD5 }],
  ['invalid_hash_type', 'argon2d is not offered', { hashType: 'argon_2d', hash: ARGON2ID_PHC }],
  ['invalid_hash_type', 'a prototype key', { hashType: '__proto__', hash: MD5 }],
  ['invalid_hash', 'empty hash', { hashType: 'bcrypt', hash: '' }],
  ['invalid_hash', 'hash over 1024 characters', { hashType: 'md_5', hash: 'a'.repeat(1025) }],
  ['invalid_hash', 'argon2 hash neither PHC nor hex', argon2({}, 'zz')],
  ['invalid_hash', 'argon_2i with a $argon2id$ string', { hashType: 'argon_2i', hash: ARGON2ID_PHC }],
  ['invalid_hash', 'argon2 PHC without v=', { hashType: 'argon_2id', hash: ARGON2ID_PHC.replace('v=19$', '') }],
  ['invalid_hash', 'scrypt PHC missing its hash', { hashType: 'scrypt', hash: `$scrypt$ln=10,r=8,p=1$${SALT16}` }],
  ['invalid_bcrypt_hash', '$2x$ ident', { hashType: 'bcrypt', hash: `$2x$04$${BCRYPT_TAIL}` }],
  ['invalid_bcrypt_hash', 'one-digit cost', { hashType: 'bcrypt', hash: `$2b$4$${BCRYPT_TAIL}` }],
  ['invalid_bcrypt_hash', 'trailing newline (no trimming)', { hashType: 'bcrypt', hash: `${BCRYPT}\n` }],
  ['invalid_bcrypt_hash', 'truncated', { hashType: 'bcrypt', hash: BCRYPT.slice(0, -1) }],
  ['invalid_bcrypt_hash', 'non-canonical last character', { hashType: 'bcrypt', hash: `${BCRYPT.slice(0, -1)}/` }],
  ['invalid_bcrypt_cost', 'cost 17', { hashType: 'bcrypt', hash: `$2b$17$${BCRYPT_TAIL}` }],
  ['invalid_bcrypt_cost', 'cost 31', { hashType: 'bcrypt', hash: `$2y$31$${BCRYPT_TAIL}` }],
  ['invalid_bcrypt_cost', 'cost 3', { hashType: 'bcrypt', hash: `$2a$03$${BCRYPT_TAIL}` }],
  ['invalid_md_5_hash', '31 hex digits', { hashType: 'md_5', hash: MD5.slice(1) }],
  ['invalid_md_5_hash', 'not hex', { hashType: 'md_5', hash: 'g'.repeat(32) }],
  ['invalid_md_5_hash', 'surrounding space', { hashType: 'md_5', hash: ` ${MD5}` }],
  ['invalid_sha_1_hash', 'an md5-length digest', { hashType: 'sha_1', hash: MD5 }],
  ['invalid_sha_512_hash', 'a sha1-length digest', { hashType: 'sha_512', hash: SHA1 }],
  ['invalid_prepend_salt', 'over 256 bytes', { hashType: 'md_5', hash: MD5, md5Config: { prependSalt: 'ü'.repeat(129) } }],
  ['invalid_prepend_salt', 'a lone surrogate', { hashType: 'sha_1', hash: SHA1, sha1Config: { prependSalt: '\ud800' } }],
  ['invalid_prepend_salt', 'not a string', { hashType: 'md_5', hash: MD5, md5Config: { prependSalt: 5 as unknown as string } }],
  ['invalid_append_salt', 'over 256 bytes', { hashType: 'md_5', hash: MD5, md5Config: { appendSalt: 'x'.repeat(257) } }],
  ['invalid_append_salt', 'a lone surrogate', { hashType: 'md_5', hash: MD5, md5Config: { appendSalt: 'a\udc00' } }],
  ['invalid_argon_2_salt', 'missing', argon2({ salt: undefined })],
  ['invalid_argon_2_salt', 'under 8 bytes', argon2({ salt: 'short' })],
  ['invalid_argon_2_salt', 'over 64 bytes', argon2({ salt: 's'.repeat(65) })],
  ['invalid_argon_2_salt', 'PHC salt under 8 bytes', { hashType: 'argon_2id', hash: ARGON2ID_PHC.replace(/\$[^$]+\$([^$]+)$/, '$c2FsdA$$$1') }],
  ['invalid_argon_2_iteration_amount', '11', argon2({ iterationAmount: 11 })],
  ['invalid_argon_2_iteration_amount', '0', argon2({ iterationAmount: 0 })],
  ['invalid_argon_2_iteration_amount', 'missing', argon2({ iterationAmount: undefined })],
  ['invalid_argon_2_iteration_amount', 'not an integer', argon2({ iterationAmount: 1.5 })],
  ['invalid_argon_2_iteration_amount', 'PHC t=11', { hashType: 'argon_2id', hash: phc(1024, 11, 1) }],
  ['invalid_argon_2_memory', 'over 256 MiB', argon2({ memory: 262145 })],
  ['invalid_argon_2_memory', 'under 8 KiB per thread', argon2({ memory: 31, threads: 4 })],
  ['invalid_argon_2_memory', 'PHC m=4 GiB', { hashType: 'argon_2id', hash: phc(4194304, 1, 1) }],
  ['invalid_argon_2_threads', '9', argon2({ threads: 9 })],
  ['invalid_argon_2_threads', '0', argon2({ threads: 0 })],
  ['invalid_argon_2_threads', 'PHC p=9', { hashType: 'argon_2id', hash: phc(1024, 1, 9) }],
  ['invalid_argon_2_key_length', '8 bytes (too easy to hit by chance)', argon2({ keyLength: 8 }, 'ab'.repeat(8))],
  ['invalid_argon_2_key_length', '8-byte hash, key_length absent', argon2({ keyLength: undefined }, 'ab'.repeat(8))],
  ['invalid_argon_2_key_length', 'over 128 bytes', argon2({ keyLength: 129 }, 'ab'.repeat(129))],
  ['argon_2_key_length_mismatch', '32 vs a 16-byte hash', argon2({ keyLength: 32 }, 'ab'.repeat(16))],
  ['invalid_base64_scrypt_hash', 'not base64', scrypt({}, 'not base64!')],
  ['invalid_base64_scrypt_hash', 'mixed alphabets', scrypt({}, `${B64_32.slice(0, -4)}+_AA`)],
  ['invalid_base64_scrypt_hash', 'non-canonical trailing bits', scrypt({ keyLength: undefined }, 'AAAAAAAAAAAAAAAAAAAAAB==')],
  ['invalid_base64_scrypt_hash', 'under 16 bytes', scrypt({ keyLength: 8 }, Buffer.alloc(8).toString('base64'))],
  ['invalid_base64_scrypt_salt', 'not base64', scrypt({ salt: '***' })],
  ['invalid_base64_scrypt_salt', 'missing', scrypt({ salt: undefined })],
  ['invalid_scrypt_n_parameter', 'not a power of two', scrypt({ nParameter: 1000 })],
  ['invalid_scrypt_n_parameter', 'N = 1', scrypt({ nParameter: 1 })],
  ['invalid_scrypt_n_parameter', 'N = 2^21', scrypt({ nParameter: 2 ** 21, rParameter: 1 })],
  ['invalid_scrypt_n_parameter', 'PHC ln=21', { hashType: 'scrypt', hash: fixture('scrypt PHC ln=10 r=8 p=1').hash.replace('ln=10', 'ln=21') }],
  ['invalid_scrypt_parameters', 'N = 2^20, r = 8: 1 GiB', scrypt({ nParameter: 2 ** 20 })],
  ['invalid_scrypt_parameters', 'p = 17 at N = 2^14, r = 8', scrypt({ nParameter: 2 ** 14, pParameter: 17 })],
  ['invalid_scrypt_parameters', 'r = 0', scrypt({ rParameter: 0 })],
  ['invalid_scrypt_parameters', 'PHC ln=18,r=8,p=2', { hashType: 'scrypt', hash: fixture('scrypt PHC ln=10 r=8 p=1').hash.replace('ln=10,r=8,p=1', 'ln=18,r=8,p=2') }],
  ['invalid_scrypt_salt_length', 'empty salt', scrypt({ salt: '' })],
  ['invalid_scrypt_salt_length', 'over 64 bytes', scrypt({ salt: Buffer.alloc(65).toString('base64') })],
  ['scrypt_key_length_mismatch', '64 vs 32', scrypt({ keyLength: 64 })],
  ['scrypt_key_length_mismatch', 'zero', scrypt({ keyLength: 0 })],
  ['invalid_pbkdf_2_hash', 'not base64', pbkdf2({}, '%%%')],
  ['invalid_pbkdf_2_hash', 'under 16 bytes', pbkdf2({ keyLength: 8 }, Buffer.alloc(8).toString('base64'))],
  ['invalid_pbkdf_2_salt', 'no config at all', { hashType: 'pbkdf_2', hash: B64_32 }],
  ['invalid_pbkdf_2_salt', 'not base64', pbkdf2({ salt: 'salt!' })],
  ['invalid_pbkdf_2_salt', 'empty', pbkdf2({ salt: '' })],
  ['invalid_pbkdf_2_iteration_amount', '0', pbkdf2({ iterationAmount: 0 })],
  ['invalid_pbkdf_2_iteration_amount', '10,000,001', pbkdf2({ iterationAmount: 10_000_001 })],
  ['invalid_pbkdf_2_iteration_amount', 'missing', pbkdf2({ iterationAmount: undefined })],
  ['invalid_pbkdf_2_algorithm', 'sha1', pbkdf2({ algorithm: 'sha1' })],
  ['invalid_pbkdf_2_algorithm', 'upper case', pbkdf2({ algorithm: 'SHA256' })],
  ['pbkdf_2_key_length_mismatch', '64 vs 32', pbkdf2({ keyLength: 64 })],
  ['invalid_phpass_hash_prefix', 'Drupal $S$', { hashType: 'phpass', hash: `$S$${PHPASS.slice(3)}` }],
  ['invalid_phpass_hash_prefix', 'a bcrypt string', { hashType: 'phpass', hash: BCRYPT }],
  ['invalid_phpass_hash_format', 'too short', { hashType: 'phpass', hash: PHPASS.slice(0, -1) }],
  ['invalid_phpass_hash_format', '2^17 rounds', { hashType: 'phpass', hash: `$P$F${PHPASS.slice(4)}` }],
  ['invalid_phpass_hash_format', '2^6 rounds', { hashType: 'phpass', hash: `$P$4${PHPASS.slice(4)}` }],
  ['invalid_phpass_hash_format', 'non-canonical last character', { hashType: 'phpass', hash: `${PHPASS.slice(0, -1)}z` }],
  ['invalid_phpass_hash_format', 'character outside the alphabet', { hashType: 'phpass', hash: `${PHPASS.slice(0, 10)}+${PHPASS.slice(11)}` }],
];

const ALL_MIGRATE_ERRORS: readonly ErrorType[] = [
  'invalid_hash', 'invalid_hash_type', 'invalid_bcrypt_hash', 'invalid_bcrypt_cost', 'invalid_md_5_hash',
  'invalid_sha_1_hash', 'invalid_sha_512_hash', 'invalid_prepend_salt', 'invalid_append_salt',
  'invalid_argon_2_salt', 'invalid_argon_2_iteration_amount', 'invalid_argon_2_memory',
  'invalid_argon_2_threads', 'invalid_argon_2_key_length', 'argon_2_key_length_mismatch',
  'invalid_base64_scrypt_hash', 'invalid_base64_scrypt_salt', 'invalid_scrypt_n_parameter',
  'invalid_scrypt_parameters', 'invalid_scrypt_salt_length', 'scrypt_key_length_mismatch',
  'invalid_pbkdf_2_hash', 'invalid_pbkdf_2_salt', 'invalid_pbkdf_2_iteration_amount',
  'invalid_pbkdf_2_algorithm', 'pbkdf_2_key_length_mismatch', 'invalid_phpass_hash_prefix',
  'invalid_phpass_hash_format',
];

function expectError(type: ErrorType, input: MigrateHashInput): void {
  assert.throws(
    () => importHash(input),
    (err: unknown) => {
      assert.ok(err instanceof AuthError, `expected AuthError, got ${String(err)}`);
      assert.equal(err.type, type, err.message);
      assert.equal(err.status, 400);
      return true;
    },
  );
}

describe('legacy hashes: every migrate error type', () => {
  it('the table covers every invalid_* type of spec §4.2', () => {
    assert.deepEqual([...new Set(CASES.map(([type]) => type))].sort(), [...ALL_MIGRATE_ERRORS].sort());
  });
  for (const [type, what, input] of CASES) {
    it(`${type}: ${what}`, () => expectError(type, input));
  }
});

describe('legacy hashes: bounds are checked before any hashing', () => {
  it('importHash is synchronous and refuses huge work factors at once', () => {
    const huge: readonly (readonly [ErrorType, MigrateHashInput])[] = [
      ['invalid_bcrypt_cost', { hashType: 'bcrypt', hash: `$2b$31$${BCRYPT_TAIL}` }],
      ['invalid_scrypt_parameters', scrypt({ nParameter: 2 ** 20, rParameter: 64, pParameter: 64 })],
      ['invalid_argon_2_memory', argon2({ memory: 2 ** 31 })],
      ['invalid_pbkdf_2_iteration_amount', pbkdf2({ iterationAmount: 2 ** 31 })],
      ['invalid_phpass_hash_format', { hashType: 'phpass', hash: `$P$S${PHPASS.slice(4)}` }],
    ];
    const started = performance.now();
    for (const [type, input] of huge) expectError(type, input);
    // Any of these, if hashed, would take minutes or gigabytes.
    assert.ok(performance.now() - started < 100);
  });

  it('accepts the bounds themselves', () => {
    assert.doesNotThrow(() => importHash({ hashType: 'bcrypt', hash: `$2b$16$${BCRYPT_TAIL}` }));
    assert.doesNotThrow(() => importHash({ hashType: 'bcrypt', hash: `$2a$04$${BCRYPT_TAIL}` }));
    assert.doesNotThrow(() => importHash(argon2({ memory: 262144, iterationAmount: 10, threads: 8 })));
    assert.doesNotThrow(() => importHash({ hashType: 'argon_2id', hash: phc(262144, 10, 8) }));
    assert.doesNotThrow(() => importHash(scrypt({ nParameter: 2 ** 20, rParameter: 2, pParameter: 1 })));
    assert.doesNotThrow(() => importHash(scrypt({ nParameter: 2, rParameter: 1, pParameter: 1 })));
    assert.doesNotThrow(() => importHash(pbkdf2({ iterationAmount: 10_000_000 })));
    assert.doesNotThrow(() => importHash({ hashType: 'phpass', hash: `$P$E${PHPASS.slice(4)}` }));
    assert.doesNotThrow(() => importHash({ hashType: 'phpass', hash: `$H$5${PHPASS.slice(4)}` }));
  });
});

describe('legacy hashes: what is accepted', () => {
  it('base64 inputs may use either alphabet, with or without padding', async () => {
    const f = fixture('scrypt raw base64 N=16384 r=8 p=1');
    const c = f.config!.scrypt_config!;
    const urlSafe = (s: string) => s.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
    const stored = importHash({ ...toInput(f), hash: urlSafe(f.hash), scryptConfig: { ...toInput(f).scryptConfig, salt: urlSafe(c.salt!) } });
    assert.equal(stored, importHash(toInput(f)));
    assert.equal(await verifyStoredHash(stored, f.password), true);
  });

  it('key_length may be omitted (the hash length is used)', async () => {
    const f = fixture('pbkdf_2 sha512 i=5000 len=64');
    const input = toInput(f);
    const stored = importHash({ ...input, pbkdf2Config: { ...input.pbkdf2Config, keyLength: undefined } });
    assert.equal(await verifyStoredHash(stored, f.password), true);
  });

  it('an empty pbkdf2 algorithm means sha256 (a client sending an unset field)', () => {
    assert.match(importHash(pbkdf2({ algorithm: '' })), /^\$postern-pbkdf2-sha256\$/);
  });

  it('configs of other hash types are ignored', async () => {
    const f = fixture('md_5 no salt');
    const stored = importHash({ ...toInput(f), sha1Config: { prependSalt: 'x'.repeat(999) }, pbkdf2Config: { salt: '!' } });
    assert.equal(await verifyStoredHash(stored, f.password), true);
  });

  it('md5/sha salts: absent and empty both mean no salt', () => {
    assert.equal(
      importHash({ hashType: 'md_5', hash: MD5 }),
      importHash({ hashType: 'md_5', hash: MD5, md5Config: { prependSalt: '', appendSalt: '' } }),
    );
  });
});
