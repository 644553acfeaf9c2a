/**
 * Test harness: a real Postern on a real database, one per test file (or per call).
 * SQLite always; PostgreSQL too when POSTERN_TEST_DATABASE_URL is set (CI always sets it).
 * Each PostgreSQL server gets a database of its own, dropped on close.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import * as stytch from 'stytch';
import { FixedClock, systemClock, type Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/index.js';
import { createPostern, type Postern } from '../../src/main.js';

export type Dialect = 'sqlite' | 'postgres';

const PG_URL = process.env.POSTERN_TEST_DATABASE_URL;

/** The dialects every storage-touching suite runs on. */
export const DIALECTS: Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestServer {
  dialect: Dialect;
  /** Base URL of the listening server, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  projectId: string;
  secret: string;
  /** The first project's public token, for the frontend routes (`/sdk/v1`). */
  publicToken: string;
  postern: Postern;
  clock: Clock;
  /** The official client, pointed at this server. */
  client(credentials?: { projectId: string; secret: string }): stytch.Client;
  /** Raw HTTP against the server with this project's Basic credentials (unless auth is given). */
  request(method: string, urlPath: string, body?: unknown, opts?: { auth?: string | null; headers?: Record<string, string>; rawBody?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  /** The data dir of this server (SQLite file, outbox). */
  dataDir: string;
  /** The PostgreSQL database of this server, when the dialect is postgres. */
  databaseUrl: string | undefined;
  /** Raw SQL against this server's database, for tests that must look behind the API. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Another project on the same server. */
  createProject(opts?: { live?: boolean }): Promise<{ projectId: string; secret: string; publicToken: string }>;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  env?: Record<string, string>;
  /** Receives the server's log lines (set POSTERN_LOG_LEVEL in env to see them). */
  logStream?: NodeJS.WritableStream;
}

/**
 * The non-loopback redirect URLs the suites' reset emails link to: every project the harness
 * creates lists them in `allowed_redirect_urls` (reset start refuses any URL a project does
 * not list). Tests of the allowlist itself use `postern.projects.create` directly.
 */
export const TEST_REDIRECT_URLS = [
  'https://app.example.com/reset',
  'https://app.example.com/login',
  'https://app.example.com/r',
  'https://app.example.com/l',
  'https://a.example/r',
  'https://a.example/l',
  'https://example.com/reset',
  'https://example.com/login',
  'https://example.com/r',
];

export function basicAuth(projectId: string, secret: string): string {
  return 'Basic ' + Buffer.from(`${projectId}:${secret}`).toString('base64');
}

/** A new, empty PostgreSQL database on the test server (name `<prefix>_<random hex>`), and how to drop it. */
export async function createPgDatabase(prefix = 'postern_t'): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL!);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function startTestServer(dialect: Dialect, opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-test-'));
  let databaseUrl: string | undefined;
  let drop = async () => {};
  if (dialect === 'postgres') {
    if (!PG_URL) throw new Error('POSTERN_TEST_DATABASE_URL is not set');
    ({ url: databaseUrl, drop } = await createPgDatabase());
  }
  const config = loadConfig({ POSTERN_LOG_LEVEL: 'silent', ...opts.env }, { dataDir, databaseUrl, port: 0 });
  const clock = opts.clock ?? systemClock;
  const postern = await createPostern(config, { clock, ...(opts.logStream ? { logStream: opts.logStream } : {}) });
  const address = await postern.app.listen({ host: '127.0.0.1', port: 0 });
  const url = address.replace(/\/$/, '');
  const createProject = async (live: boolean) => {
    const created = await postern.projects.create({ live });
    await postern.projects.set(created.projectId, [`allowed_redirect_urls=${TEST_REDIRECT_URLS.join(',')}`]);
    return created;
  };
  const first = await createProject(false);

  const server: TestServer = {
    dialect,
    url,
    projectId: first.projectId,
    secret: first.secret,
    publicToken: first.publicToken,
    postern,
    clock,
    client(credentials) {
      return new stytch.Client({
        project_id: credentials?.projectId ?? first.projectId,
        secret: credentials?.secret ?? first.secret,
        env: url + '/',
      });
    },
    async request(method, urlPath, body, ropts = {}) {
      const headers: Record<string, string> = { ...ropts.headers };
      const auth = ropts.auth === undefined ? basicAuth(first.projectId, first.secret) : ropts.auth;
      if (auth !== null) headers.authorization = auth;
      let payload: string | undefined = ropts.rawBody;
      if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
      if (payload !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url + urlPath, { method, headers, body: payload });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // left as text: a test asserting on JSON will fail visibly
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    dataDir,
    databaseUrl,
    async query(text, params = []) {
      if (databaseUrl) {
        const c = new pg.Client({ connectionString: databaseUrl });
        await c.connect();
        try {
          // $1, $2 … in PostgreSQL; tests write ? and it is translated here.
          let i = 0;
          return (await c.query(text.replace(/\?/g, () => `$${++i}`), params)).rows as Record<string, unknown>[];
        } finally {
          await c.end();
        }
      }
      const db = new Database(path.join(dataDir, 'postern.sqlite'), { readonly: true });
      try {
        return db.prepare(text).all(...params) as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
    createProject: (o) => createProject(o?.live ?? false),
    async close() {
      await postern.close();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export { FixedClock };

/** Strong passwords (zxcvbn score 4) for tests. */
export const STRONG = ['correct horse battery staple 91', 'Tr0ub4dor&3-velvet-kazoo', 'plinth mango quasar 7x!'];
