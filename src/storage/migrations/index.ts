// Every migration, listed explicitly (no folder scanning), in order. Names never change.
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_initial.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
