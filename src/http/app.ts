import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { AuthError } from '../errors.js';
import { newId } from '../random.js';
import type { HttpDeps } from './deps.js';
import { errorHandler, sendError } from './error-handler.js';
import { attemptRecorder } from './attempts.js';
import { authenticateProject } from './project-auth.js';
import { routes } from './routes.js';

// Never logged: credentials, passwords, tokens and JWTs, wherever they appear.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.existing_password',
  '*.new_password',
  '*.session_token',
  '*.session_jwt',
  '*.secret',
  '*.token',
];

// No Stytch request nests anywhere near this deep; refusing deeper input up front keeps every
// recursive walk (claims merge, serialization) far from the stack limit.
const MAX_JSON_DEPTH = 32;

/** Whether `value` has arrays or objects nested more than `max` levels; iterative, so any depth is safe. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

const MINUTE = 60_000;

/**
 * Per-address and per-email limits on the password routes, counted before any hashing. The
 * address is the connection's (the caller is usually a backend server).
 */
async function checkRateLimits(deps: HttpDeps, request: FastifyRequest): Promise<void> {
  const project = request.project?.id ?? '';
  const { ipPerMinute, emailPerMinute } = deps.config.rateLimits;
  await deps.limiter.check({ name: 'ip', limit: ipPerMinute, windowMs: MINUTE }, `${project}:${request.ip}`);
  const email = (request.body as { email?: unknown } | undefined)?.email;
  if (typeof email === 'string' && email.length <= 320) {
    await deps.limiter.check({ name: 'email', limit: emailPerMinute, windowMs: MINUTE }, `${project}:${email.trim().toLowerCase()}`);
  }
}

/** Turns a route pattern into a matcher for the concrete paths it serves. */
function matcher(url: string): RegExp {
  return new RegExp('^' + url.replace(/:[a-z_]+/g, '[^/]+') + '/?$');
}

/** The Fastify app serving Postern's API. It never listens by itself; tests can `inject`. */
export function buildApp(deps: HttpDeps, opts: { logStream?: NodeJS.WritableStream | undefined } = {}): FastifyInstance {
  const app = Fastify({
    logger: {
      level: deps.config.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    bodyLimit: deps.config.bodyLimit,
    return503OnClosing: true,
    // Malformed HTTP itself (bad framing, oversized headers) never reaches a route: answer on
    // the socket with the envelope too, rather than Fastify's own body.
    clientErrorHandler: (err, socket) => {
      if (!socket.writable) return;
      const tooLarge = (err as { code?: string }).code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? 413 : 400;
      const type = tooLarge ? 'request_too_large' : 'bad_request';
      const body = JSON.stringify({
        status_code: status,
        request_id: newId('request-id', 'test'),
        error_type: type,
        error_message: tooLarge ? 'The request headers are too large.' : 'The HTTP request is malformed.',
        error_url: `https://stytch.com/docs/api/errors/${status}#${type}`,
      });
      socket.end(
        `HTTP/1.1 ${status} ${tooLarge ? 'Payload Too Large' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    // Errors raised before routing (a malformed percent-escape in the path) get the envelope too.
    frameworkErrors: (_err, request, reply) => {
      void sendError(request, reply, 'bad_request', 'The URL is malformed.');
    },
  });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.decorateRequest('project', null);
  app.decorateRequest('stytchRequestId', null);
  app.decorateRequest('attemptUserId', null);
  app.decorateRequest('attemptOutcome', null);

  // JSON bodies only (any other content type is refused as bad_request), with an empty body
  // accepted as absent: Go and Python send DELETE and GET with a JSON content type and no body.
  const parseJson = app.getDefaultJsonParser('error', 'remove');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) {
      done(null, undefined);
      return;
    }
    void parseJson(request, body as string, (err, value: unknown) => {
      if (err) return done(err, undefined);
      if (nestedDeeperThan(value, MAX_JSON_DEPTH)) return done(new AuthError('bad_request', `JSON nested deeper than ${MAX_JSON_DEPTH} levels is not accepted.`), undefined);
      done(null, value);
    });
  });

  app.setErrorHandler(errorHandler);

  const table = routes(deps);
  const patterns = table.map((r) => ({ method: r.method, re: matcher(r.url) }));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const known = patterns.some((p) => p.re.test(path));
    return sendError(request, reply, known ? 'method_not_allowed' : 'route_not_found', new AuthError(known ? 'method_not_allowed' : 'route_not_found').message);
  });

  app.get('/healthz', () => ({ status: 'ok' }));

  for (const route of table) {
    app.route({
      method: route.method,
      url: route.url,
      ...(route.schema ? { schema: route.schema } : {}),
      onRequest: async (request: FastifyRequest) => {
        if (route.auth !== 'none') request.project = await authenticateProject(deps.projects, request, route.auth === 'project');
      },
      // A POST without a body is validated as an empty object, so a missing field is reported
      // as that field, not as a missing body.
      preValidation: async (request: FastifyRequest) => {
        if (route.method !== 'GET' && request.body === undefined) request.body = {};
        return Promise.resolve();
      },
      ...(route.limited ? { preHandler: (request: FastifyRequest) => checkRateLimits(deps, request) } : {}),
      ...(route.audit ? { onResponse: attemptRecorder(deps.events, deps.clock, route.audit) } : {}),
      handler: route.handler,
    });
  }
  return app;
}
