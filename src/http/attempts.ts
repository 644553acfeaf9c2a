/**
 * Authentication attempts, as the audit trail sees them: every answer of a route that proves
 * (or tries to prove) a credential becomes one `auth_attempt` log line and one `auth_events`
 * row, whatever answered it: the handler, a schema or rate-limit rejection, the hash queue.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.js';
import type { AuthEventSink } from '../events/writer.js';
import { newId } from '../random.js';
import { requestIdOf } from './respond.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The user this attempt concerned, once known (set by the handler or from the error). */
    attemptUserId: string | null;
    /** The attempt's outcome when it is not plain success: the error type sent (or, rarely, hidden). */
    attemptOutcome: string | null;
  }
}

/** `attempts`: every answer is recorded; `failures`: only 4xx and 5xx answers. */
export type AuditMode = 'attempts' | 'failures';

/** Notes the user a successful attempt concerned. */
export function noteAttemptUser(request: FastifyRequest, userId: string): void {
  request.attemptUserId = userId;
}

/**
 * Notes an outcome other than what the response says: a reset start that answered 200 for an
 * unknown address under enumeration protection is `email_not_found` to the operator.
 */
export function noteAttemptOutcome(request: FastifyRequest, outcome: string): void {
  request.attemptOutcome = outcome;
}

/** The onResponse hook of an audited route. */
export function attemptRecorder(events: AuthEventSink, clock: Clock, mode: AuditMode) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const project = request.project;
    const status = reply.statusCode;
    // Without a project (its credentials failed) there is no tenant to file the attempt under;
    // filing it under the project it claimed would let anyone write into any audit trail.
    if (project && (mode === 'attempts' || status >= 400)) {
      const event = {
        id: newId('auth-event', project.environment),
        projectId: project.id,
        userId: request.attemptUserId,
        route: request.routeOptions.url ?? request.url,
        outcome: request.attemptOutcome ?? (status >= 400 ? `http_${status}` : 'success'),
        clientAddress: request.ip,
        requestId: requestIdOf(request),
        createdAt: clock.now(),
      };
      request.log.info(
        {
          event: 'auth_attempt',
          project_id: event.projectId,
          user_id: event.userId,
          route: event.route,
          outcome: event.outcome,
          client_address: event.clientAddress,
          request_id: event.requestId,
        },
        'authentication attempt',
      );
      events.record(event);
    }
    done();
  };
}
