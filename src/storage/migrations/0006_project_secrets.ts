// Frozen once shipped: never edit, add a new numbered migration instead.
import { sql, type Kysely } from 'kysely';

/**
 * A project may hold several secrets at once, so that one can be rotated without downtime:
 * add a new secret, move every caller to it, delete the old one. The secret each project had
 * becomes its first row here, with an id derived from the project id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('project_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('project_secrets_project').on('project_secrets').columns(['project_id', 'created_at']).execute();
  // project-test-<uuid> → project-secret-test-<uuid>
  await sql`insert into project_secrets (id, project_id, secret_hash, created_at)
            select 'project-secret-' || substr(id, 9), id, secret_hash, created_at from projects`.execute(db);
  await db.schema.alterTable('projects').dropColumn('secret_hash').execute();
}
