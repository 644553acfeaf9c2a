/**
 * Postern from its TypeScript source, for the benchmarks: `createPostern(loadConfig())` on a
 * fresh SQLite data dir, listening on 127.0.0.1 on an ephemeral port, with one new test
 * project. Started by bench/run.ts with `fork` (IPC): it sends
 * `{ ready, port, projectId, secret, argon2 }` and then answers probe requests (bench/lib/probe.ts).
 *
 * Environment: whatever the parent passes; run.ts sets POSTERN_DATA_DIR (a temp dir),
 * POSTERN_LOG_LEVEL=silent and POSTERN_BREACH_CHECK=offline.
 */
import { loadConfig } from '../src/config/index.js';
import { createPostern } from '../src/main.js';
import { installProbe, type ReadyMessage } from './lib/probe.js';

installProbe();
const config = loadConfig(process.env, { host: '127.0.0.1', port: 0 });
const postern = await createPostern(config);
await postern.app.listen({ host: '127.0.0.1', port: 0 });
const address = postern.app.server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');
const { projectId, secret } = await postern.projects.create({ live: false });

const ready: ReadyMessage = { ready: true, port: address.port, projectId, secret, argon2: config.argon2 };
process.send!(ready);

const stop = () => {
  void postern.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
