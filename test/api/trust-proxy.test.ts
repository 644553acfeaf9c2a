/**
 * POSTERN_TRUST_PROXY: X-Forwarded-For names the client (its per-address rate-limit bucket,
 * its audit-trail address) only when the connection comes from a trusted proxy; off by
 * default. Every server here has a per-address limit of 3 a minute, and each test uses a
 * project of its own, so its buckets are fresh.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, WRONG, authFor, expectError, expectOk, newEmail, wholeSecondClock, type Res } from './support.js';

const LIMIT = 3;
const env = { POSTERN_RATE_LIMIT_IP_PER_MINUTE: String(LIMIT), POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '1000' };

type Project = Awaited<ReturnType<TestServer['createProject']>>;

/** A per-address-limited /v1 call from the test's loopback connection, with this X-Forwarded-For. */
function strengthCheck(s: TestServer, p: Project, xff?: string): Promise<Res> {
  return s.request('POST', '/v1/passwords/strength_check', { password: STRONG[0] }, { auth: authFor(p), headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });
}

/** The same through the frontend routes, as a page's SDK would call (public token). */
function sdkUserSearch(s: TestServer, p: Project, xff?: string): Promise<Res> {
  const auth = 'Basic ' + Buffer.from(`${p.publicToken}:${p.publicToken}`).toString('base64');
  return s.request('POST', '/sdk/v1/users/search', { email: newEmail('sdk-ip') }, { auth, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });
}

async function exhaust(call: () => Promise<Res>): Promise<void> {
  for (let i = 0; i < LIMIT; i++) assert.equal((await call()).status, 200);
}

async function recordedAddresses(s: TestServer, projectId: string, n: number): Promise<string[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    await s.postern.events.flush();
    const rows = await s.query('SELECT client_address FROM auth_events WHERE project_id = ? ORDER BY created_at, id', [projectId]);
    if (rows.length >= n || Date.now() > deadline) return rows.map((r) => String(r.client_address));
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(dialect: (typeof DIALECTS)[number], trust?: string): Promise<TestServer> {
  const clock = wholeSecondClock();
  clock.set(clock.now() - (clock.now() % 60_000) + 5_000); // early in a minute: no window ends mid-test
  return startTestServer(dialect, { clock, env: trust === undefined ? env : { ...env, POSTERN_TRUST_PROXY: trust } });
}

for (const dialect of DIALECTS) {
  describe(`trusted proxies (${dialect})`, () => {
    let off: TestServer;
    let list: TestServer;
    let elsewhere: TestServer;
    let hops: TestServer;
    before(async () => {
      off = await start(dialect);
      list = await start(dialect, '10.0.0.0/8, 127.0.0.1, ::1');
      elsewhere = await start(dialect, '10.1.2.3,fd00::/8');
      hops = await start(dialect, '2');
    });
    after(async () => {
      await Promise.all([off, list, elsewhere, hops].map((s) => s.close()));
    });

    it('off by default: a varied X-Forwarded-For does not change the bucket, on /v1 and /sdk/v1', async () => {
      const p = await off.createProject();
      let n = 0;
      await exhaust(() => strengthCheck(off, p, `198.51.100.${++n}`));
      expectError(await strengthCheck(off, p, '198.51.100.99'), 429, 'too_many_requests');
      expectError(await strengthCheck(off, p), 429, 'too_many_requests');
      // The frontend routes share the project's per-address bucket.
      expectError(await sdkUserSearch(off, p, '203.0.113.5'), 429, 'too_many_requests');

      const q = await off.createProject();
      await exhaust(() => sdkUserSearch(off, q, `198.51.100.${++n}`));
      expectError(await sdkUserSearch(off, q, '192.0.2.1'), 429, 'too_many_requests');
    });

    it('a proxy list that does not include the peer: X-Forwarded-For is ignored', async () => {
      const p = await elsewhere.createProject();
      let n = 0;
      await exhaust(() => strengthCheck(elsewhere, p, `198.51.100.${++n}`));
      expectError(await strengthCheck(elsewhere, p, '198.51.100.50'), 429, 'too_many_requests');
    });

    it('the loopback trusted: each forwarded client has its own bucket, on /v1 and /sdk/v1', async () => {
      const p = await list.createProject();
      await exhaust(() => strengthCheck(list, p, '198.51.100.7'));
      expectError(await strengthCheck(list, p, '198.51.100.7'), 429, 'too_many_requests');
      expectOk(await strengthCheck(list, p, '198.51.100.8'));
      expectOk(await strengthCheck(list, p, '2001:db8::8'));
      // The loopback itself is another client, with a bucket of its own.
      expectOk(await strengthCheck(list, p));
      // A spoofed entry left of the untrusted client changes nothing: 198.51.100.7 is the
      // nearest address outside the trusted ranges, whatever the client wrote before it.
      expectError(await strengthCheck(list, p, '192.0.2.1, 198.51.100.7'), 429, 'too_many_requests');
      // Through a trusted inner proxy (10.x) the client is still found.
      expectError(await strengthCheck(list, p, '198.51.100.7, 10.9.9.9'), 429, 'too_many_requests');

      const q = await list.createProject();
      await exhaust(() => sdkUserSearch(list, q, '203.0.113.20'));
      expectError(await sdkUserSearch(list, q, '203.0.113.20'), 429, 'too_many_requests');
      const other = await sdkUserSearch(list, q, '203.0.113.21');
      assert.equal(other.status, 200, JSON.stringify(other.body));
    });

    it('the audit trail records the forwarded client behind a trusted proxy, the peer otherwise', async () => {
      const p = await list.createProject();
      const q = await off.createProject();
      expectError(await list.request('POST', '/v1/passwords/authenticate', { email: newEmail('xff'), password: WRONG }, { auth: authFor(p), headers: { 'x-forwarded-for': '198.51.100.77' } }), 404, 'email_not_found');
      expectError(await off.request('POST', '/v1/passwords/authenticate', { email: newEmail('xff'), password: WRONG }, { auth: authFor(q), headers: { 'x-forwarded-for': '198.51.100.77' } }), 404, 'email_not_found');
      assert.deepEqual(await recordedAddresses(list, p.projectId, 1), ['198.51.100.77']);
      assert.deepEqual(await recordedAddresses(off, q.projectId, 1), ['127.0.0.1']);
    });

    it('a hop count of 2: the client is the second address from the right, whatever comes before it', async () => {
      const p = await hops.createProject();
      let n = 0;
      // The connection (hop 1) and 10.0.0.2 (hop 2) are the proxies; 203.0.113.9 is the client.
      await exhaust(() => strengthCheck(hops, p, `192.0.2.${++n}, 203.0.113.9, 10.0.0.2`));
      expectError(await strengthCheck(hops, p, '192.0.2.200, 203.0.113.9, 10.0.0.2'), 429, 'too_many_requests');
      expectError(await strengthCheck(hops, p, '203.0.113.9, 10.0.0.3'), 429, 'too_many_requests');
      expectOk(await strengthCheck(hops, p, '203.0.113.10, 10.0.0.2'));
      // Fewer addresses than hops: the leftmost one is the client.
      expectOk(await strengthCheck(hops, p, '203.0.113.11'));
      expectError(await strengthCheck(hops, p, '203.0.113.9'), 429, 'too_many_requests');
    });
  });
}

describe('POSTERN_TRUST_PROXY parsing', () => {
  const parse = (value: string) => loadConfig({ POSTERN_TRUST_PROXY: value }).trustProxy;
  const problems = (value: string): string[] => {
    try {
      loadConfig({ POSTERN_TRUST_PROXY: value, POSTERN_BODY_LIMIT: '1' });
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.problems;
    }
    return assert.fail('expected a ConfigError');
  };

  it('unset, empty, false and 0 trust nobody; true trusts every peer; a number is a hop count', () => {
    assert.deepEqual(loadConfig({}).trustProxy, { mode: 'none' });
    for (const v of ['', 'false', 'FALSE', '0']) assert.deepEqual(parse(v), { mode: 'none' }, v);
    assert.deepEqual(parse('true'), { mode: 'all' });
    assert.deepEqual(parse('1'), { mode: 'hops', hops: 1 });
    assert.deepEqual(parse(' 3 '), { mode: 'hops', hops: 3 });
  });

  it('addresses and CIDR ranges, IPv4 and IPv6, comma-separated', () => {
    assert.deepEqual(parse('10.0.0.1, 192.168.0.0/16,::1,2001:db8::/32,loopback'), {
      mode: 'addresses',
      addresses: ['10.0.0.1', '192.168.0.0/16', '::1', '2001:db8::/32', 'loopback'],
    });
  });

  it('anything else is reported with the other problems at start', () => {
    for (const bad of ['yes', '10.0.0.256', '10.0.0.0/33', '10.0.0.0/0', '::1/129', '10.0.0.1,', 'example.com', '1.2.3', '-1', '1.5', '33', 'fe80::1%eth0']) {
      const found = problems(bad);
      assert.equal(found.length, 2, `${bad}: ${found.join('; ')}`);
      assert.ok(found.some((p) => p.startsWith('POSTERN_TRUST_PROXY')), `${bad}: ${found.join('; ')}`);
    }
  });
});
