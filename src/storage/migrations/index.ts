// Every migration, listed explicitly (no folder scanning), in order. Names never change.
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_phone_numbers.js';
import * as m0003 from './0003_password_reset_tokens.js';
import * as m0004 from './0004_rate_limit_counters.js';
import * as m0005 from './0005_auth_events.js';
import * as m0006 from './0006_project_secrets.js';
import * as m0007 from './0007_public_tokens.js';
import * as m0008 from './0008_rbac_policies.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_phone_numbers': m0002,
  '0003_password_reset_tokens': m0003,
  '0004_rate_limit_counters': m0004,
  '0005_auth_events': m0005,
  '0006_project_secrets': m0006,
  '0007_public_tokens': m0007,
  '0008_rbac_policies': m0008,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
