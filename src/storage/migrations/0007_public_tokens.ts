// Frozen once shipped: never edit, add a new numbered migration instead.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/**
 * Public tokens name a project to the frontend SDKs (`/sdk/v1`). They are not secrets (they
 * sit in every page that uses the SDK), so they are stored as they are. A project may hold
 * several at once, for rotation; every project that exists gets its first one here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('public_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('public_tokens_project').on('public_tokens').columns(['project_id', 'created_at']).execute();
  const projects = await sql<{ id: string; environment: string; created_at: number }>`select id, environment, created_at from projects`.execute(db);
  for (const p of projects.rows) {
    await sql`insert into public_tokens (token, project_id, created_at)
              values (${`public-token-${p.environment}-${randomUUID()}`}, ${p.id}, ${Number(p.created_at)})`.execute(db);
  }
}
