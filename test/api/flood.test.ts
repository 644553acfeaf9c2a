/**
 * Admission control: a flood of password requests past the hash pool's queue gets immediate
 * 429s with Retry-After, while session authenticate and JWKS keep answering during the flood.
 * Assertions compare requests of the same run, never wall-clock thresholds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, expectOk, newEmail } from './support.js';

describe('password flood past capacity', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('sqlite', {
      env: { POSTERN_HASH_WORKERS: '1', POSTERN_HASH_QUEUE: '4', POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '0', POSTERN_RATE_LIMIT_IP_PER_MINUTE: '0' },
    });
  });
  after(() => s.close());

  it('answers the excess at once with 429 and Retry-After; cheap routes keep answering', async () => {
    const email = newEmail('flood');
    const created = await s.request('POST', '/v1/passwords', { email, password: STRONG[0], session_duration_minutes: 60 });
    expectOk(created);

    const t0 = performance.now();
    const timed = async <T>(p: Promise<T>) => {
      const r = await p;
      return { r, ms: performance.now() - t0 };
    };
    const flood = Array.from({ length: 60 }, () => timed(s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0] })));
    // While the pool is saturated: session authenticate (an RS256 signature) and JWKS.
    const cheap = await Promise.all([
      timed(s.request('POST', '/v1/sessions/authenticate', { session_token: created.body.session_token })),
      timed(s.request('GET', `/v1/sessions/jwks/${s.projectId}`, undefined, { auth: null })),
    ]);
    const results = await Promise.all(flood);

    const busy = results.filter((x) => x.r.status === 429);
    const served = results.filter((x) => x.r.status !== 429);
    assert.ok(busy.length > 0, 'some requests were refused');
    assert.ok(served.length >= 5, `the pool served what it admitted (${served.length})`);
    for (const x of busy) {
      assert.equal(x.r.body.error_type, 'too_many_requests');
      assert.ok(Number(x.r.headers.get('retry-after')) >= 1);
    }
    for (const x of served) assert.equal(x.r.status, 200, JSON.stringify(x.r.body));
    const lastServed = Math.max(...served.map((x) => x.ms));
    const slowestRefusal = Math.max(...busy.map((x) => x.ms));
    assert.ok(slowestRefusal < lastServed, `refusals (${slowestRefusal.toFixed(0)} ms) come before the admitted work ends (${lastServed.toFixed(0)} ms)`);
    for (const c of cheap) {
      assert.equal(c.r.status, 200);
      assert.ok(c.ms < lastServed, `a cheap route (${c.ms.toFixed(0)} ms) did not wait for the hashing (${lastServed.toFixed(0)} ms)`);
    }
  });
});
