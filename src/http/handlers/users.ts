import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { HttpDeps } from '../deps.js';
import { projectOf, respond } from '../respond.js';
import { userToWire } from '../wire/convert.js';
import { absent, type UserIdParams, type UserSearchBody } from '../wire/schemas.js';

export function userHandlers(deps: HttpDeps) {
  return {
    /** Stytch returns the user's fields at the top level, not nested under `user`. */
    get: async (request: FastifyRequest, reply: FastifyReply) => {
      const { user_id: userId } = request.params as Static<typeof UserIdParams>;
      const user = await deps.users.get(projectOf(request), userId);
      return respond(request, reply, userToWire(user, deps.clock.now()));
    },

    search: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof UserSearchBody>;
      const query = absent(body.query);
      const result = await deps.users.search(projectOf(request), {
        cursor: absent(body.cursor),
        limit: absent(body.limit),
        query: query ? { operator: absent(query.operator), operands: absent(query.operands) } : undefined,
      });
      const now = deps.clock.now();
      return respond(request, reply, {
        results: result.users.map((u) => userToWire(u, now)),
        results_metadata: { total: result.total, next_cursor: result.nextCursor },
      });
    },

    delete: async (request: FastifyRequest, reply: FastifyReply) => {
      const { user_id: userId } = request.params as Static<typeof UserIdParams>;
      await deps.users.delete(projectOf(request), userId);
      return respond(request, reply, { user_id: userId });
    },
  };
}
