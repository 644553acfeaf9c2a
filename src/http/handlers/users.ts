import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { User } from '../../users/user.js';
import type { HttpDeps } from '../deps.js';
import { projectOf, respond } from '../respond.js';
import { userToWire } from '../wire/convert.js';
import { absent, type UserIdParams, type UserSearchBody } from '../wire/schemas.js';
import type { EmailIdParams, PasswordIdParams, PhoneIdParams, UserCreateBody, UserUpdateBody } from '../wire/user-schemas.js';

type NameBody = { first_name?: string | null; middle_name?: string | null; last_name?: string | null } | null | undefined;

function nameOf(name: NameBody) {
  return name ? { firstName: absent(name.first_name), middleName: absent(name.middle_name), lastName: absent(name.last_name) } : undefined;
}

export function userHandlers(deps: HttpDeps) {
  /** `{request_id, user_id, user, status_code}`: the answer of every call that removes part of a user. */
  const userChanged = (request: FastifyRequest, reply: FastifyReply, user: User) =>
    respond(request, reply, { user_id: user.id, user: userToWire(user, deps.clock.now()) });

  return {
    /** 201, as Stytch answers this one call (spec decision 17). */
    create: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof UserCreateBody>;
      const { user, emailId, phoneId } = await deps.users.create(projectOf(request), {
        email: absent(body.email),
        phoneNumber: absent(body.phone_number),
        name: nameOf(body.name),
        createAsPending: absent(body.create_user_as_pending),
        trustedMetadata: absent(body.trusted_metadata),
        untrustedMetadata: absent(body.untrusted_metadata),
        externalId: absent(body.external_id),
        roles: absent(body.roles),
      });
      return respond(
        request,
        reply,
        { user_id: user.id, email_id: emailId, status: user.status, phone_id: phoneId, user: userToWire(user, deps.clock.now()) },
        201,
      );
    },

    update: async (request: FastifyRequest, reply: FastifyReply) => {
      const { user_id: userId } = request.params as Static<typeof UserIdParams>;
      const body = request.body as Static<typeof UserUpdateBody>;
      const user = await deps.users.update(projectOf(request), userId, {
        name: nameOf(body.name),
        trustedMetadata: absent(body.trusted_metadata),
        untrustedMetadata: absent(body.untrusted_metadata),
        externalId: absent(body.external_id),
        roles: absent(body.roles),
      });
      const wire = userToWire(user, deps.clock.now());
      return respond(request, reply, { user_id: user.id, emails: wire.emails, phone_numbers: wire.phone_numbers, crypto_wallets: [], user: wire });
    },

    deletePassword: async (request: FastifyRequest, reply: FastifyReply) => {
      const { password_id: passwordId } = request.params as Static<typeof PasswordIdParams>;
      return userChanged(request, reply, await deps.users.deletePassword(projectOf(request), passwordId));
    },

    deleteEmail: async (request: FastifyRequest, reply: FastifyReply) => {
      const { email_id: emailId } = request.params as Static<typeof EmailIdParams>;
      return userChanged(request, reply, await deps.users.deleteEmail(projectOf(request), emailId));
    },

    deletePhoneNumber: async (request: FastifyRequest, reply: FastifyReply) => {
      const { phone_id: phoneId } = request.params as Static<typeof PhoneIdParams>;
      return userChanged(request, reply, await deps.users.deletePhoneNumber(projectOf(request), phoneId));
    },

    deleteExternalId: async (request: FastifyRequest, reply: FastifyReply) => {
      const { user_id: userId } = request.params as Static<typeof UserIdParams>;
      return userChanged(request, reply, await deps.users.deleteExternalId(projectOf(request), userId));
    },

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
      const deleted = await deps.users.delete(projectOf(request), userId);
      return respond(request, reply, { user_id: deleted });
    },
  };
}
