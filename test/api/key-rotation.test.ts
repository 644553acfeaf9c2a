/**
 * Signing-key rotation: the new key is published before it signs, so a JWKS cached right
 * after the rotation verifies both the old key's JWTs and the new key's; the old key stays
 * published until its last JWT has expired, then a JWT it signed is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { PREPUBLISH_MS, listSigningKeys, rotateSigningKey } from '../../src/sessions/rotation.js';
import { DIALECTS, startTestServer, type FixedClock, type TestServer } from '../helpers/server.js';
import { STRONG, expectError, expectOk, newEmail, wholeSecondClock } from './support.js';

for (const dialect of DIALECTS) {
  describe(`signing-key rotation (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    before(async () => {
      clock = wholeSecondClock();
      s = await startTestServer(dialect, { clock });
    });
    after(() => s.close());

    const jwks = async () => (await s.request('GET', `/v1/sessions/jwks/${s.projectId}`, undefined, { auth: null })).body as JSONWebKeySet;
    const kids = async () => (await jwks()).keys.map((k) => k.kid).sort();
    const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;
    /** What an SDK does with a JWKS it cached: verify locally, at the server's notion of now. */
    const verifyWith = (set: JSONWebKeySet, jwt: string) =>
      jwtVerify(jwt, createLocalJWKSet(set), { audience: s.projectId, issuer: `stytch.com/${s.projectId}`, typ: 'JWT', currentDate: new Date(clock.now()) });

    it('publishes ahead, switches, overlaps, then drops the old key', async () => {
      const email = newEmail('rot');
      const first = await s.request('POST', '/v1/passwords', { email, password: STRONG[0], session_duration_minutes: 600 });
      expectOk(first);
      const oldKid = kidOf(first.body.session_jwt)!;

      const project = (await s.postern.projects.get(s.projectId))!;
      const { kid: newKid, signsFrom } = await rotateSigningKey(s.postern.store, project, clock.now());
      assert.equal(signsFrom, clock.now() + PREPUBLISH_MS);
      clock.advance(31_000);
      const cached = await jwks(); // an SDK fetches the JWKS now and keeps it
      assert.deepEqual(cached.keys.map((k) => k.kid).sort(), [oldKid, newKid].sort());
      const before = await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0], session_duration_minutes: 600 });
      assert.equal(kidOf(before.body.session_jwt), oldKid, 'the new key does not sign before its time');
      assert.equal((await listSigningKeys(s.postern.store, s.projectId, clock.now())).find((k) => k.kid === newKid)?.state, 'next');

      clock.advance(PREPUBLISH_MS);
      const after = await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0], session_duration_minutes: 600 });
      assert.equal(kidOf(after.body.session_jwt), newKid);
      await verifyWith(cached, after.body.session_jwt); // no refetch needed
      expectOk(await s.request('POST', '/v1/sessions/authenticate', { session_jwt: before.body.session_jwt }));
      assert.deepEqual(await kids(), [oldKid, newKid].sort());

      clock.advance(6 * 60_000); // past the old key's retirement plus a JWT lifetime
      assert.deepEqual(await kids(), [newKid]);
      expectError(await s.request('POST', '/v1/sessions/authenticate', { session_jwt: before.body.session_jwt }), 401, 'unauthorized_credentials');
      expectOk(await s.request('POST', '/v1/sessions/authenticate', { session_jwt: after.body.session_jwt }));
      expectOk(await s.request('POST', '/v1/sessions/authenticate', { session_token: first.body.session_token }));
      const states = await listSigningKeys(s.postern.store, s.projectId, clock.now());
      assert.deepEqual(states.map((k) => [k.kid, k.state]).sort(), [[newKid, 'current'], [oldKid, 'gone']].sort());
    });

    it('--immediate: the new key signs as soon as caches reload', async () => {
      const project = (await s.postern.projects.get(s.projectId))!;
      const { kid } = await rotateSigningKey(s.postern.store, project, clock.now(), { immediate: true });
      clock.advance(31_000);
      const res = await s.request('POST', '/v1/passwords', { email: newEmail('imm'), password: STRONG[1], session_duration_minutes: 60 });
      assert.equal(kidOf(res.body.session_jwt), kid);
    });
  });
}
