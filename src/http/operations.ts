/**
 * The operations routes beside `/healthz` (liveness): `/readyz`, readiness (the store answers
 * a round trip in time), and `/metrics`, Prometheus text (unless POSTERN_METRICS=off).
 * docs/operations.md describes both.
 */
import type { FastifyInstance } from 'fastify';
import { AuthError } from '../errors.js';
import { METRICS_CONTENT_TYPE } from '../metrics/index.js';
import type { HttpDeps } from './deps.js';

/** How long the store may take to answer the readiness ping. */
export const READY_TIMEOUT_MS = 2_000;

async function storeAnswers(deps: HttpDeps): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AuthError('server_unavailable', `The database did not answer within ${READY_TIMEOUT_MS / 1000} s.`)), READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([deps.store.ping(), timeout]);
  } catch (err) {
    if (err instanceof AuthError) throw err;
    throw new AuthError('server_unavailable', 'The database is not reachable.');
  } finally {
    clearTimeout(timer);
  }
}

export function registerOperations(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/readyz', async () => {
    await storeAnswers(deps);
    return { status: 'ok' };
  });
  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (_request, reply) => {
      let text: string;
      try {
        text = await metrics.text();
      } catch {
        throw new AuthError('server_unavailable', 'The metrics could not be gathered from every worker process.');
      }
      return reply.header('content-type', METRICS_CONTENT_TYPE).header('cache-control', 'no-store').send(text);
    });
  }
}
