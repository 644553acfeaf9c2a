/**
 * Typed configuration. The only module that reads process.env: everything else receives a
 * frozen Config. All problems are collected and reported at once.
 */
import os from 'node:os';
import path from 'node:path';
import { loadTls, type TlsConfig } from './tls.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

export type { TlsConfig } from './tls.js';
export type { TrustProxy } from './trust-proxy.js';

export interface Argon2Params {
  /** Memory cost in KiB. */
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/**
 * A password pepper: a server secret kept outside the database, given to argon2 as its secret
 * input. `secret` is a non-enumerable property, so that logging or serializing the config
 * (JSON.stringify, util.inspect, pino) never shows it.
 */
export interface PepperKey {
  /** Written into each hash made with this pepper (PHC `keyid`): 1–8 of A–Z a–z 0–9 _ -. */
  readonly id: string;
  readonly secret: Buffer;
}

export interface BreachConfig {
  /** `offline`: the shipped (or a configured local) corpus; `online`: HIBP's range API; `off`. */
  mode: 'offline' | 'online' | 'off';
  /** A larger local corpus: an HIBP hash list file or a folder of HIBP range files. */
  corpusPath: string | undefined;
  /** Base URL of the HIBP range API or a mirror of it (online mode). */
  hibpBaseUrl: string;
  /** How long an online lookup may take. */
  timeoutMs: number;
  /** When an online lookup fails: true refuses the password, false lets it through. */
  failClosed: boolean;
}

export interface SmtpConfig {
  host: string;
  port: number;
  /** `tls`: TLS from the first byte (port 465); `starttls`: upgrade required; `none`: plain (tests, local relays). */
  security: 'tls' | 'starttls' | 'none';
  user: string | undefined;
  password: string | undefined;
}

export interface EmailConfig {
  /** null: no SMTP server; messages go to the outbox folder instead. */
  smtp: SmtpConfig | null;
  /** The From header, e.g. `Example <no-reply@example.com>`. */
  from: string;
  /** Where messages go without SMTP: `<data dir>/outbox`. */
  outboxDir: string;
}

export interface RateLimitConfig {
  /** Password-route requests per email per minute (0: no limit). */
  emailPerMinute: number;
  /** Password-route requests per client address per minute (0: no limit). */
  ipPerMinute: number;
  /** `redis://…`: keep counters in Redis instead of the database. */
  redisUrl: string | undefined;
}

export interface Config {
  /** Folder for the SQLite file and other local state. */
  dataDir: string;
  /** `postgres://…` selects PostgreSQL; undefined selects the embedded SQLite file. */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  logLevel: string;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Which peers' X-Forwarded-For names the client (POSTERN_TRUST_PROXY). */
  trustProxy: TrustProxy;
  /** Certificate and key (POSTERN_TLS_CERT/POSTERN_TLS_KEY) to serve https; null: plain http. */
  tls: TlsConfig | null;
  argon2: Argon2Params;
  breach: BreachConfig;
  email: EmailConfig;
  rateLimits: RateLimitConfig;
  /**
   * With a project's enumeration protection on, every failed credential check answers no
   * sooner than this many milliseconds after it began, so timing tells nothing either.
   */
  enumerationFloorMs: number;
  /** Master keys sealing JWT signing keys at rest, current first; empty: keys stored in clear. */
  masterKeys: Array<{ id: string; key: Buffer }>;
  /** Password peppers (POSTERN_PEPPER), current first; empty: new hashes are not peppered. */
  peppers: readonly PepperKey[];
  /** Hash worker threads in this process, and how many jobs may wait for one (then 429). */
  hashPool: { workers: number; maxQueue: number };
  /** Authentication audit events older than this many days are deleted. */
  authEventsRetentionDays: number;
  /** Serve Prometheus metrics at GET /metrics (POSTERN_METRICS=on, the default, or off). */
  metrics: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

// OWASP Password Storage Cheat Sheet floor for argon2id: 19 MiB, t=2, p=1.
const ARGON2_DEFAULTS: Argon2Params = { memoryKiB: 19456, iterations: 2, parallelism: 1 };

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Readonly<Config> {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
      return fallback;
    }
    return n;
  };

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const argon2: Argon2Params = {
    memoryKiB: int('POSTERN_ARGON2_MEMORY_KIB', ARGON2_DEFAULTS.memoryKiB, 19456, 4194304),
    iterations: int('POSTERN_ARGON2_ITERATIONS', ARGON2_DEFAULTS.iterations, 2, 100),
    parallelism: int('POSTERN_ARGON2_PARALLELISM', ARGON2_DEFAULTS.parallelism, 1, 16),
  };
  const mode = env.POSTERN_BREACH_CHECK || 'offline';
  if (mode !== 'offline' && mode !== 'online' && mode !== 'off') {
    problems.push('POSTERN_BREACH_CHECK must be offline, online or off');
  }
  const fail = env.POSTERN_BREACH_FAIL || 'open';
  if (fail !== 'open' && fail !== 'closed') problems.push('POSTERN_BREACH_FAIL must be open or closed');
  const hibpBaseUrl = env.POSTERN_HIBP_BASE_URL || 'https://api.pwnedpasswords.com';
  if (!/^https?:\/\//.test(hibpBaseUrl)) problems.push('POSTERN_HIBP_BASE_URL must be an http(s) URL');
  const breach: BreachConfig = {
    mode: mode as BreachConfig['mode'],
    corpusPath: env.POSTERN_BREACH_CORPUS ? path.resolve(env.POSTERN_BREACH_CORPUS) : undefined,
    hibpBaseUrl: hibpBaseUrl.replace(/\/+$/, ''),
    timeoutMs: int('POSTERN_HIBP_TIMEOUT_MS', 2000, 100, 60000),
    failClosed: fail === 'closed',
  };
  const dataDir = path.resolve(env.POSTERN_DATA_DIR || './data');
  const security = env.POSTERN_SMTP_SECURITY || 'starttls';
  if (security !== 'tls' && security !== 'starttls' && security !== 'none') {
    problems.push('POSTERN_SMTP_SECURITY must be tls, starttls or none');
  }
  const smtpHost = env.POSTERN_SMTP_HOST || undefined;
  const smtp: SmtpConfig | null = smtpHost
    ? {
        host: smtpHost,
        port: int('POSTERN_SMTP_PORT', security === 'tls' ? 465 : 587, 1, 65535),
        security: security as SmtpConfig['security'],
        user: env.POSTERN_SMTP_USER || undefined,
        password: env.POSTERN_SMTP_PASSWORD || undefined,
      }
    : null;
  const email: EmailConfig = {
    smtp,
    from: env.POSTERN_EMAIL_FROM || 'Postern <no-reply@localhost>',
    outboxDir: path.join(overrides.dataDir ?? dataDir, 'outbox'),
  };
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://');
  const rateLimits: RateLimitConfig = {
    emailPerMinute: int('POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE', 60, 0, 1_000_000),
    ipPerMinute: int('POSTERN_RATE_LIMIT_IP_PER_MINUTE', 6000, 0, 100_000_000),
    redisUrl,
  };
  const hashWorkers = int('POSTERN_HASH_WORKERS', Math.max(1, os.availableParallelism()), 1, 256);
  const hashPool = { workers: hashWorkers, maxQueue: int('POSTERN_HASH_QUEUE', 64 * hashWorkers, 1, 1_000_000) };
  const masterKeys: Config['masterKeys'] = [];
  for (const entry of (env.POSTERN_MASTER_KEYS ?? '').split(',').filter((e) => e.trim() !== '')) {
    const [id, b64] = entry.trim().split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
      problems.push('POSTERN_MASTER_KEYS must be id:base64 pairs (32-byte keys), separated by commas, current first');
      break;
    }
    masterKeys.push({ id, key });
  }
  const peppers = parsePeppers(env.POSTERN_PEPPER, problems);
  const metricsSetting = (env.POSTERN_METRICS || 'on').toLowerCase();
  if (!['on', 'off', 'true', 'false'].includes(metricsSetting)) problems.push('POSTERN_METRICS must be on or off');
  const config: Config = {
    dataDir,
    databaseUrl,
    host: env.POSTERN_HOST || '127.0.0.1',
    port: int('POSTERN_PORT', 3000, 0, 65535),
    logLevel: env.POSTERN_LOG_LEVEL || 'info',
    bodyLimit: int('POSTERN_BODY_LIMIT', 64 * 1024, 1024, 10 * 1024 * 1024),
    trustProxy: parseTrustProxy(env.POSTERN_TRUST_PROXY, problems),
    tls: loadTls(env.POSTERN_TLS_CERT, env.POSTERN_TLS_KEY, problems),
    argon2,
    breach,
    email,
    rateLimits,
    enumerationFloorMs: int('POSTERN_ENUMERATION_FLOOR_MS', 250, 0, 10_000),
    hashPool,
    masterKeys,
    peppers,
    authEventsRetentionDays: int('POSTERN_AUTH_EVENTS_RETENTION_DAYS', 90, 1, 36_500),
    metrics: metricsSetting === 'on' || metricsSetting === 'true',
    ...overrides,
  };
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(config.logLevel)) {
    problems.push(`POSTERN_LOG_LEVEL must be one of ${levels.join(', ')}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

const PEPPER_ID = /^[A-Za-z0-9_-]{1,8}$/;
const PEPPER_MIN_BYTES = 32;
const PEPPER_MAX_BYTES = 1024;

/**
 * POSTERN_PEPPER: `id:base64` entries separated by commas, the current pepper first. Problems
 * name the entry by position (and its id, which is not secret), never the secret.
 */
function parsePeppers(raw: string | undefined, problems: string[]): PepperKey[] {
  const peppers: PepperKey[] = [];
  const entries = (raw ?? '').split(',').map((e) => e.trim());
  if (entries.length === 1 && entries[0] === '') return peppers;
  for (const [i, entry] of entries.entries()) {
    const where = `POSTERN_PEPPER entry ${i + 1}`;
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const b64 = colon < 0 ? '' : entry.slice(colon + 1);
    if (!PEPPER_ID.test(id)) {
      problems.push(`${where}: must be keyid:base64secret, the key id 1 to 8 characters of A-Z a-z 0-9 _ - (entries are separated by commas, current first)`);
      continue;
    }
    const secret = decodeStrictBase64(b64);
    if (secret === undefined || secret.length < PEPPER_MIN_BYTES || secret.length > PEPPER_MAX_BYTES) {
      problems.push(`${where} (key id "${id}"): the secret must be base64 of ${PEPPER_MIN_BYTES} to ${PEPPER_MAX_BYTES} random bytes (e.g. \`openssl rand -base64 32\`)`);
      continue;
    }
    if (peppers.some((p) => p.id === id)) {
      problems.push(`${where}: key id "${id}" is listed twice`);
      continue;
    }
    const pepper = { id } as PepperKey;
    Object.defineProperty(pepper, 'secret', { value: secret, enumerable: false });
    peppers.push(Object.freeze(pepper));
  }
  return peppers;
}

/** Standard or URL-safe base64, padding optional; undefined unless it decodes exactly. */
function decodeStrictBase64(text: string): Buffer | undefined {
  const body = text.replace(/={0,2}$/, '');
  const alphabet = /^[A-Za-z0-9+/]+$/.test(body) ? 'base64' : /^[A-Za-z0-9_-]+$/.test(body) ? 'base64url' : undefined;
  if (alphabet === undefined || body.length % 4 === 1) return undefined;
  const bytes = Buffer.from(body, alphabet);
  return bytes.toString(alphabet).replace(/=+$/, '') === body ? bytes : undefined;
}
