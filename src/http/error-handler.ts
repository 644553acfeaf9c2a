import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, statusOf, type ErrorType } from '../errors.js';
import { requestIdOf } from './respond.js';
import { FIELD_ERROR_TYPES } from './wire/schemas.js';

interface SchemaIssue {
  instancePath?: string;
  params?: { requiredProperties?: string[] };
}

/** The Stytch error type for a schema failure: per field where the spec names one. */
function validationType(issues: SchemaIssue[]): { type: ErrorType; field: string } {
  const first = issues[0];
  const field = first?.params?.requiredProperties?.[0] ?? first?.instancePath?.split('/')[1] ?? '';
  const type = (FIELD_ERROR_TYPES as Record<string, ErrorType>)[field] ?? 'invalid_argument';
  return { type, field };
}

/** Fastify's own errors that are the client's fault, mapped to Stytch types. */
function frameworkType(err: FastifyError): ErrorType | null {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'request_too_large';
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return 'bad_request';
  if (err instanceof SyntaxError) return 'bad_request';
  return null;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, type: ErrorType, message: string, details?: Record<string, unknown>) {
  const status = statusOf(type);
  request.attemptOutcome = type;
  return reply.code(status).send({
    status_code: status,
    request_id: requestIdOf(request),
    error_type: type,
    error_message: message,
    error_url: `https://stytch.com/docs/api/errors/${status}#${type}`,
    ...(details ? { error_details: details } : {}),
  });
}

/**
 * Every error leaves as a Stytch envelope. Unexpected ones become a 500 with no detail; the
 * detail goes to the log with the request id.
 */
export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (err instanceof AuthError) {
    if (err.userId !== undefined) request.attemptUserId ??= err.userId;
    if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
    if (err.type === 'internal_server_error') request.log.error({ err, request_id: requestIdOf(request) }, 'internal error');
    return sendError(request, reply, err.type, err.message, err.details);
  }
  if (err.validation) {
    const { type, field } = validationType(err.validation);
    const message = field ? `The ${field} field is missing or has the wrong type.` : 'The request body must be a JSON object.';
    return sendError(request, reply, type, message);
  }
  const framework = frameworkType(err);
  if (framework) return sendError(request, reply, framework, new AuthError(framework).message);
  request.log.error({ err, request_id: requestIdOf(request) }, 'unhandled error');
  return sendError(request, reply, 'internal_server_error', new AuthError('internal_server_error').message);
}
