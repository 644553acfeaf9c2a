// Frozen once shipped: never edit, add a new numbered migration instead.
import type { Kysely } from 'kysely';

/**
 * One RBAC policy per project (roles, resources, scopes), stored as one JSON document: it is
 * always read and replaced whole. A project without a row has the default policy.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rbac_policies')
    .addColumn('project_id', 'text', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
