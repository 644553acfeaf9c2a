import type { FastifyRequest } from 'fastify';
import { AuthError } from '../errors.js';
import type { Project } from '../projects/project.js';
import type { ProjectService } from '../projects/service.js';

/** Project id and secret from an HTTP Basic header, or null when there is none or it is malformed. */
function parseBasic(header: string | undefined): { projectId: string; secret: string } | null {
  if (!header) return null;
  const [scheme, encoded, ...rest] = header.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'basic' || !encoded || rest.length > 0) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // No project id or secret holds a NUL; one that does is malformed (PostgreSQL refuses it as text).
  if (colon <= 0 || decoded.includes('\u0000')) return null;
  return { projectId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/**
 * The project named by the request's Basic credentials. `required: false` lets a request
 * without an Authorization header through as anonymous (JWKS); wrong credentials never pass.
 */
export async function authenticateProject(projects: ProjectService, request: FastifyRequest, required: boolean): Promise<Project | null> {
  const header = request.headers.authorization;
  if (header === undefined && !required) return null;
  const creds = parseBasic(header);
  const project = creds ? await projects.authenticate(creds.projectId, creds.secret) : null;
  if (!project) throw new AuthError('unauthorized_credentials');
  return project;
}
