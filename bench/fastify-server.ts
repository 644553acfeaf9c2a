/**
 * The HTTP ceiling for cheap routes: the Fastify version Postern uses, no logger, one route
 * `GET /` answering `{}`. Started by bench/run.ts with `fork`; sends `{ ready, port }`.
 */
import Fastify from 'fastify';
import { installProbe, type ReadyMessage } from './lib/probe.js';

installProbe();
const app = Fastify({ logger: false });
app.get('/', () => ({}));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');
process.send!({ ready: true, port: address.port } satisfies ReadyMessage);

const stop = () => {
  void app.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
