/**
 * Opens the store named by the configuration: PostgreSQL when a URL is given, otherwise the
 * embedded SQLite file `postern.sqlite` in the data dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import type { Store } from './store.js';
import { KyselyStore } from './kysely/store.js';
import { migrationProvider } from './migrations/index.js';
import { cachingStatements } from './sqlite-statements.js';

export interface StoreTarget {
  dataDir: string;
  databaseUrl: string | undefined;
}

export interface OpenedStore {
  store: Store;
  dialect: 'sqlite' | 'postgres';
  /** Applies every pending migration (under Kysely's migration lock). */
  migrate(): Promise<void>;
}

// BIGINT columns (type oid 20) hold millisecond timestamps, well inside 2^53; parse them as
// numbers for this pool only, leaving pg's global parsers alone.
const BIGINT_OID = 20;
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === BIGINT_OID ? Number : (pg.types.getTypeParser(oid, format ?? 'text') as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

export function openStore(target: StoreTarget): OpenedStore {
  let db: Kysely<Database>;
  let dialect: OpenedStore['dialect'];
  let checkPresent: (() => Promise<void>) | undefined;
  if (target.databaseUrl) {
    dialect = 'postgres';
    const pool = new pg.Pool({ connectionString: target.databaseUrl, max: 10, types: pgTypes });
    // An idle connection the server drops (restart, failover) must not crash the process: the
    // pool discards it, and the next query opens a new one or reports its own error.
    pool.on('error', () => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    dialect = 'sqlite';
    fs.mkdirSync(target.dataDir, { recursive: true });
    const filePath = path.join(target.dataDir, 'postern.sqlite');
    const file = new SQLite(filePath);
    // SQLite keeps the file it opened: deleted or replaced under a running server, queries still
    // answer (`SELECT 1` reads no page at all) and writes go to a file gone at the next start.
    // The readiness ping therefore also checks that the path still names the file open here.
    const opened = fs.statSync(filePath);
    checkPresent = async () => {
      const now = await fs.promises.stat(filePath);
      if (now.ino !== opened.ino || now.dev !== opened.dev) throw new Error(`${filePath} is no longer the database file this process opened`);
    };
    file.pragma('journal_mode = WAL');
    file.pragma('busy_timeout = 5000');
    file.pragma('foreign_keys = ON');
    file.pragma('synchronous = NORMAL');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(file) }) });
  }
  return {
    store: new KyselyStore(db, () => db.destroy(), checkPresent),
    dialect,
    async migrate() {
      const migrator = new Migrator({ db, provider: migrationProvider });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
    },
  };
}
