import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type http from 'node:http';
import type { TlsConfig, TrustProxy } from '../config/index.js';
import { AuthError } from '../errors.js';
import { newId } from '../random.js';
import type { HttpDeps } from './deps.js';
import { errorHandler, sendError } from './error-handler.js';
import { attemptRecorder } from './attempts.js';
import { registerOpenApi } from './openapi.js';
import { registerOperations } from './operations.js';
import { authenticateProject } from './project-auth.js';
import { routes } from './routes.js';
import { authenticateSdk, registerSdkCors } from './sdk/browser.js';

/** Postern's version, for the OpenAPI document. */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

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
  // An imported password hash is as good as the password to an offline attacker; a PKCE
  // verifier finishes a reset.
  '*.hash',
  '*.code_verifier',
];

// No Stytch request nests anywhere near this deep; refusing deeper input up front keeps every
// recursive walk (claims merge, serialization) far from the stack limit.
const MAX_JSON_DEPTH = 32;

/**
 * Top-level fields whose text is never stored or compared as text (it is hashed or scored):
 * they may hold any code point, NUL included.
 */
const OPAQUE_FIELDS = new Set(['password', 'existing_password', 'new_password']);

const NUL = '\u0000';

/**
 * What makes a parsed JSON body unacceptable before any route sees it: nesting deeper than
 * `maxDepth`, or a NUL character (U+0000) in a key or a string value outside OPAQUE_FIELDS.
 * No stored text may hold NUL (PostgreSQL refuses it in text and JSON), so both dialects refuse
 * it up front alike. Iterative, so any depth is safe; `mayHoldNul: false` skips the NUL checks
 * when the raw text cannot contain one.
 */
function bodyProblem(value: unknown, maxDepth: number, mayHoldNul: boolean): AuthError | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (mayHoldNul && v.includes(NUL)) return new AuthError('invalid_argument', 'Text fields may not contain the NUL character (U+0000).');
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return new AuthError('bad_request', `JSON nested deeper than ${maxDepth} levels is not accepted.`);
    for (const [key, child] of Object.entries(v)) {
      if (mayHoldNul && key.includes(NUL)) return new AuthError('invalid_argument', 'Field names may not contain the NUL character (U+0000).');
      if (depth === 0 && typeof child === 'string' && OPAQUE_FIELDS.has(key) && !Array.isArray(v)) continue;
      stack.push([child, depth + 1]);
    }
  }
  return null;
}

const MINUTE = 60_000;

/**
 * Fastify's `trustProxy` for POSTERN_TRUST_PROXY. A hop count is given as a function: Fastify 5
 * turns a bare number into "trust nothing" (it cannot check the nearest peer), while ours
 * means what Express's did: the nearest N addresses (the connection's first, then
 * X-Forwarded-For from the right) are proxies, and the client is the one before them.
 */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  switch (trust.mode) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'hops': {
      const hops = trust.hops;
      return (_address, hop) => hop < hops;
    }
    case 'addresses':
      return trust.addresses;
  }
}

/**
 * Per-address and per-email limits on the password routes, counted before any hashing. The
 * address is `request.ip`: the connection's, or the client's behind a trusted proxy
 * (POSTERN_TRUST_PROXY); X-Forwarded-For from any other peer is ignored.
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

/**
 * Plain http, or https with the configured certificate (POSTERN_TLS_CERT/POSTERN_TLS_KEY).
 * Typed as Fastify's http options: an https server is an http.Server to everything the app
 * touches, and the rest of the code never needs to know which it is.
 */
function httpServerOptions(tls: TlsConfig | null): { http: http.ServerOptions } {
  if (tls === null) return { http: { requireHostHeader: false } };
  return { https: { cert: tls.cert, key: tls.key, requireHostHeader: false } } as unknown as { http: http.ServerOptions };
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
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
    // An HTTP/1.1 request without Host is still refused (RFC 9112 §3.2), but by the hook below,
    // with the envelope, instead of by Node with an empty 400. With TLS configured Fastify
    // gives the `https` options to https.createServer (and ignores `http`), so it goes there too.
    ...httpServerOptions(deps.config.tls),
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
      // JSON can spell NUL only as an escape (a raw control character is invalid JSON).
      const problem = bodyProblem(value, MAX_JSON_DEPTH, /\\u0000/i.test(body as string));
      if (problem) return done(problem, undefined);
      done(null, value);
    });
  });

  app.setErrorHandler(errorHandler);
  registerSdkCors(app, deps.projects);

  app.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) throw new AuthError('bad_request', 'An HTTP/1.1 request must carry a Host header.');
    // NUL (U+0000) in the path or query string: no id or filter holds one, and PostgreSQL
    // refuses it as text, so it is refused before routing on both dialects.
    if (/%00/i.test(request.url)) throw new AuthError('bad_request', 'The URL may not contain the NUL character (%00).');
    return Promise.resolve();
  });

  const table = routes(deps);
  const patterns = table.map((r) => ({ method: r.method, re: matcher(r.url) }));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const known = patterns.some((p) => p.re.test(path));
    return sendError(request, reply, known ? 'method_not_allowed' : 'route_not_found', new AuthError(known ? 'method_not_allowed' : 'route_not_found').message);
  });

  const metrics = deps.metrics;
  if (metrics) {
    // Every answer, errors and unknown paths included; the route is its pattern, never the URL.
    app.addHook('onResponse', async (request, reply) => {
      metrics.observeRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
      return Promise.resolve();
    });
  }

  registerOpenApi(app, table, VERSION);
  // In a plugin registered after the OpenAPI one, so that it sees every route as it is added.
  void app.register(async (scope) => {
    scope.get('/healthz', () => ({ status: 'ok' }));
    registerOperations(scope, deps);

    for (const route of table) {
      scope.route({
        method: route.method,
        url: route.url,
        ...(route.schema ? { schema: route.schema } : {}),
        onRequest: async (request: FastifyRequest) => {
          if (route.auth === 'public_token') request.project = await authenticateSdk(deps.projects, request);
          else if (route.auth !== 'none') request.project = await authenticateProject(deps.projects, request, route.auth === 'project');
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
    return Promise.resolve();
  });
  return app;
}
