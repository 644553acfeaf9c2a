/**
 * A statement cache for Kysely's SQLite dialect. Kysely's SQLite driver calls
 * `database.prepare(sql)` for every query it runs, and better-sqlite3 parses and plans the SQL
 * each time: on the hot routes (a session authenticate runs 6 statements, a password
 * authenticate about 18) preparing cost about as much main-thread CPU as running the statements.
 * Kysely compiles a given query shape to the same SQL text every time, so prepared statements
 * are kept by their text and reused.
 *
 * - Bounded (least recently used out): SQL texts with `in (?, ?, …)` lists vary with the list's
 *   length, so the set of texts is not.
 * - A statement still iterating (a streamed query not finished, `busy`) is never handed out
 *   twice: the caller gets a fresh, uncached one.
 * - A schema change (a migration, here or by another process) is safe: SQLite re-prepares a
 *   stale statement by itself when it next runs.
 */
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

export const DEFAULT_STATEMENT_CACHE_SIZE = 256;

export function cachingStatements(db: SQLite.Database, max = DEFAULT_STATEMENT_CACHE_SIZE): SqliteDatabase & { readonly cached: number } {
  if (!(Number.isInteger(max) && max >= 1)) throw new Error('statement cache size must be a positive integer');
  const cache = new Map<string, SQLite.Statement>();
  return {
    get cached() {
      return cache.size;
    },
    close() {
      cache.clear();
      db.close();
    },
    prepare(sql: string) {
      const hit = cache.get(sql);
      if (hit) {
        if (hit.busy) return db.prepare(sql);
        // Map order is insertion order: re-inserting marks it most recently used.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql);
      cache.set(sql, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
      return stmt;
    },
  };
}
