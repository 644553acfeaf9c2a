/**
 * Request schemas, in Stytch's snake_case. They check JSON types only; the rules (email
 * syntax, duration range, claim limits) live in the domain services. Optional fields accept
 * an explicit `null`, which the Node SDK may send, and mean "absent" (see `absent()`).
 */
import { Type, type TSchema } from 'typebox';

const Obj = Type.Record(Type.String(), Type.Unknown());

export function opt<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()]));
}

/** `null` → `undefined`: explicit null means absent for optional fields. */
export function absent<T>(value: T | null | undefined): T | undefined {
  return value ?? undefined;
}

export const SessionFields = {
  session_token: opt(Type.String()),
  session_jwt: opt(Type.String()),
  session_duration_minutes: opt(Type.Integer()),
  session_custom_claims: opt(Obj),
  telemetry_id: opt(Type.String({ maxLength: 1024 })),
};

/** Each part of a user's name; longer is refused as invalid_argument. */
const NamePart = Type.String({ maxLength: 256 });

export const PasswordCreateBody = Type.Object({
  email: Type.String(),
  password: Type.String(),
  name: opt(
    Type.Object({
      first_name: opt(NamePart),
      middle_name: opt(NamePart),
      last_name: opt(NamePart),
    }),
  ),
  trusted_metadata: opt(Type.Unknown()),
  untrusted_metadata: opt(Type.Unknown()),
  session_duration_minutes: SessionFields.session_duration_minutes,
  session_custom_claims: SessionFields.session_custom_claims,
  telemetry_id: SessionFields.telemetry_id,
});

export const PasswordAuthenticateBody = Type.Object({
  email: Type.String(),
  password: Type.String(),
  ...SessionFields,
});

export const ExistingPasswordResetBody = Type.Object({
  email: Type.String(),
  existing_password: Type.String(),
  new_password: Type.String(),
  ...SessionFields,
});

const SaltConfig = Type.Object({ prepend_salt: opt(Type.String()), append_salt: opt(Type.String()) });

export const MigrateBody = Type.Object({
  email: Type.String(),
  hash: Type.String({ maxLength: 4096 }),
  hash_type: Type.String(),
  md_5_config: opt(SaltConfig),
  sha_1_config: opt(SaltConfig),
  sha_512_config: opt(SaltConfig),
  argon_2_config: opt(
    Type.Object({
      salt: opt(Type.String()),
      iteration_amount: opt(Type.Integer()),
      memory: opt(Type.Integer()),
      threads: opt(Type.Integer()),
      key_length: opt(Type.Integer()),
    }),
  ),
  scrypt_config: opt(
    Type.Object({
      salt: opt(Type.String()),
      n_parameter: opt(Type.Integer()),
      r_parameter: opt(Type.Integer()),
      p_parameter: opt(Type.Integer()),
      key_length: opt(Type.Integer()),
    }),
  ),
  pbkdf_2_config: opt(
    Type.Object({
      salt: opt(Type.String()),
      iteration_amount: opt(Type.Integer()),
      key_length: opt(Type.Integer()),
      algorithm: opt(Type.String()),
    }),
  ),
  trusted_metadata: opt(Type.Unknown()),
  untrusted_metadata: opt(Type.Unknown()),
  set_email_verified: opt(Type.Boolean()),
  name: opt(Type.Object({ first_name: opt(NamePart), middle_name: opt(NamePart), last_name: opt(NamePart) })),
  phone_number: opt(Type.String({ maxLength: 32 })),
  set_phone_number_verified: opt(Type.Boolean()),
  external_id: opt(Type.String({ maxLength: 1024 })),
  roles: opt(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000 })),
});

const AttributesBody = Type.Object({ ip_address: opt(Type.String({ maxLength: 256 })), user_agent: opt(Type.String({ maxLength: 2048 })) });

export const SessionResetBody = Type.Object({
  password: Type.String(),
  ...SessionFields,
});

export const EmailResetStartBody = Type.Object({
  email: Type.String(),
  reset_password_redirect_url: opt(Type.String({ maxLength: 2048 })),
  reset_password_expiration_minutes: opt(Type.Integer()),
  code_challenge: opt(Type.String({ maxLength: 256 })),
  attributes: opt(AttributesBody),
  login_redirect_url: opt(Type.String({ maxLength: 2048 })),
  locale: opt(Type.String({ maxLength: 32 })),
  reset_password_template_id: opt(Type.String({ maxLength: 256 })),
});

export const EmailResetBody = Type.Object({
  token: Type.String({ maxLength: 256 }),
  password: Type.String(),
  code_verifier: opt(Type.String({ maxLength: 256 })),
  attributes: opt(AttributesBody),
  options: opt(Type.Object({ ip_match_required: opt(Type.Boolean()), user_agent_match_required: opt(Type.Boolean()) })),
  ...SessionFields,
});

export const StrengthCheckBody = Type.Object({
  password: Type.String(),
  email: opt(Type.String()),
});

export const SessionAuthenticateBody = Type.Object({
  session_token: SessionFields.session_token,
  session_jwt: SessionFields.session_jwt,
  session_duration_minutes: SessionFields.session_duration_minutes,
  session_custom_claims: SessionFields.session_custom_claims,
  /** RBAC: `{resource_id, action}`; other keys (B2B's organization_id) are ignored. */
  authorization_check: opt(Type.Object({ resource_id: Type.String({ maxLength: 1024 }), action: Type.String({ maxLength: 1024 }) })),
});

export const SessionRevokeBody = Type.Object({
  session_id: opt(Type.String()),
  session_token: opt(Type.String()),
  session_jwt: opt(Type.String()),
});

export const SessionsQuery = Type.Object({
  user_id: Type.String(),
});

export const UserSearchBody = Type.Object({
  cursor: opt(Type.String({ maxLength: 1024 })),
  limit: opt(Type.Integer()),
  query: opt(
    Type.Object({
      operator: opt(Type.String()),
      operands: opt(Type.Array(Type.Object({ filter_name: Type.Optional(Type.Unknown()), filter_value: Type.Optional(Type.Unknown()) }), { maxItems: 100 })),
    }),
  ),
});

export const UserIdParams = Type.Object({ user_id: Type.String() });
export const ProjectIdParams = Type.Object({ project_id: Type.String() });

/** Per-field error types for schema failures; any other field gets `invalid_argument`. */
export const FIELD_ERROR_TYPES = {
  session_duration_minutes: 'invalid_session_duration_minutes',
  session_custom_claims: 'unable_to_represent_custom_claims_json',
  trusted_metadata: 'metadata_invalid_format',
  untrusted_metadata: 'metadata_invalid_format',
  reset_password_expiration_minutes: 'invalid_expiration',
  limit: 'user_search_invalid_limit',
  cursor: 'user_search_invalid_cursor',
} as const;
