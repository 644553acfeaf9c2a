/**
 * Liveness and readiness: /healthz answers while the process runs, without touching the
 * store; /readyz answers 200 only while the store answers a round trip, else 503
 * `server_unavailable` (a load balancer takes the instance out of rotation, and back): on
 * PostgreSQL when the database is dropped under the server, on SQLite when its file is deleted
 * or replaced.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import { expectError } from './support.js';

const PG_URL = process.env.POSTERN_TEST_DATABASE_URL;

for (const dialect of DIALECTS) {
  describe(`readiness (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());

    it('/readyz and /healthz answer 200 {status: "ok"} without credentials', async () => {
      for (const path of ['/readyz', '/healthz']) {
        const res = await s.request('GET', path, undefined, { auth: null });
        assert.equal(res.status, 200, path);
        assert.deepEqual(res.body, { status: 'ok' });
      }
    });
  });
}

describe('readiness when PostgreSQL goes away', { skip: PG_URL ? false : 'POSTERN_TEST_DATABASE_URL is not set' }, () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('postgres');
  });
  after(() => s.close());

  it('503 server_unavailable while the database is gone; /healthz stays 200', async () => {
    assert.equal((await s.request('GET', '/readyz', undefined, { auth: null })).status, 200);
    const name = new URL(s.databaseUrl!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      // Ends every connection of the server's pool and removes the database under it.
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    const started = Date.now();
    const res = await s.request('GET', '/readyz', undefined, { auth: null });
    expectError(res, 503, 'server_unavailable');
    assert.ok(Date.now() - started < 5_000, 'answered promptly');
    const again = await s.request('GET', '/readyz', undefined, { auth: null });
    expectError(again, 503, 'server_unavailable');
    assert.equal((await s.request('GET', '/healthz', undefined, { auth: null })).status, 200, 'the process itself is alive');
  });
});

describe('readiness when the SQLite file goes away', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer('sqlite');
  });
  afterEach(() => s.close());

  // SQLite keeps the file it opened: without the check, queries (and sign-ups) still succeed,
  // writing into a file that is gone at the next start.
  it('503 server_unavailable once the database file is deleted; /healthz stays 200', async () => {
    assert.equal((await s.request('GET', '/readyz', undefined, { auth: null })).status, 200);
    for (const name of fs.readdirSync(s.dataDir)) if (name.startsWith('postern.sqlite')) fs.rmSync(path.join(s.dataDir, name));
    expectError(await s.request('GET', '/readyz', undefined, { auth: null }), 503, 'server_unavailable');
    assert.equal((await s.request('GET', '/healthz', undefined, { auth: null })).status, 200, 'the process itself is alive');
  });

  it('503 server_unavailable once another file takes its place', async () => {
    const file = path.join(s.dataDir, 'postern.sqlite');
    fs.copyFileSync(file, `${file}.copy`);
    fs.renameSync(`${file}.copy`, file);
    expectError(await s.request('GET', '/readyz', undefined, { auth: null }), 503, 'server_unavailable');
  });
});
