/**
 * Enumeration protection (opt-in per project): an unknown email, a user without a password, a
 * locked user and a wrong password get the same answer, after the same hashing work. The timing
 * test compares the two distributions with a Mann-Whitney U test on interleaved samples.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, WRONG, expectError, expectOk, newEmail } from '../api/support.js';

/** |z| of the Mann-Whitney U statistic of two samples (normal approximation, ties averaged). */
function mannWhitneyZ(a: number[], b: number[]): number {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let rankSumA = 0;
  all.forEach((x, i) => {
    if (x.g === 0) rankSumA += ranks[i]!;
  });
  const n1 = a.length;
  const n2 = b.length;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
  return Math.abs((u - mean) / sd);
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

for (const dialect of DIALECTS) {
  describe(`enumeration protection (${dialect})`, () => {
    let s: TestServer;
    let known: string;
    before(async () => {
      // A short floor keeps the timing test quick; production's default is 250 ms.
      s = await startTestServer(dialect, { env: { POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '0', POSTERN_RATE_LIMIT_IP_PER_MINUTE: '0', POSTERN_ENUMERATION_FLOOR_MS: '60' } });
      known = newEmail('known');
      expectOk(await s.request('POST', '/v1/passwords', { email: known, password: STRONG[0] }));
    });
    after(() => s.close());

    const login = (email: string, password: string) => s.request('POST', '/v1/passwords/authenticate', { email, password });
    const strip = (body: Record<string, unknown>) => ({ ...body, request_id: undefined });

    it('off (the default): Stytch answers, email_not_found', async () => {
      expectError(await login(newEmail('nobody'), WRONG), 404, 'email_not_found');
    });

    it('on: unknown email, no password, locked and wrong password are indistinguishable', async () => {
      await s.postern.projects.set(s.projectId, ['enumeration_protection=true', 'lock_threshold=2']);
      try {
        const wrong = await login(known, WRONG);
        expectError(wrong, 401, 'unauthorized_credentials');
        const unknown = await login(newEmail('nobody'), WRONG);
        expectError(unknown, 401, 'unauthorized_credentials');
        assert.deepEqual(strip(unknown.body), strip(wrong.body));

        const nopw = newEmail('nopw');
        assert.equal(
          await s.postern.store.insertUser({
            id: `user-test-${randomUUID()}`, projectId: s.projectId, status: 'active', name: { firstName: '', middleName: '', lastName: '' },
            email: { id: `email-test-${randomUUID()}`, email: nopw, verified: false }, trustedMetadata: {}, untrustedMetadata: {}, externalId: null, roles: [], createdAt: Date.now(),
          }),
          'inserted',
        );
        assert.deepEqual(strip((await login(nopw, WRONG)).body), strip(wrong.body));

        const lockedEmail = newEmail('locked');
        expectOk(await s.request('POST', '/v1/passwords', { email: lockedEmail, password: STRONG[1] }));
        await login(lockedEmail, WRONG);
        await login(lockedEmail, WRONG);
        const locked = await login(lockedEmail, STRONG[1]);
        assert.deepEqual(strip(locked.body), strip(wrong.body), 'a locked account answers like a wrong password');

        const reset = await s.request('POST', '/v1/passwords/existing_password/reset', { email: newEmail('nobody'), existing_password: WRONG, new_password: STRONG[2] });
        assert.deepEqual(strip(reset.body), strip(wrong.body));

        const start = await s.request('POST', '/v1/passwords/email/reset/start', {
          email: newEmail('nobody'), reset_password_redirect_url: 'https://app.example.com/r', login_redirect_url: 'https://app.example.com/l',
        });
        expectOk(start);
        assert.equal(start.body.user_id, '');
        assert.equal(start.body.email_id, '');
      } finally {
        await s.postern.projects.set(s.projectId, ['enumeration_protection=false', 'lock_threshold=10']);
      }
    });

    it('on: the timing of an unknown email and of a wrong password cannot be told apart', async () => {
      await s.postern.projects.set(s.projectId, ['enumeration_protection=true', 'lock_threshold=100']);
      try {
        const timed = async (email: string) => {
          const t = performance.now();
          const res = await login(email, WRONG);
          const ms = performance.now() - t;
          assert.equal(res.status, 401);
          return ms;
        };
        for (let i = 0; i < 5; i++) await timed(newEmail('warm')); // JIT, dummy hash, connections
        const probe = newEmail('probe');
        const unknown: number[] = [];
        const wrong: number[] = [];
        // Interleaved, so that machine noise hits both samples alike. Each wrong password
        // counts toward the lock; 60 stay under the threshold of 100.
        for (let i = 0; i < 60; i++) {
          unknown.push(await timed(probe));
          wrong.push(await timed(known));
        }
        const z = mannWhitneyZ(unknown, wrong);
        // Without the floor the database work alone separates them (z ≈ 5 with these samples);
        // without the dummy hash too, by ~10 ms (z ≈ 9).
        assert.ok(z < 4, `distributions differ: z=${z.toFixed(2)}, medians ${median(unknown).toFixed(1)} vs ${median(wrong).toFixed(1)} ms`);
        assert.ok(median(unknown) >= 60 && median(wrong) >= 60, 'both wait for the floor');
      } finally {
        await s.postern.projects.set(s.projectId, ['enumeration_protection=false', 'lock_threshold=10']);
      }
    });
  });
}
