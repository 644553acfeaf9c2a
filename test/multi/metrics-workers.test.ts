/**
 * `postern serve --workers 2`: a scrape of /metrics, whichever worker answers it, counts the
 * requests of every worker (the primary gathers and sums their registries).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startServe } from '../helpers/processes.js';
import { sample, scrape } from '../helpers/prometheus.js';

describe('metrics across serve --workers', () => {
  it('every scrape sums the requests of both workers', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-metrics-workers-'));
    const server = await startServe({ POSTERN_DATA_DIR: dataDir, POSTERN_HASH_WORKERS: '1' }, ['--workers', '2']);
    try {
      const N = 40;
      // New connections each, so the primary spreads them over both workers.
      for (let i = 0; i < N; i++) assert.equal((await fetch(`${server.url}/healthz`, { headers: { connection: 'close' } })).status, 200);
      for (let i = 0; i < 4; i++) {
        const samples = await scrape(server.url);
        assert.equal(sample(samples, 'postern_http_requests_total', { route: '/healthz', method: 'GET', status: '200' }), N, `scrape ${i + 1} counts every worker's requests`);
        assert.equal(sample(samples, 'postern_hash_pool_workers'), 2, 'one hash thread in each of the two workers');
      }
    } finally {
      assert.equal(await server.stop(), 0);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
