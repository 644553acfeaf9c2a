import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { HttpDeps } from '../deps.js';
import { projectOf, respond } from '../respond.js';
import { userToWire } from '../wire/convert.js';
import type { UserIdParams } from '../wire/schemas.js';

export function userHandlers(deps: HttpDeps) {
  return {
    /** Stytch returns the user's fields at the top level, not nested under `user`. */
    get: async (request: FastifyRequest, reply: FastifyReply) => {
      const { user_id: userId } = request.params as Static<typeof UserIdParams>;
      const user = await deps.users.get(projectOf(request), userId);
      return respond(request, reply, userToWire(user, deps.clock.now()));
    },

    delete: async (request: FastifyRequest, reply: FastifyReply) => {
      const { user_id: userId } = request.params as Static<typeof UserIdParams>;
      await deps.users.delete(projectOf(request), userId);
      return respond(request, reply, { user_id: userId });
    },
  };
}
