import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { cachingStatements } from '../../src/storage/sqlite-statements.js';

function memory() {
  const file = new SQLite(':memory:');
  file.exec('create table t (id integer primary key, v text not null)');
  return file;
}

describe('SQLite statement cache', () => {
  it('hands out the same prepared statement for the same SQL, and a new one for other SQL', () => {
    const db = cachingStatements(memory());
    const a = db.prepare('select v from t where id = ?');
    assert.equal(db.prepare('select v from t where id = ?'), a);
    assert.notEqual(db.prepare('select id from t where v = ?'), a);
    assert.equal(db.cached, 2);
    db.close();
  });

  it('keeps at most `max` statements, dropping the least recently used', () => {
    const db = cachingStatements(memory(), 2);
    const one = db.prepare('select 1');
    db.prepare('select 2');
    assert.equal(db.prepare('select 1'), one); // now most recently used
    db.prepare('select 3'); // evicts "select 2"
    assert.equal(db.cached, 2);
    assert.equal(db.prepare('select 1'), one);
    const two = db.prepare('select 2');
    assert.equal(db.prepare('select 2'), two);
    assert.equal(db.cached, 2);
    db.close();
  });

  it('never shares a statement that is still iterating', () => {
    const db = cachingStatements(memory());
    db.prepare('insert into t (v) values (?)').run(['a']);
    db.prepare('insert into t (v) values (?)').run(['b']);
    const text = 'select v from t order by id';
    const first = db.prepare(text);
    const iter = first.iterate([]);
    assert.deepEqual(iter.next().value, { v: 'a' });
    const second = db.prepare(text);
    assert.notEqual(second, first);
    assert.deepEqual(second.all([]), [{ v: 'a' }, { v: 'b' }]);
    assert.deepEqual(iter.next().value, { v: 'b' });
    assert.equal(iter.next().done, true);
    assert.equal(db.prepare(text), first);
    db.close();
  });

  it('serves Kysely: reused statements see new rows, failed statements stay usable, schema changes are picked up', async () => {
    const db = new Kysely<{ t: { id: number; v: string } }>({ dialect: new SqliteDialect({ database: cachingStatements(memory()) }) });
    const insert = (id: number, v: string) => db.insertInto('t').values({ id, v }).execute();
    const read = () => db.selectFrom('t').selectAll().orderBy('id').execute();
    await insert(1, 'a');
    assert.deepEqual(await read(), [{ id: 1, v: 'a' }]);
    await insert(2, 'b');
    assert.deepEqual(await read(), [{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
    await assert.rejects(insert(2, 'again'), /UNIQUE/);
    await insert(3, 'c');
    assert.equal((await read()).length, 3);
    // A cached `select *` after a column is added returns the new column.
    await sql`alter table t add column w text not null default 'x'`.execute(db);
    assert.deepEqual((await read())[0], { id: 1, v: 'a', w: 'x' });
    // Inside a transaction (begin/commit are cached statements too), and after a rollback.
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 4, v: 'd' }).execute();
    });
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 5, v: 'e' }).execute();
        throw new Error('undo');
      }),
      /undo/,
    );
    assert.deepEqual((await read()).map((r) => r.id), [1, 2, 3, 4]);
    await db.destroy();
  });
});
