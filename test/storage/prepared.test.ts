/**
 * Prepared queries (src/storage/kysely/prepared.ts): compiled once per dialect, then run with
 * each call's values; a builder that does anything but pass its arguments into value positions
 * is refused the first time it compiles.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteDialect,
  sql,
  type LogEvent,
} from 'kysely';
import { prepared } from '../../src/storage/kysely/prepared.js';
import type { Database } from '../../src/storage/schema.js';

function sqliteDb(log: LogEvent[] = []): Kysely<Database> {
  const file = new SQLite(':memory:');
  file.exec('create table rate_limit_counters (key text primary key, window_start integer not null, count integer not null)');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: file }), log: (e) => void log.push(e) });
}

/** A PostgreSQL-dialect database that runs nothing: for the SQL text and parameters only. */
function postgresDryRun(log: LogEvent[]): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (e) => void log.push(e),
  });
}

const hit = prepared('test.hit', (db, key: string, windowStart: number) =>
  db
    .insertInto('rate_limit_counters')
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql`case when rate_limit_counters.window_start = ${windowStart} then rate_limit_counters.count + 1 else 1 end`,
        window_start: windowStart,
      }),
    )
    .returning('count'),
);

const byWindowQuery = (db: Kysely<Database>, from: number, to: number) =>
  db.selectFrom('rate_limit_counters').select(['key', 'count']).where('window_start', '>=', from).where('window_start', '<', to).orderBy('key');
const byWindow = prepared('test.byWindow', byWindowQuery);

describe('prepared queries', () => {
  it('run with each call’s values, an argument used in several places included, and give what the built query gives', async () => {
    const db = sqliteDb();
    assert.equal((await hit.first(db, 'a', 60_000))?.count, 1);
    assert.equal((await hit.first(db, 'a', 60_000))?.count, 2);
    assert.equal((await hit.first(db, 'b', 60_000))?.count, 1);
    // The window argument appears three times in the SQL; a new window restarts the count.
    assert.equal((await hit.first(db, 'a', 120_000))?.count, 1);
    assert.deepEqual(await byWindow.rows(db, 0, 120_000), [{ key: 'b', count: 1 }]);
    assert.deepEqual(await byWindow.rows(db, 0, 180_000), await byWindowQuery(db, 0, 180_000).execute());
    assert.equal(await prepared('test.delete', (d, key: string) => d.deleteFrom('rate_limit_counters').where('key', '=', key)).affected(db, 'a'), 1n);
    await db.destroy();
  });

  it('inside a transaction use the transaction’s connection', async () => {
    const db = sqliteDb();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await hit.first(trx, 'tx', 60_000);
        assert.equal((await byWindow.rows(trx, 0, 120_000)).length, 1);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(await byWindow.rows(db, 0, 120_000), []);
    await db.destroy();
  });

  it('compile once per dialect: the same query gives each dialect its own SQL', async () => {
    const liteLog: LogEvent[] = [];
    const pgLog: LogEvent[] = [];
    const lite = sqliteDb(liteLog);
    const pgDb = postgresDryRun(pgLog);
    let builds = 0;
    const counted = prepared('test.counted', (db, from: number, to: number) => {
      builds++;
      return byWindowQuery(db, from, to);
    });
    await counted.rows(lite, 1, 2);
    await counted.rows(pgDb, 3, 4);
    await counted.rows(lite, 5, 6);
    await counted.rows(pgDb, 7, 8);
    assert.equal(builds, 2);
    assert.deepEqual(liteLog.map((e) => e.query.parameters), [[1, 2], [5, 6]]);
    assert.deepEqual(pgLog.map((e) => e.query.parameters), [[3, 4], [7, 8]]);
    assert.match(liteLog[0]!.query.sql, /"window_start" >= \? and "window_start" < \?/);
    assert.match(pgLog[0]!.query.sql, /"window_start" >= \$1 and "window_start" < \$2/);
    assert.equal(liteLog[1]!.query.sql, liteLog[0]!.query.sql);
    await lite.destroy();
  });

  it('refuse a builder that transforms, coerces or drops an argument', async () => {
    const db = sqliteDb();
    const transformed = prepared('test.transformed', (d, key: string) => d.selectFrom('rate_limit_counters').selectAll().where('key', '=', `k:${key}`));
    await assert.rejects(transformed.rows(db, 'x'), /test\.transformed: an argument was transformed/);
    const dropped = prepared('test.dropped', (d, _from: number, to: number) => d.selectFrom('rate_limit_counters').selectAll().where('window_start', '<', to));
    await assert.rejects(dropped.rows(db, 1, 2), /test\.dropped: 1 argument\(s\) never reach the SQL/);
    const coerced = prepared('test.coerced', (d, verified: boolean) => d.selectFrom('rate_limit_counters').selectAll().where('count', '=', verified ? 1 : 0));
    await assert.rejects(coerced.rows(db, true), /test\.coerced: 1 argument\(s\) never reach the SQL/);
    await db.destroy();
  });
});
