import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { SessionRequest } from '../../sessions/service.js';
import type { HttpDeps } from '../deps.js';
import { noteAttemptUser } from '../attempts.js';
import { projectOf, respond } from '../respond.js';
import { authResponseToWire, userToWire } from '../wire/convert.js';
import {
  absent,
  type ExistingPasswordResetBody,
  type PasswordAuthenticateBody,
  type MigrateBody,
  type PasswordCreateBody,
  type StrengthCheckBody,
} from '../wire/schemas.js';

type NameBody = { first_name?: string | null; middle_name?: string | null; last_name?: string | null } | null | undefined;

function nameOf(name: NameBody) {
  return name ? { firstName: absent(name.first_name), middleName: absent(name.middle_name), lastName: absent(name.last_name) } : undefined;
}

/** `{a: null, b: 1}` → `{b: 1}`: explicit nulls inside config objects mean absent too. */
function defined<T extends Record<string, unknown>>(obj: T | null | undefined): { [K in keyof T]?: Exclude<T[K], null> } | undefined {
  if (!obj) return undefined;
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]?: Exclude<T[K], null> };
}

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
        name: nameOf(body.name),
        trustedMetadata: absent(body.trusted_metadata) as Record<string, unknown> | undefined,
        untrustedMetadata: absent(body.untrusted_metadata) as Record<string, unknown> | undefined,
        session: { durationMinutes: absent(body.session_duration_minutes), customClaims: absent(body.session_custom_claims) },
      });
      noteAttemptUser(request, result.user.id);
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
      noteAttemptUser(request, result.user.id);
      return respond(request, reply, authResponseToWire(result.user, result.session, deps.clock.now()));
    },

    migrate: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof MigrateBody>;
      const salts = (c: { prepend_salt?: string | null; append_salt?: string | null } | null | undefined) =>
        c ? { prependSalt: absent(c.prepend_salt), appendSalt: absent(c.append_salt) } : undefined;
      const argon2 = defined(body.argon_2_config);
      const scrypt = defined(body.scrypt_config);
      const pbkdf2 = defined(body.pbkdf_2_config);
      const result = await deps.migration.migrate(projectOf(request), {
        email: body.email,
        hash: {
          hashType: body.hash_type,
          hash: body.hash,
          md5Config: salts(body.md_5_config),
          sha1Config: salts(body.sha_1_config),
          sha512Config: salts(body.sha_512_config),
          argon2Config: argon2 && {
            salt: argon2.salt,
            iterationAmount: argon2.iteration_amount,
            memory: argon2.memory,
            threads: argon2.threads,
            keyLength: argon2.key_length,
          },
          scryptConfig: scrypt && {
            salt: scrypt.salt,
            nParameter: scrypt.n_parameter,
            rParameter: scrypt.r_parameter,
            pParameter: scrypt.p_parameter,
            keyLength: scrypt.key_length,
          },
          pbkdf2Config: pbkdf2 && {
            salt: pbkdf2.salt,
            iterationAmount: pbkdf2.iteration_amount,
            keyLength: pbkdf2.key_length,
            algorithm: pbkdf2.algorithm,
          },
        },
        name: nameOf(body.name),
        trustedMetadata: absent(body.trusted_metadata) as Record<string, unknown> | undefined,
        untrustedMetadata: absent(body.untrusted_metadata) as Record<string, unknown> | undefined,
        setEmailVerified: absent(body.set_email_verified),
        phoneNumber: absent(body.phone_number),
        setPhoneNumberVerified: absent(body.set_phone_number_verified),
        externalId: absent(body.external_id),
        roles: absent(body.roles),
      });
      return respond(request, reply, {
        user_id: result.user.id,
        email_id: result.emailId,
        user_created: result.userCreated,
        user: userToWire(result.user, deps.clock.now()),
      });
    },

    strengthCheck: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof StrengthCheckBody>;
      const result = await deps.passwords.strengthCheck(projectOf(request), { password: body.password, email: absent(body.email) });
      const luds = result.feedback.ludsRequirements;
      return respond(request, reply, {
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

    resetExisting: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Static<typeof ExistingPasswordResetBody>;
      const result = await deps.passwords.resetExisting(projectOf(request), {
        email: body.email,
        existingPassword: body.existing_password,
        newPassword: body.new_password,
        session: sessionRequestOf(body),
      });
      noteAttemptUser(request, result.user.id);
      return respond(request, reply, authResponseToWire(result.user, result.session, deps.clock.now()));
    },
  };
}
