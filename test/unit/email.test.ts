import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthError } from '../../src/errors.js';
import { normalizeEmail } from '../../src/users/email.js';

describe('normalizeEmail', () => {
  it('trims and lowercases', () => {
    assert.equal(normalizeEmail('  Ada.Lovelace+x@Example.COM '), 'ada.lovelace+x@example.com');
  });

  for (const ok of ['a@b.co', "o'neil@example.org", 'x_y-z@sub.domain.example', 'user@xn--bcher-kva.example']) {
    it(`accepts ${ok}`, () => assert.equal(normalizeEmail(ok), ok.toLowerCase()));
  }

  const bad = ['', 'plain', '@example.com', 'a@', 'a@b', 'a@b.', 'a@.com', 'a b@example.com', 'a@exa mple.com', '.a@example.com', 'a.@example.com', 'a..b@example.com', 'a@-x.com', 'a@x-.com', 'a@example.123', 'a@@example.com', 'a\u0000@example.com', `${'x'.repeat(65)}@example.com`, `a@${'x'.repeat(250)}.com`];
  for (const input of bad) {
    it(`refuses ${JSON.stringify(input).slice(0, 40)}`, () => {
      assert.throws(() => normalizeEmail(input), (err: unknown) => err instanceof AuthError && err.type === 'invalid_email');
    });
  }
});
