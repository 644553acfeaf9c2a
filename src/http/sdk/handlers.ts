/**
 * The frontend routes (`/sdk/v1/*`) as thin adapters over the same services as `/v1`. Every
 * success body is wrapped as `{"data": {...}}`; errors leave in the usual envelope.
 * Authenticating calls always start a new session (the SDK keeps one session per browser and
 * replaces it); the calls that need the current session take it from the Basic credentials.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { AuthError } from '../../errors.js';
import type { Project } from '../../projects/project.js';
import type { HeldSession } from '../../sessions/service.js';
import type { HttpDeps } from '../deps.js';
import { noteAttemptOutcome, noteAttemptUser } from '../attempts.js';
import { projectOf, requestIdOf } from '../respond.js';
import { authResponseToWire, policyToWire, sessionToWire, userToWire } from '../wire/convert.js';
import { absent } from '../wire/schemas.js';
import { checkOrigin, projectByPublicToken } from './browser.js';
import type * as S from './schemas.js';

/** The session length when a call names none: the prebuilt UI's own default. */
export const SDK_DEFAULT_SESSION_MINUTES = 30;

/** `{data: {request_id, ...body, status_code}}`: the frontend SDK reads `data`. */
function respondData(request: FastifyRequest, reply: FastifyReply, body: object): FastifyReply {
  return reply.code(200).send({ data: { request_id: requestIdOf(request), ...body, status_code: 200 } });
}

function duration(minutes: number | null | undefined): number {
  return minutes ?? SDK_DEFAULT_SESSION_MINUTES;
}

/**
 * The session token the SDK sent, or `unauthorized_credentials` when it sent none (logged
 * out). A token that is not one of ours is `session_not_found`: the SDK then forgets it.
 */
function sessionTokenOf(request: FastifyRequest): string {
  if (request.sdkSessionToken === null) throw new AuthError('unauthorized_credentials', 'This call needs a session: log in first.');
  return request.sdkSessionToken;
}

async function notFoundIfMalformed<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AuthError && err.type === 'invalid_session_token') throw new AuthError('session_not_found');
    throw err;
  }
}

async function currentSession(deps: HttpDeps, project: Project, request: FastifyRequest): Promise<HeldSession> {
  return notFoundIfMalformed(deps.sessions.resolve(project, { sessionToken: sessionTokenOf(request) }));
}

export function sdkHandlers(deps: HttpDeps) {
  const now = () => deps.clock.now();
  return {
    /** Public: what the SDK needs to know about the project before the first call. */
    bootstrap: async (request: FastifyRequest, reply: FastifyReply) => {
      const { public_token: token } = request.params as Static<typeof S.PublicTokenParams>;
      const project = await projectByPublicToken(deps.projects, token);
      request.project = project;
      checkOrigin(project, request);
      const s = project.settings;
      return respondData(request, reply, {
        project_name: project.id,
        disable_sdk_watermark: true,
        cname_domain: null,
        email_domains: [],
        captcha_settings: { enabled: false },
        pkce_required_for_email_magic_links: false,
        pkce_required_for_password_resets: false,
        pkce_required_for_oauth: false,
        pkce_required_for_sso: false,
        slug_pattern: '',
        create_organization_enabled: false,
        password_config: s.passwordStrengthPolicy === 'luds' ? { luds_complexity: s.ludsMinPasswordComplexity, luds_minimum_count: s.ludsMinPasswordLength } : null,
        dfp_protected_auth_enabled: false,
        dfp_protected_auth_mode: null,
        rbac_policy: policyToWire(await deps.rbac.policy(project.id)),
        siwe_required_for_crypto_wallets: false,
        vertical: 'CONSUMER',
      });
    },

    passwordCreate: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof S.SdkPasswordCreateBody>;
      const result = await deps.passwords.create(projectOf(request), {
        email: body.email,
        password: body.password,
        session: { durationMinutes: duration(body.session_duration_minutes) },
      });
      noteAttemptUser(request, result.user.id);
      return respondData(request, reply, { ...authResponseToWire(result.user, result.session, now()), email_id: result.emailId });
    },

    passwordAuthenticate: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof S.SdkPasswordAuthenticateBody>;
      const result = await deps.passwords.authenticate(projectOf(request), {
        email: body.email,
        password: body.password,
        session: { durationMinutes: duration(body.session_duration_minutes) },
      });
      noteAttemptUser(request, result.user.id);
      return respondData(request, reply, authResponseToWire(result.user, result.session, now()));
    },

    strengthCheck: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof S.SdkStrengthCheckBody>;
      const result = await deps.passwords.strengthCheck(projectOf(request), { password: body.password, email: absent(body.email) });
      const luds = result.feedback.ludsRequirements;
      return respondData(request, reply, {
        valid_password: result.validPassword,
        score: result.score,
        breached_password: result.breachedPassword,
        strength_policy: result.strengthPolicy,
        breach_detection_on_create: result.breachDetectionOnCreate,
        feedback: {
          warning: result.feedback.warning,
          suggestions: result.feedback.suggestions,
          luds_requirements: luds
            ? {
                has_lower_case: luds.hasLowerCase,
                has_upper_case: luds.hasUpperCase,
                has_digit: luds.hasDigit,
                has_symbol: luds.hasSymbol,
                missing_complexity: luds.missingComplexity,
                missing_characters: luds.missingCharacters,
              }
            : null,
        },
      });
    },

    /** Answers no ids: from a browser they would tell anyone which addresses have accounts. */
    emailResetStart: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof S.SdkEmailResetStartBody>;
      const result = await deps.resets.startByEmail(projectOf(request), {
        email: body.email,
        resetPasswordRedirectUrl: absent(body.reset_password_redirect_url),
        resetPasswordExpirationMinutes: absent(body.reset_password_expiration_minutes),
        codeChallenge: absent(body.code_challenge),
        loginRedirectUrl: absent(body.login_redirect_url),
        locale: absent(body.locale),
        resetPasswordTemplateId: absent(body.reset_password_template_id),
      });
      if (result.userId === '') noteAttemptOutcome(request, 'email_not_found');
      else noteAttemptUser(request, result.userId);
      return respondData(request, reply, {});
    },

    emailReset: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof S.SdkEmailResetBody>;
      const result = await deps.resets.byEmail(projectOf(request), {
        token: body.token,
        password: body.password,
        session: { durationMinutes: duration(body.session_duration_minutes) },
        codeVerifier: absent(body.code_verifier),
      });
      noteAttemptUser(request, result.user.id);
      return respondData(request, reply, authResponseToWire(result.user, result.session, now()));
    },

    existingPasswordReset: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof S.SdkExistingPasswordResetBody>;
      const result = await deps.passwords.resetExisting(projectOf(request), {
        email: body.email,
        existingPassword: body.existing_password,
        newPassword: body.new_password,
        session: { durationMinutes: duration(body.session_duration_minutes) },
      });
      noteAttemptUser(request, result.user.id);
      return respondData(request, reply, authResponseToWire(result.user, result.session, now()));
    },

    /** The password of the logged-in user, proven by the session in the credentials. */
    sessionReset: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof S.SdkSessionResetBody>;
      const result = await notFoundIfMalformed(
        deps.resets.bySession(projectOf(request), {
          password: body.password,
          session: { sessionToken: sessionTokenOf(request), durationMinutes: absent(body.session_duration_minutes) },
        }),
      );
      noteAttemptUser(request, result.user.id);
      return respondData(request, reply, authResponseToWire(result.user, result.session, now()));
    },

    /**
     * Without a session, or with a dead one, always `session_not_found`: the SDK forgets its
     * session on that type, and retries on others.
     */
    sessionAuthenticate: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof S.SdkSessionAuthenticateBody>;
      const project = projectOf(request);
      if (request.sdkSessionToken === null) throw new AuthError('session_not_found');
      const held = await notFoundIfMalformed(
        deps.sessions.authenticate(project, { sessionToken: request.sdkSessionToken, durationMinutes: absent(body.session_duration_minutes) }),
      );
      const user = await deps.users.get(project, held.session.userId);
      noteAttemptUser(request, user.id);
      const issued = await deps.sessions.issue(project, user.roles, held);
      return respondData(request, reply, {
        session: sessionToWire(issued.session, user.roles),
        session_token: issued.token,
        session_jwt: issued.jwt,
        user: userToWire(user, now()),
      });
    },

    sessionRevoke: async (request: FastifyRequest, reply: FastifyReply) => {
      const token = sessionTokenOf(request);
      await notFoundIfMalformed(deps.sessions.revoke(projectOf(request), { sessionToken: token }));
      return respondData(request, reply, {});
    },

    userGet: async (request: FastifyRequest, reply: FastifyReply) => {
      const project = projectOf(request);
      const held = await currentSession(deps, project, request);
      const user = await deps.users.get(project, held.session.userId);
      return respondData(request, reply, userToWire(user, now()));
    },

    /** The user's own name and untrusted metadata; trusted metadata is the backend's alone. */
    userUpdate: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof S.SdkUserUpdateBody>;
      if (body.trusted_metadata !== undefined) throw new AuthError('cannot_update_trusted_metadata');
      const project = projectOf(request);
      const held = await currentSession(deps, project, request);
      const name = absent(body.name);
      const user = await deps.users.update(project, held.session.userId, {
        name: name ? { firstName: absent(name.first_name), middleName: absent(name.middle_name), lastName: absent(name.last_name) } : undefined,
        untrustedMetadata: absent(body.untrusted_metadata),
      });
      const wire = userToWire(user, now());
      // The SDK refreshes its cached user from `__user`.
      return respondData(request, reply, {
        user_id: user.id,
        emails: wire.emails,
        phone_numbers: wire.phone_numbers,
        crypto_wallets: [],
        __user: { request_id: requestIdOf(request), ...wire, status_code: 200 },
      });
    },

    userSearch: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof S.SdkUserSearchBody>;
      return respondData(request, reply, { userType: await deps.users.signInMethod(projectOf(request), body.email) });
    },

    /** The SDK's telemetry: accepted so that it does not retry, and not kept. */
    events: async (request: FastifyRequest, reply: FastifyReply) => respondData(request, reply, {}),
  };
}
