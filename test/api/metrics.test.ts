/**
 * GET /metrics: Prometheus text with requests by route pattern, method and status, latency
 * histograms, the hash pool's queue and refusals, sessions started and lockouts; bounded
 * labels (patterns, never ids); POSTERN_METRICS=off removes the route.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { parseMetrics, sample, scrape } from '../helpers/prometheus.js';
import { STRONG, WRONG, expectError, expectOk, newEmail } from './support.js';

for (const dialect of DIALECTS) {
  describe(`metrics (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect, { env: { POSTERN_HASH_WORKERS: '1', POSTERN_HASH_QUEUE: '1' } });
    });
    after(() => s.close());

    it('answers Prometheus text, unauthenticated, with the process metrics', async () => {
      const res = await fetch(`${s.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      assert.match(text, /^# HELP postern_http_requests_total /m);
      assert.match(text, /^# TYPE postern_http_request_duration_seconds histogram$/m);
      const samples = parseMetrics(text);
      assert.ok(sample(samples, 'process_cpu_user_seconds_total') > 0, 'Node process metrics are there');
      assert.equal(sample(samples, 'postern_hash_pool_workers'), 1);
      assert.equal(sample(samples, 'postern_hash_pool_queue_limit'), 1);
      assert.equal(sample(samples, 'postern_hash_pool_queue_depth'), 0);
    });

    it('counts requests and latency by route pattern, method and status; ids never appear', async () => {
      const before = await scrape(s.url);
      const email = newEmail('metrics');
      const created = await s.request('POST', '/v1/passwords', { email, password: STRONG[0], session_duration_minutes: 60 });
      expectOk(created);
      expectOk(await s.request('GET', `/v1/users/${created.body.user_id as string}`));
      expectError(await s.request('GET', '/v1/users/user-test-00000000-0000-4000-8000-000000000000'), 404, 'user_not_found');
      expectError(await s.request('GET', '/v1/nothing-here'), 404, 'route_not_found');
      const res = await fetch(`${s.url}/metrics`);
      const text = await res.text();
      const after = parseMetrics(text);
      const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);

      assert.equal(delta('postern_http_requests_total', { route: '/v1/passwords', method: 'POST', status: '200' }), 1);
      assert.equal(delta('postern_http_requests_total', { route: '/v1/users/:user_id', method: 'GET', status: '200' }), 1);
      assert.equal(delta('postern_http_requests_total', { route: '/v1/users/:user_id', method: 'GET', status: '404' }), 1);
      assert.equal(delta('postern_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }), 1);
      assert.equal(delta('postern_http_request_duration_seconds_count', { route: '/v1/users/:user_id', method: 'GET' }), 2);
      assert.equal(delta('postern_http_request_duration_seconds_bucket', { route: '/v1/passwords', method: 'POST', le: '+Inf' }), 1);
      assert.ok(delta('postern_http_request_duration_seconds_sum', { route: '/v1/passwords', method: 'POST' }) > 0);
      assert.equal(delta('postern_sessions_started_total', {}), 1);
      assert.ok(!text.includes(created.body.user_id as string), 'no user id in the labels');
      assert.ok(!text.includes('nothing-here'), 'no raw URL in the labels');
      assert.ok(!text.includes(s.projectId), 'no project id in the labels');
    });

    it('counts sessions started by logins and one lockout per lock', async () => {
      const other = await s.createProject();
      await s.postern.projects.set(other.projectId, ['lock_threshold=3']);
      const auth = 'Basic ' + Buffer.from(`${other.projectId}:${other.secret}`).toString('base64');
      const email = newEmail('lock');
      expectOk(await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }, { auth }));
      const before = await scrape(s.url);
      expectOk(await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0], session_duration_minutes: 30 }, { auth }));
      expectOk(await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0] }, { auth }));
      for (let i = 0; i < 3; i++) expectError(await s.request('POST', '/v1/passwords/authenticate', { email, password: WRONG }, { auth }), 401, 'unauthorized_credentials');
      const locked = await s.request('POST', '/v1/passwords/authenticate', { email, password: WRONG }, { auth });
      assert.equal(locked.body.error_type, 'user_lock_limit_reached');
      const after = await scrape(s.url);
      assert.equal(sample(after, 'postern_sessions_started_total') - sample(before, 'postern_sessions_started_total'), 1, 'a login without a duration starts none');
      assert.equal(sample(after, 'postern_user_lockouts_total') - sample(before, 'postern_user_lockouts_total'), 1, 'one lock, however many failures follow');
      const by401 = { route: '/v1/passwords/authenticate', method: 'POST', status: '401' };
      assert.equal(sample(after, 'postern_http_requests_total', by401) - sample(before, 'postern_http_requests_total', by401), 3);
    });

    it('counts the hashes the full queue refused, as the 429s answered', async () => {
      const before = await scrape(s.url);
      const results = await Promise.all(Array.from({ length: 12 }, () => s.request('POST', '/v1/passwords', { email: newEmail('flood'), password: STRONG[1] })));
      const refused = results.filter((r) => r.status === 429).length;
      assert.ok(refused > 0, `with one worker and a queue of one, some of 12 concurrent sign-ups are refused (${results.map((r) => r.status).join(',')})`);
      const after = await scrape(s.url);
      assert.equal(sample(after, 'postern_hash_pool_rejected_total') - sample(before, 'postern_hash_pool_rejected_total'), refused);
      assert.ok(sample(after, 'postern_hash_pool_completed_total') - sample(before, 'postern_hash_pool_completed_total') >= 12 - refused);
      const by429 = { route: '/v1/passwords', method: 'POST', status: '429' };
      assert.equal(sample(after, 'postern_http_requests_total', by429) - sample(before, 'postern_http_requests_total', by429), refused);
    });
  });
}

describe('POSTERN_METRICS', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('sqlite', { env: { POSTERN_METRICS: 'off' } });
  });
  after(() => s.close());

  it('off: no /metrics route', async () => {
    expectError(await s.request('GET', '/metrics', undefined, { auth: null }), 404, 'route_not_found');
    assert.equal((await s.request('GET', '/readyz', undefined, { auth: null })).status, 200, 'readiness stays');
  });

  it('accepts on and off only', () => {
    assert.equal(loadConfig({}).metrics, true);
    assert.equal(loadConfig({ POSTERN_METRICS: 'on' }).metrics, true);
    assert.equal(loadConfig({ POSTERN_METRICS: 'off' }).metrics, false);
    assert.throws(() => loadConfig({ POSTERN_METRICS: 'maybe' }), (err: unknown) => err instanceof ConfigError && /POSTERN_METRICS/.test(err.message));
  });
});
