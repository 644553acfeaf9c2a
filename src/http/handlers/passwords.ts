import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { SessionRequest } from '../../sessions/service.js';
import type { HttpDeps } from '../deps.js';
import { projectOf, respond } from '../respond.js';
import { authResponseToWire } from '../wire/convert.js';
import {
  absent,
  type ExistingPasswordResetBody,
  type PasswordAuthenticateBody,
  type PasswordCreateBody,
} from '../wire/schemas.js';

type SessionBody = {
  session_token?: string | null;
  session_jwt?: string | null;
  session_duration_minutes?: number | null;
  session_custom_claims?: Record<string, unknown> | null;
};

export function sessionRequestOf(body: SessionBody): SessionRequest {
  return {
    sessionToken: absent(body.session_token),
    sessionJwt: absent(body.session_jwt),
    durationMinutes: absent(body.session_duration_minutes),
    customClaims: absent(body.session_custom_claims),
  };
}

export function passwordHandlers(deps: HttpDeps) {
  return {
    create: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof PasswordCreateBody>;
      const result = await deps.passwords.create(projectOf(request), {
        email: body.email,
        password: body.password,
        name: body.name
          ? {
              firstName: absent(body.name.first_name),
              middleName: absent(body.name.middle_name),
              lastName: absent(body.name.last_name),
            }
          : undefined,
        trustedMetadata: absent(body.trusted_metadata) as Record<string, unknown> | undefined,
        untrustedMetadata: absent(body.untrusted_metadata) as Record<string, unknown> | undefined,
        session: { durationMinutes: absent(body.session_duration_minutes), customClaims: absent(body.session_custom_claims) },
      });
      return respond(request, reply, {
        ...authResponseToWire(result.user, result.session, deps.clock.now()),
        email_id: result.emailId,
      });
    },

    authenticate: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof PasswordAuthenticateBody>;
      const result = await deps.passwords.authenticate(projectOf(request), {
        email: body.email,
        password: body.password,
        session: sessionRequestOf(body),
      });
      return respond(request, reply, authResponseToWire(result.user, result.session, deps.clock.now()));
    },

    resetExisting: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof ExistingPasswordResetBody>;
      const result = await deps.passwords.resetExisting(projectOf(request), {
        email: body.email,
        existingPassword: body.existing_password,
        newPassword: body.new_password,
        session: sessionRequestOf(body),
      });
      return respond(request, reply, authResponseToWire(result.user, result.session, deps.clock.now()));
    },
  };
}
