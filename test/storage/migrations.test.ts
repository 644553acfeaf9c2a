/**
 * Migrations that move data: a database made by an older Postern keeps working after
 * `postern migrate`. 0006 moves each project's single secret into project_secrets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import { createHash } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrationProvider } from '../../src/storage/migrations/index.js';
import { openStore } from '../../src/storage/open.js';
import { ProjectService } from '../../src/projects/service.js';
import { FixedClock } from '../../src/clock.js';
import { DIALECTS, T0, createTestDatabase, type TestDatabase } from './fixtures.js';

for (const dialect of DIALECTS) {
  void describe(`migrations that move data (${dialect})`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(dialect);
    });
    after(() => db.drop());

    void it('0006: a project made before project_secrets keeps its secret, now its first of several', async () => {
      const raw = new Kysely<any>({
        dialect: db.target.databaseUrl
          ? new PostgresDialect({ pool: new pg.Pool({ connectionString: db.target.databaseUrl, max: 1 }) })
          : new SqliteDialect({ database: new SQLite(path.join(db.target.dataDir, 'postern.sqlite')) }),
      });
      const projectId = 'project-test-0b7a3c1e-8d2f-4e5a-9b6c-7d8e9f0a1b2c';
      const secret = 'secret-test-abcdefghijklmnopqrstuvwxyz0123456789';
      try {
        const { error } = await new Migrator({ db: raw, provider: migrationProvider }).migrateTo('0004_rate_limit_counters');
        assert.equal(error, undefined);
        await sql`insert into projects (id, environment, secret_hash, settings, created_at)
                  values (${projectId}, 'test', ${createHash('sha256').update(secret).digest('hex')}, '{}', ${T0})`.execute(raw);
      } finally {
        await raw.destroy();
      }

      const opened = openStore(db.target);
      try {
        await opened.migrate();
        assert.deepEqual(await opened.store.listProjectSecrets(projectId), [{ id: 'project-secret-test-0b7a3c1e-8d2f-4e5a-9b6c-7d8e9f0a1b2c', createdAt: T0 }]);
        const projects = new ProjectService(opened.store, new FixedClock(T0 + 1000));
        assert.equal((await projects.authenticate(projectId, secret))?.id, projectId);
        assert.equal(await projects.authenticate(projectId, secret + 'x'), null);
        const added = await projects.createSecret(projectId);
        assert.ok(added);
        assert.equal((await projects.authenticate(projectId, added.secret))?.id, projectId);
        assert.equal((await projects.authenticate(projectId, secret))?.id, projectId);
      } finally {
        await opened.store.close();
      }
    });
  });
}
