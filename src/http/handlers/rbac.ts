import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from '../deps.js';
import { projectOf, respond } from '../respond.js';
import { policyToWire } from '../wire/convert.js';

export function rbacHandlers(deps: HttpDeps) {
  return {
    /** GET /v1/rbac/policy: the backend SDKs cache it (5 minutes) to evaluate checks on JWTs locally. */
    policy: async (request: FastifyRequest, reply: FastifyReply) => {
      const policy = await deps.rbac.policy(projectOf(request).id);
      return respond(request, reply, { policy: policyToWire(policy) });
    },
  };
}
