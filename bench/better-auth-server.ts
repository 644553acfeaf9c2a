/**
 * The peer: a minimal better-auth server (email and password, SQLite through better-sqlite3,
 * tables created by better-auth's own migration planner), served by node:http through
 * better-auth's `toNodeHandler`. Started by bench/run.ts with `fork`; sends `{ ready, port }`.
 *
 *   node --import tsx bench/better-auth-server.ts default   # better-auth's scrypt (N=2^14, r=16, p=1)
 *   node --import tsx bench/better-auth-server.ts argon2    # argon2id with Postern's parameters
 *
 * The argon2id parameters are read with Postern's own loadConfig from the same environment
 * variables (POSTERN_ARGON2_*), so both servers hash alike. The SQLite file gets the same
 * pragmas Postern sets on its own (WAL, synchronous=NORMAL), so storage is not what differs.
 * better-auth's rate limiter and telemetry are off; its logger is silenced.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { hash, verify } from '@node-rs/argon2';
import Database from 'better-sqlite3';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { loadConfig } from '../src/config/index.js';
import { installProbe, type ReadyMessage } from './lib/probe.js';

// @node-rs/argon2's Algorithm is an ambient const enum (erased by tsx): 2 = argon2id.
const ARGON2ID = 2;

installProbe();
const mode = process.argv[2] ?? 'default';
if (mode !== 'default' && mode !== 'argon2') throw new Error(`unknown mode ${mode} (default | argon2)`);
const argon2 = loadConfig(process.env).argon2;

const dir = fs.mkdtempSync(path.join(process.env.BENCH_TMP_DIR ?? os.tmpdir(), 'better-auth-'));
const db = new Database(path.join(dir, 'better-auth.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('foreign_keys = ON');
db.pragma('synchronous = NORMAL');

const server = http.createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');
const baseURL = `http://127.0.0.1:${address.port}`;

const options = {
  baseURL,
  secret: 'bench-secret-bench-secret-bench-secret-0123456789',
  database: db,
  emailAndPassword: {
    enabled: true,
    ...(mode === 'argon2'
      ? {
          password: {
            hash: (password: string) =>
              hash(password, { algorithm: ARGON2ID, memoryCost: argon2.memoryKiB, timeCost: argon2.iterations, parallelism: argon2.parallelism }),
            verify: ({ hash: stored, password }: { hash: string; password: string }) => verify(stored, password),
          },
        }
      : {}),
  },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { disabled: true },
} satisfies BetterAuthOptions;

const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);
const handle = toNodeHandler(auth);
server.on('request', (req, res) => {
  void handle(req, res);
});

process.send!({ ready: true, port: address.port, mode, argon2 } satisfies ReadyMessage);

const stop = () => {
  server.close(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
