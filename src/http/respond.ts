import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Environment } from '../random.js';
import { newId } from '../random.js';
import type { Project } from '../projects/project.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The project whose Basic credentials authenticated this request, if any. */
    project: Project | null;
    /** The Stytch-shaped request id, drawn when the response is written. */
    stytchRequestId: string | null;
  }
}

/** The test/live word for ids in this response: the project's, or guessed from the header. */
function environmentOf(request: FastifyRequest): Environment {
  if (request.project) return request.project.environment;
  const header = request.headers.authorization ?? '';
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    if (decoded.startsWith('project-live-') || decoded.startsWith('public-token-live-')) return 'live';
  }
  return 'test';
}

export function requestIdOf(request: FastifyRequest): string {
  request.stytchRequestId ??= newId('request-id', environmentOf(request));
  return request.stytchRequestId;
}

/** The authenticated project; routes that call this are registered with project auth. */
export function projectOf(request: FastifyRequest): Project {
  if (!request.project) throw new Error('route registered without project auth');
  return request.project;
}

/** Sends a success body with the `request_id` and `status_code` every Stytch response has. */
export function respond(request: FastifyRequest, reply: FastifyReply, body: object, status = 200): FastifyReply {
  return reply.code(status).send({ request_id: requestIdOf(request), ...body, status_code: status });
}
