import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { HttpDeps } from '../deps.js';
import { noteAttemptOutcome, noteAttemptUser } from '../attempts.js';
import { projectOf, respond } from '../respond.js';
import { authResponseToWire } from '../wire/convert.js';
import { absent, type EmailResetBody, type EmailResetStartBody, type SessionResetBody } from '../wire/schemas.js';
import { sessionRequestOf } from './passwords.js';

type AttributesBody = { ip_address?: string | null; user_agent?: string | null } | null | undefined;

function attributesOf(a: AttributesBody) {
  return a ? { ipAddress: absent(a.ip_address), userAgent: absent(a.user_agent) } : undefined;
}

export function passwordResetHandlers(deps: HttpDeps) {
  return {
    bySession: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof SessionResetBody>;
      const result = await deps.resets.bySession(projectOf(request), { password: body.password, session: sessionRequestOf(body) });
      noteAttemptUser(request, result.user.id);
      return respond(request, reply, authResponseToWire(result.user, result.session, deps.clock.now()));
    },

    startByEmail: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof EmailResetStartBody>;
      const result = await deps.resets.startByEmail(projectOf(request), {
        email: body.email,
        resetPasswordRedirectUrl: absent(body.reset_password_redirect_url),
        resetPasswordExpirationMinutes: absent(body.reset_password_expiration_minutes),
        codeChallenge: absent(body.code_challenge),
        attributes: attributesOf(body.attributes),
        loginRedirectUrl: absent(body.login_redirect_url),
        locale: absent(body.locale),
        resetPasswordTemplateId: absent(body.reset_password_template_id),
      });
      // Empty ids: an unknown address answered like a known one (enumeration protection).
      if (result.userId === '') noteAttemptOutcome(request, 'email_not_found');
      else noteAttemptUser(request, result.userId);
      return respond(request, reply, { user_id: result.userId, email_id: result.emailId });
    },

    byEmail: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof EmailResetBody>;
      const options = absent(body.options);
      const result = await deps.resets.byEmail(projectOf(request), {
        token: body.token,
        password: body.password,
        session: sessionRequestOf(body),
        codeVerifier: absent(body.code_verifier),
        attributes: attributesOf(body.attributes),
        options: options ? { ipMatchRequired: absent(options.ip_match_required), userAgentMatchRequired: absent(options.user_agent_match_required) } : undefined,
      });
      noteAttemptUser(request, result.user.id);
      return respond(request, reply, authResponseToWire(result.user, result.session, deps.clock.now()));
    },
  };
}
