import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthError } from '../../src/errors.js';
import { applyCustomClaims } from '../../src/sessions/claims.js';

function errorType(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AuthError);
    return err.type;
  }
  assert.fail('expected an AuthError');
}

describe('session custom claims', () => {
  it('leaves the claims alone when no patch is given', () => {
    const existing = { a: 1 };
    assert.equal(applyCustomClaims(existing, undefined), existing);
  });

  it('adds, replaces and deletes top-level keys', () => {
    assert.deepEqual(applyCustomClaims({ a: 1, b: 2, c: 3 }, { a: 10, b: null, d: 'x' }), { a: 10, c: 3, d: 'x' });
  });

  it('merges nested objects recursively, null deleting nested keys', () => {
    const merged = applyCustomClaims(
      { org: { id: 'o1', plan: 'free', flags: { beta: true, old: 1 } }, list: [1, 2] },
      { org: { plan: 'pro', flags: { old: null, new: 2 } }, list: [3] },
    );
    assert.deepEqual(merged, { org: { id: 'o1', plan: 'pro', flags: { beta: true, new: 2 } }, list: [3] });
  });

  it('does not modify its inputs', () => {
    const existing = { org: { plan: 'free' } };
    const patch = { org: { plan: 'pro' } };
    applyCustomClaims(existing, patch);
    assert.deepEqual(existing, { org: { plan: 'free' } });
    assert.deepEqual(patch, { org: { plan: 'pro' } });
  });

  it('drops reserved registered names and the Stytch namespace silently', () => {
    const merged = applyCustomClaims(
      {},
      { iss: 'x', sub: 'x', aud: 'x', exp: 1, nbf: 1, iat: 1, jti: 'x', 'https://stytch.com/session': {}, 'https://stytch.com/other': 1, ok: true },
    );
    assert.deepEqual(merged, { ok: true });
  });

  it('ignores a __proto__ key rather than touching the prototype', () => {
    const merged = applyCustomClaims({}, JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>);
    assert.deepEqual(merged, { x: 1 });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('accepts exactly 4096 bytes of UTF-8 JSON and refuses 4097', () => {
    // {"k":"…"} is 8 bytes of framing.
    const at = { k: 'a'.repeat(4096 - 8) };
    assert.equal(Buffer.byteLength(JSON.stringify(at)), 4096);
    assert.deepEqual(applyCustomClaims({}, at), at);
    assert.equal(errorType(() => applyCustomClaims({}, { k: 'a'.repeat(4096 - 7) })), 'custom_claims_too_large');
  });

  it('counts multi-byte characters as their UTF-8 bytes', () => {
    // 'é' is two bytes: 2044 of them plus 8 framing bytes = 4096.
    assert.doesNotThrow(() => applyCustomClaims({}, { k: 'é'.repeat(2044) }));
    assert.equal(errorType(() => applyCustomClaims({}, { k: 'é'.repeat(2045) })), 'custom_claims_too_large');
  });

  it('measures the merged claims, not the patch alone', () => {
    const existing = { big: 'a'.repeat(3000) };
    assert.equal(errorType(() => applyCustomClaims(existing, { more: 'b'.repeat(1200) })), 'custom_claims_too_large');
    assert.doesNotThrow(() => applyCustomClaims(existing, { big: null, more: 'b'.repeat(1200) }));
  });
});
