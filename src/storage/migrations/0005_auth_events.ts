// Frozen once shipped: never edit, add a new numbered migration instead.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // No foreign keys: an audit row outlives the user it names, and inserting it checks nothing.
  await db.schema
    .createTable('auth_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('client_address', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // Listing a project's newest events, and pruning (and listing across projects) by age.
  await db.schema.createIndex('auth_events_project_time').on('auth_events').columns(['project_id', 'created_at']).execute();
  await db.schema.createIndex('auth_events_time').on('auth_events').column('created_at').execute();
}
