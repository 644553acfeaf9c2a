/**
 * What sets the frontend SDK routes (`/sdk/v1/*`) apart from the backend API: they are called
 * from browsers, named by a project's public token, with the user's session token (if any) in
 * the Basic credentials, and answered with CORS headers for the origins the project allows.
 * docs/compatibility.md ("Frontend SDK") gives the rules; docs/frontend.md the setup.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../errors.js';
import { originAllowed } from '../../projects/allowlists.js';
import type { Project } from '../../projects/project.js';
import type { ProjectService } from '../../projects/service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The Origin this response grants CORS to (set only once it is known to be allowed). */
    corsOrigin: string | null;
    /** Frontend routes: the session token from the Basic credentials, or null when logged out. */
    sdkSessionToken: string | null;
  }
}

export const SDK_PREFIX = '/sdk/v1/';

const ALLOW_HEADERS = 'authorization, content-type, x-sdk-client, x-sdk-parent-host';
const ALLOW_METHODS = 'GET, POST, PUT, DELETE';
/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

/** Public tokens are `public-token-test-<uuid>` / `public-token-live-<uuid>`. */
const PUBLIC_TOKEN = /^public-token-(test|live)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isSdkPath(url: string): boolean {
  return url.startsWith(SDK_PREFIX);
}

/** `public_token:secret` from an HTTP Basic header; null when absent or malformed. */
function parseBasic(header: string | undefined): { publicToken: string; secret: string } | null {
  if (!header) return null;
  const [scheme, encoded, ...rest] = header.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'basic' || !encoded || rest.length > 0) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || decoded.includes('\u0000')) return null;
  return { publicToken: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** The project a well-formed public token names, or `public_token_not_found`. */
export async function projectByPublicToken(projects: ProjectService, token: string): Promise<Project> {
  if (!PUBLIC_TOKEN.test(token)) throw new AuthError('invalid_public_token_id', 'The public token is malformed: expected public-token-test-<uuid> or public-token-live-<uuid>.');
  const project = await projects.byPublicToken(token);
  if (!project) throw new AuthError('public_token_not_found');
  return project;
}

/**
 * A browser on an origin the project does not allow is refused, and its answer carries no CORS
 * grant. A request without Origin is not from a page's script (browsers send it on every
 * cross-origin fetch): it passes, as the origin check protects browsers, not the API.
 */
export function checkOrigin(project: Project, request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (!originAllowed(project, origin)) {
    request.corsOrigin = null;
    throw new AuthError('bad_domain_for_stytch_sdk');
  }
}

/**
 * onRequest of every frontend route but bootstrap: the project from the public token in the
 * Basic credentials, its origin check, and the session token sent in place of the password
 * (the public token itself there means "no session").
 */
export async function authenticateSdk(projects: ProjectService, request: FastifyRequest): Promise<Project> {
  const creds = parseBasic(request.headers.authorization);
  if (!creds) throw new AuthError('public_token_required');
  const project = await projectByPublicToken(projects, creds.publicToken);
  checkOrigin(project, request);
  request.sdkSessionToken = creds.secret === '' || creds.secret === creds.publicToken ? null : creds.secret;
  return project;
}

/**
 * CORS for `/sdk/v1/*`. Before routing, an Origin that some project allows is granted (a
 * preflight carries no credentials, so it cannot name its project); each route then checks
 * the Origin against its own project and withdraws the grant when refused. The grant goes on
 * every answer, errors included, so the SDK can read Stytch's error envelope.
 */
export function registerSdkCors(app: FastifyInstance, projects: ProjectService): void {
  app.decorateRequest('corsOrigin', null);
  app.decorateRequest('sdkSessionToken', null);

  app.addHook('onRequest', async (request) => {
    if (!isSdkPath(request.url)) return;
    const origin = request.headers.origin;
    if (typeof origin === 'string' && (await projects.anyProjectAllowsOrigin(origin))) request.corsOrigin = origin;
  });

  app.addHook('onSend', async (request, reply: FastifyReply) => {
    if (!isSdkPath(request.url)) return;
    void reply.header('vary', 'Origin');
    if (request.corsOrigin !== null) {
      void reply.header('access-control-allow-origin', request.corsOrigin);
      void reply.header('access-control-allow-credentials', 'true');
    }
  });

  // Preflight: granted to origins some project allows, for the headers and methods the SDK uses.
  app.options(`${SDK_PREFIX}*`, async (request, reply) => {
    if (request.corsOrigin === null) throw new AuthError('bad_domain_for_stytch_sdk');
    return reply
      .code(204)
      .header('access-control-allow-methods', ALLOW_METHODS)
      .header('access-control-allow-headers', ALLOW_HEADERS)
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE))
      .send();
  });
}
