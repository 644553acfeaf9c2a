/**
 * Composition root: loadConfig -> openStore -> migrate -> services -> buildApp. The CLI's
 * `serve` listens on the result; tests use it directly.
 */
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/index.js';
import { AuthEventWriter } from './events/writer.js';
import { buildApp } from './http/app.js';
import { PasswordService } from './passwords/service.js';
import { createBreachChecker } from './passwords/breach/index.js';
import { createMailer } from './email/mailer.js';
import { HashPool } from './passwords/hash-pool.js';
import { Metrics } from './metrics/index.js';
import { NO_METRICS } from './metrics/sink.js';
import { MigrationService } from './passwords/migrate.js';
import { ResetService } from './passwords/resets.js';
import { RateLimiter, StoreCounters } from './ratelimit/limiter.js';
import { createRedisCounters } from './ratelimit/redis.js';
import { PasswordPolicy } from './passwords/policy.js';
import { createStrengthScorer } from './passwords/strength.js';
import { ProjectService } from './projects/service.js';
import { RbacService } from './rbac/service.js';
import { SessionService } from './sessions/service.js';
import { createKeySealer } from './sessions/key-sealing.js';
import { SigningKeys } from './sessions/signing-keys.js';
import { openStore } from './storage/open.js';
import type { Store } from './storage/store.js';
import { UserService } from './users/service.js';

export interface Postern {
  app: FastifyInstance;
  store: Store;
  dialect: 'sqlite' | 'postgres';
  projects: ProjectService;
  /** Each project's RBAC policy. */
  rbac: RbacService;
  /** The audit trail's writer; `flush()` writes what is buffered now. */
  events: AuthEventWriter;
  close(): Promise<void>;
}

export async function createPostern(
  config: Readonly<Config>,
  opts: { clock?: Clock; logStream?: NodeJS.WritableStream } = {},
): Promise<Postern> {
  const clock = opts.clock ?? systemClock;
  const opened = openStore(config);
  await opened.migrate();
  const store = opened.store;
  const scorer = createStrengthScorer();
  // The logger exists once the app does; lookups only start after that.
  let onLookupError: (err: unknown) => void = () => {};
  const breach = createBreachChecker(config.breach, { onLookupError: (err) => onLookupError(err) });
  // A missing or malformed corpus, or a hash worker that cannot start, fails the start, not
  // the first sign-up.
  const keys = new SigningKeys(store, clock, createKeySealer(config.masterKeys));
  const projects = new ProjectService(store, clock);
  const metrics = config.metrics ? new Metrics() : null;
  const sessions = new SessionService(store, clock, keys, metrics ?? NO_METRICS);
  const users = new UserService(store, clock);
  const rbac = new RbacService(store, clock);
  const policy = new PasswordPolicy(scorer, breach);
  // Every hash and verify runs on this pool's own threads, never on libuv's (where JWT signing runs).
  let onUnknownPepperKey: (keyId: string) => void = () => {};
  const hasher = new HashPool({
    argon2: config.argon2,
    peppers: config.peppers,
    onUnknownPepperKey: (keyId) => onUnknownPepperKey(keyId),
    workers: config.hashPool.workers,
    maxQueue: config.hashPool.maxQueue,
  });
  await Promise.all([breach.ready(), hasher.ready()]);
  metrics?.watchHashPool(() => hasher.stats());
  const passwords = new PasswordService(store, clock, config, sessions, policy, hasher, metrics ?? NO_METRICS);
  const mailer = createMailer(config.email, clock);
  const resets = new ResetService(store, clock, config, sessions, policy, mailer, hasher);
  const migration = new MigrationService(store, clock);
  const counters = config.rateLimits.redisUrl ? await createRedisCounters(config.rateLimits.redisUrl) : new StoreCounters(store);
  const limiter = new RateLimiter(counters, clock);
  let onEventProblem: (details: object, message: string) => void = () => {};
  // Attempts are written in batches off the request path (src/events/writer.ts).
  const events = new AuthEventWriter(store, clock, {
    retentionDays: config.authEventsRetentionDays,
    onProblem: (details, message) => onEventProblem(details, message),
  });
  const app = buildApp({ config, clock, limiter, projects, passwords, migration, resets, sessions, users, rbac, keys, events, store, metrics }, { logStream: opts.logStream });
  onUnknownPepperKey = (pepperKeyId) =>
    app.log.error(
      { pepperKeyId },
      `a stored password hash was made with pepper key "${pepperKeyId}", which POSTERN_PEPPER no longer lists: the login was refused as a wrong password (list the key again, or the user resets the password)`,
    );
  onLookupError = (err) => app.log.warn({ err }, 'breached-password lookup failed; the password was let through (POSTERN_BREACH_FAIL=open)');
  onEventProblem = (details, message) => app.log.error(details, message);
  let closed = false;
  return {
    app,
    store,
    dialect: opened.dialect,
    projects,
    rbac,
    events,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      // After the app: every answered attempt has been recorded; before the store closes.
      await events.close();
      await scorer.close();
      await breach.close();
      await mailer.close();
      await limiter.close();
      await hasher.close();
      await store.close();
    },
  };
}
