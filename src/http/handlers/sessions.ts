import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { AuthError } from '../../errors.js';
import type { HttpDeps } from '../deps.js';
import { projectOf, respond } from '../respond.js';
import type { AuthorizationVerdict } from '../../rbac/policy.js';
import { sessionToWire, userToWire, verdictToWire } from '../wire/convert.js';
import { absent, type ProjectIdParams, type SessionAuthenticateBody, type SessionRevokeBody, type SessionsQuery } from '../wire/schemas.js';
import { sessionRequestOf } from './passwords.js';

export function sessionHandlers(deps: HttpDeps) {
  return {
    authenticate: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof SessionAuthenticateBody>;
      const project = projectOf(request);
      const req = sessionRequestOf(body);
      if (req.sessionToken === undefined && req.sessionJwt === undefined) {
        throw new AuthError('no_session_arguments', 'Provide session_token or session_jwt.');
      }
      const check = body.authorization_check ? { resourceId: body.authorization_check.resource_id, action: body.authorization_check.action } : null;
      // The check is evaluated on the user's current roles before the session is touched: a
      // refused check neither extends the session nor merges claims.
      let verdict: AuthorizationVerdict | null = null;
      const held = await deps.sessions.authenticate(
        project,
        req,
        check
          ? async (session) => {
              const holder = await deps.users.get(project, session.userId);
              verdict = await deps.rbac.authorize(project, holder.roles, check);
            }
          : undefined,
      );
      const user = await deps.users.get(project, held.session.userId);
      const issued = await deps.sessions.issue(project, user.roles, held);
      return respond(request, reply, {
        session: sessionToWire(issued.session, user.roles),
        session_token: issued.token,
        session_jwt: issued.jwt,
        user: userToWire(user, deps.clock.now()),
        ...(verdict ? { verdict: verdictToWire(verdict) } : {}),
      });
    },

    list: async (request: FastifyRequest, reply: FastifyReply) => {
      const query = request.query as Static<typeof SessionsQuery>;
      const project = projectOf(request);
      const user = await deps.users.get(project, query.user_id);
      const sessions = await deps.sessions.listActive(project, user.id);
      return respond(request, reply, { sessions: sessions.map((s) => sessionToWire(s, user.roles)) });
    },

    revoke: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof SessionRevokeBody>;
      await deps.sessions.revoke(projectOf(request), {
        sessionId: absent(body.session_id),
        sessionToken: absent(body.session_token),
        sessionJwt: absent(body.session_jwt),
      });
      return respond(request, reply, {});
    },

    /** Public: the SDKs fetch it without credentials. Credentials, if sent, must match the path. */
    jwks: async (request: FastifyRequest, reply: FastifyReply) => {
      const { project_id: projectId } = request.params as Static<typeof ProjectIdParams>;
      const project = request.project ?? (await deps.projects.get(projectId));
      if (!project || project.id !== projectId) throw new AuthError('project_not_found');
      return respond(request, reply, { keys: await deps.keys.jwks(project) });
    },
  };
}
