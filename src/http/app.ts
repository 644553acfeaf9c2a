import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { AuthError } from '../errors.js';
import type { HttpDeps } from './deps.js';
import { errorHandler, sendError } from './error-handler.js';
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
  });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.decorateRequest('project', null);
  app.decorateRequest('stytchRequestId', null);

  // JSON bodies only (any other content type is refused as bad_request), with an empty body
  // accepted as absent: Go and Python send DELETE and GET with a JSON content type and no body.
  const parseJson = app.getDefaultJsonParser('error', 'remove');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) {
      done(null, undefined);
      return;
    }
    void parseJson(request, body as string, done);
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
      handler: route.handler,
    });
  }
  return app;
}
