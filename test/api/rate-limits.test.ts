/**
 * Rate limits on the password routes: per email and per client address, fixed one-minute
 * windows, 429 too_many_requests with Retry-After, shared by every instance on one database
 * (and through Redis when REDIS_URL is set).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { createPostern, type Postern } from '../../src/main.js';
import { DIALECTS, startTestServer, type FixedClock, type TestServer } from '../helpers/server.js';
import { STRONG, WRONG, authFor, expectError, expectOk, newEmail, wholeSecondClock } from './support.js';

const REDIS_URL = process.env.POSTERN_TEST_REDIS_URL;

/** A second instance of Postern on the same database as `s`, listening on its own port. */
async function secondInstance(s: TestServer, env: Record<string, string>): Promise<{ postern: Postern; url: string }> {
  const config = loadConfig({ POSTERN_LOG_LEVEL: 'silent', ...env }, { dataDir: s.dataDir, databaseUrl: s.databaseUrl, port: 0 });
  const postern = await createPostern(config, { clock: s.clock });
  const url = (await postern.app.listen({ host: '127.0.0.1', port: 0 })).replace(/\/$/, '');
  return { postern, url };
}

async function post(url: string, auth: string, path: string, body: unknown) {
  const res = await fetch(url + path, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

for (const dialect of DIALECTS) {
  describe(`rate limits (${dialect})`, () => {
    let s: TestServer;
    let clock: FixedClock;
    const env = { POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '3', POSTERN_RATE_LIMIT_IP_PER_MINUTE: '12' };
    before(async () => {
      clock = wholeSecondClock();
      clock.set(clock.now() - (clock.now() % 60_000) + 10_000); // 10 s into a minute
      s = await startTestServer(dialect, { clock, env });
    });
    after(() => s.close());

    it('per email: the 4th request in a minute is 429 with Retry-After; other emails and the next window pass', async () => {
      const email = newEmail('rl');
      const other = newEmail('rl-other');
      expectOk(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }));
      expectError(await s.request('POST', '/v1/passwords/authenticate', { email, password: WRONG }), 401, 'unauthorized_credentials');
      expectOk(await s.request('POST', '/v1/passwords/authenticate', { email: email.toUpperCase(), password: STRONG[0] }));
      const limited = await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0] });
      expectError(limited, 429, 'too_many_requests');
      assert.equal(limited.headers.get('retry-after'), '50');
      expectError(await s.request('POST', '/v1/passwords/existing_password/reset', { email, existing_password: STRONG[0], new_password: STRONG[1] }), 429, 'too_many_requests');
      expectError(await s.request('POST', '/v1/passwords/authenticate', { email: other, password: STRONG[0] }), 404, 'email_not_found');
      clock.advance(50_000);
      expectOk(await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0] }));
    });

    it('per client address across emails; other routes are not counted', async () => {
      clock.advance(60_000);
      for (let i = 0; i < 12; i++) {
        expectError(await s.request('POST', '/v1/passwords/authenticate', { email: newEmail('ip'), password: WRONG }), 404, 'email_not_found');
      }
      expectError(await s.request('POST', '/v1/passwords/strength_check', { password: STRONG[0] }), 429, 'too_many_requests');
      expectOk(await s.request('GET', `/v1/sessions/jwks/${s.projectId}`, undefined, { auth: null }));
      // Another project's counters are its own.
      const p2 = await s.createProject();
      expectOk(await s.request('POST', '/v1/passwords/strength_check', { password: STRONG[0] }, { auth: authFor(p2) }));
    });

    it('two instances on one database share the counters', async () => {
      clock.advance(60_000);
      const second = await secondInstance(s, env);
      try {
        const email = newEmail('shared');
        const auth = authFor(s);
        for (let i = 0; i < 3; i++) {
          const url = i % 2 === 0 ? s.url : second.url;
          assert.equal((await post(url, auth, '/v1/passwords/authenticate', { email, password: WRONG })).status, 404);
        }
        const res = await post(second.url, auth, '/v1/passwords/authenticate', { email, password: WRONG });
        assert.equal(res.status, 429);
        assert.equal(res.body.error_type, 'too_many_requests');
      } finally {
        await second.postern.close();
      }
    });
  });
}

describe('rate limits through Redis', { skip: REDIS_URL ? false : 'POSTERN_TEST_REDIS_URL is not set' }, () => {
  let a: TestServer;
  const env = { POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '2', REDIS_URL: REDIS_URL ?? '' };
  before(async () => {
    a = await startTestServer('sqlite', { env });
  });
  after(() => a.close());

  it('instances share counters through Redis, and none are kept in the database', async () => {
    const b = await secondInstance(a, env);
    try {
      const email = newEmail('redis');
      const auth = authFor(a);
      assert.equal((await post(a.url, auth, '/v1/passwords/authenticate', { email, password: WRONG })).status, 404);
      assert.equal((await post(b.url, auth, '/v1/passwords/authenticate', { email, password: WRONG })).status, 404);
      const res = await post(a.url, auth, '/v1/passwords/authenticate', { email, password: WRONG });
      assert.equal(res.status, 429);
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
      assert.deepEqual(await a.query('select key from rate_limit_counters'), []);
    } finally {
      await b.postern.close();
    }
  });
});
