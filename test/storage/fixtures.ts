/**
 * Fixtures for the storage contract suite: a fresh store per dialect (a temp SQLite dir, or a
 * PostgreSQL database of its own) and builders for the records the Store takes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PROJECT_DEFAULTS, type Project, type ProjectSettings } from '../../src/projects/project.js';
import { newId, type Environment } from '../../src/random.js';
import type { AuthenticationFactor, Session } from '../../src/sessions/session.js';
import { openStore, type OpenedStore, type StoreTarget } from '../../src/storage/open.js';
import type { NewUser, ProjectSecretRecord, SigningKeyRecord, StoredPassword } from '../../src/storage/store.js';

export type Dialect = 'sqlite' | 'postgres';

export const PG_URL = process.env.POSTERN_TEST_DATABASE_URL;

/** The dialects the contract runs on: SQLite always, PostgreSQL when a URL is given. */
export const DIALECTS: Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** A fixed instant well past 2^31 ms, so a 32-bit truncation anywhere would show. */
export const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface TestDatabase {
  /** What openStore takes to reach this database. */
  target: StoreTarget;
  /** Removes the database (temp dir or PostgreSQL database). Close every store on it first. */
  drop(): Promise<void>;
}

export interface TestStore extends OpenedStore {
  target: StoreTarget;
  /** Closes the store and removes its database. */
  dispose(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/** A fresh, empty database: a temp dir for SQLite, a database of its own on PostgreSQL. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-store-'));
    return {
      target: { dataDir, databaseUrl: undefined },
      drop: () => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  if (!PG_URL) throw new Error('POSTERN_TEST_DATABASE_URL is not set');
  // The name is hex from the CSPRNG, so it is safe to splice into the statement.
  const name = `postern_s_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    target: { dataDir: os.tmpdir(), databaseUrl: url.toString() },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export async function openTestStore(dialect: Dialect): Promise<TestStore> {
  const db = await createTestDatabase(dialect);
  const opened = openStore(db.target);
  return {
    ...opened,
    target: db.target,
    async dispose() {
      try {
        await opened.store.close();
      } finally {
        await db.drop();
      }
    },
  };
}

// ---- builders

export function makeProject(opts: { environment?: Environment; settings?: ProjectSettings; createdAt?: number } = {}): Project {
  const environment = opts.environment ?? 'test';
  return {
    id: newId('project', environment),
    environment,
    createdAt: opts.createdAt ?? T0,
    settings: opts.settings ?? { ...PROJECT_DEFAULTS },
  };
}

/** A project secret record holding the given digest (any text: the store does not read it). */
export function makeSecret(hash: string, createdAt = T0): ProjectSecretRecord {
  return { id: newId('project-secret', 'test'), hash, createdAt };
}

export function makeUser(projectId: string, overrides: Partial<NewUser> = {}): NewUser {
  const id = newId('user', 'test');
  return {
    id,
    projectId,
    status: 'active',
    name: { firstName: 'Ada', middleName: '', lastName: 'Lovelace' },
    email: { id: newId('email', 'test'), email: `${id}@example.com`, verified: false },
    trustedMetadata: {},
    untrustedMetadata: {},
    externalId: null,
    roles: [],
    createdAt: T0,
    ...overrides,
  };
}

export function makePassword(userId: string, hash = `$argon2id$v=19$m=19456,t=2,p=1$${randomBytes(8).toString('hex')}`): StoredPassword {
  return { id: newId('password', 'test'), userId, hash, requiresReset: false };
}

export function passwordFactor(at: number): AuthenticationFactor {
  return { type: 'password', deliveryMethod: 'knowledge', createdAt: at, lastAuthenticatedAt: at, updatedAt: at };
}

export function makeSession(projectId: string, userId: string, overrides: Partial<Session> = {}): Session {
  const startedAt = overrides.startedAt ?? T0;
  return {
    id: newId('session', 'test'),
    projectId,
    userId,
    startedAt,
    lastAccessedAt: startedAt,
    expiresAt: startedAt + HOUR,
    revokedAt: null,
    attributes: { ipAddress: '203.0.113.7', userAgent: 'contract-test/1.0' },
    customClaims: {},
    factors: [passwordFactor(startedAt)],
    ...overrides,
  };
}

export function tokenHash(): string {
  return randomBytes(32).toString('hex');
}

export function makeSigningKey(projectId: string, overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  const kid = newId('jwk', 'test');
  return {
    kid,
    projectId,
    privateKey: `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END PRIVATE KEY-----\n`,
    publicJwk: {
      kty: 'RSA',
      alg: 'RS256',
      use: 'sig',
      kid,
      n: randomBytes(256).toString('base64url'),
      e: 'AQAB',
      x5c: [randomBytes(64).toString('base64')],
      x5tS256: randomBytes(32).toString('base64url'),
    },
    createdAt: T0,
    retiredAt: null,
    ...overrides,
  };
}
