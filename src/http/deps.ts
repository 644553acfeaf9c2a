import type { Clock } from '../clock.js';
import type { Config } from '../config/index.js';
import type { AuthEventSink } from '../events/writer.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import type { MigrationService } from '../passwords/migrate.js';
import type { ResetService } from '../passwords/resets.js';
import type { PasswordService } from '../passwords/service.js';
import type { ProjectService } from '../projects/service.js';
import type { RbacService } from '../rbac/service.js';
import type { SessionService } from '../sessions/service.js';
import type { SigningKeys } from '../sessions/signing-keys.js';
import type { Metrics } from '../metrics/index.js';
import type { Store } from '../storage/store.js';
import type { UserService } from '../users/service.js';

/** What the HTTP layer is given by the composition root. */
export interface HttpDeps {
  config: Pick<Config, 'bodyLimit' | 'logLevel' | 'rateLimits' | 'trustProxy' | 'tls'>;
  limiter: RateLimiter;
  clock: Clock;
  projects: ProjectService;
  passwords: PasswordService;
  migration: MigrationService;
  resets: ResetService;
  sessions: SessionService;
  users: UserService;
  rbac: RbacService;
  keys: SigningKeys;
  /** Authentication attempts go here (the audit trail). */
  events: AuthEventSink;
  /** Read by the readiness check only (`ping`). */
  store: Pick<Store, 'ping'>;
  /** null: POSTERN_METRICS=off, no /metrics. */
  metrics: Metrics | null;
}
