/**
 * `postern serve [--workers N]`: one process per core by default, sharing the port (Node's
 * cluster module) and the store. The primary prepares the store (migrations, the first
 * project), starts the workers, restarts one that dies, and stops them all on SIGTERM.
 */
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import type { Config } from '../config/index.js';
import { createPostern } from '../main.js';
import { serveClusterMetrics } from '../metrics/index.js';
import { ProjectService } from '../projects/service.js';
import { systemClock } from '../clock.js';
import { openStore } from '../storage/open.js';

interface Listening {
  type: 'postern:listening';
  address: string;
}

export function defaultWorkers(): number {
  return os.availableParallelism();
}

function welcome(baseUrl: string, projectId: string, secret: string, publicToken: string): string {
  return [
    '',
    'Created a test project for you:',
    `  project_id: ${projectId}`,
    `  secret:     ${secret}`,
    `  public_token: ${publicToken}   (for the browser SDK; not a secret)`,
    '',
    'Point the official stytch client at this server:',
    `  const stytch = require('stytch');`,
    `  const client = new stytch.Client({ project_id: '${projectId}', secret: '${secret}', env: '${baseUrl}/' });`,
    '',
    "In a page, Stytch's frontend SDK (docs/frontend.md):",
    `  createStytchClient('${publicToken}', { endpoints: { testAPIURL: '${baseUrl}', liveAPIURL: '${baseUrl}' } });`,
    '',
    '',
  ].join('\n');
}

function where(cfg: Readonly<Config>): string {
  return cfg.databaseUrl ? 'PostgreSQL' : `SQLite in ${cfg.dataDir}`;
}

/** Creates the first project if the store has none; returns its credentials to print. */
async function prepareStore(cfg: Readonly<Config>): Promise<{ projectId: string; secret: string; publicToken: string } | null> {
  const opened = openStore(cfg);
  try {
    await opened.migrate();
    const projects = new ProjectService(opened.store, systemClock);
    return (await projects.count()) === 0 ? await projects.create({ live: false }) : null;
  } finally {
    await opened.store.close();
  }
}

/** One server process: listens, and stops gracefully (in-flight requests finish) on SIGTERM/SIGINT. */
async function runServer(cfg: Readonly<Config>, onListening: (address: string) => void): Promise<void> {
  const postern = await createPostern(cfg);
  const address = (await postern.app.listen({ host: cfg.host, port: cfg.port })).replace(/\/$/, '');
  onListening(address);
  const stop = (signal: string) => {
    postern.app.log.info({ signal }, 'shutting down');
    postern.close().then(
      () => process.exit(0),
      (err: unknown) => {
        postern.app.log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export async function serve(cfg: Readonly<Config>, workers: number): Promise<void> {
  if (cluster.isWorker) {
    await runServer(cfg, (address) => process.send?.({ type: 'postern:listening', address } satisfies Listening));
    return;
  }
  const first = await prepareStore(cfg);
  const announce = (address: string) => {
    if (first) process.stdout.write(welcome(address, first.projectId, first.secret, first.publicToken));
    process.stdout.write(`Postern is listening on ${address} (${where(cfg)}; ${workers} worker${workers === 1 ? '' : 's'})\n`);
  };
  if (workers <= 1) {
    await runServer(cfg, announce);
    return;
  }

  // Each worker process gets its share of the cores for hashing, unless told otherwise.
  process.env.POSTERN_HASH_WORKERS ??= String(Math.max(1, Math.floor(os.availableParallelism() / workers)));
  let stopping = false;
  // Announced once every worker listens: until then a worker dying could leave the port with
  // no listener (the primary closes a shared handle that no worker holds).
  let listening = 0;
  let announced = false;
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (msg: Listening) => {
      if (msg?.type !== 'postern:listening') return;
      listening++;
      if (!announced && listening >= workers) {
        announced = true;
        announce(msg.address);
      }
    });
    return worker;
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    // A short pause keeps a worker that dies at start from spinning the CPU.
    setTimeout(fork, 500).unref();
  });
  // A worker's /metrics answers for every worker: it asks this process to gather them.
  if (cfg.metrics) serveClusterMetrics();
  for (let i = 0; i < workers; i++) fork();

  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    // Workers finish their in-flight requests; give up on one that hangs.
    setTimeout(() => process.exit(1), 30_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
