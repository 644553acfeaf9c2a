/**
 * Request schemas of the frontend routes: only what `@stytch/vanilla-js` sends and a browser
 * may decide. Fields a browser must not set (trusted metadata, custom claims, roles, reset
 * attributes) are not read; the SDK's own extras (captcha_token, dfp_telemetry_id) are
 * accepted and ignored, like any other unknown field.
 */
import { Type } from 'typebox';
import { opt } from '../wire/schemas.js';

const Duration = opt(Type.Integer());

export const SdkPasswordCreateBody = Type.Object({
  email: Type.String(),
  password: Type.String(),
  session_duration_minutes: Duration,
});

export const SdkPasswordAuthenticateBody = SdkPasswordCreateBody;

export const SdkStrengthCheckBody = Type.Object({
  email: opt(Type.String()),
  password: Type.String(),
});

export const SdkEmailResetStartBody = Type.Object({
  email: Type.String(),
  login_redirect_url: opt(Type.String({ maxLength: 2048 })),
  reset_password_redirect_url: opt(Type.String({ maxLength: 2048 })),
  reset_password_expiration_minutes: opt(Type.Integer()),
  reset_password_template_id: opt(Type.String({ maxLength: 256 })),
  locale: opt(Type.String({ maxLength: 32 })),
  code_challenge: opt(Type.String({ maxLength: 256 })),
});

export const SdkEmailResetBody = Type.Object({
  token: Type.String({ maxLength: 256 }),
  password: Type.String(),
  session_duration_minutes: Duration,
  code_verifier: opt(Type.String({ maxLength: 256 })),
});

export const SdkExistingPasswordResetBody = Type.Object({
  email: Type.String(),
  existing_password: Type.String(),
  new_password: Type.String(),
  session_duration_minutes: Duration,
});

export const SdkSessionResetBody = Type.Object({
  password: Type.String(),
  session_duration_minutes: Duration,
});

export const SdkSessionAuthenticateBody = Type.Object({
  session_duration_minutes: Duration,
});

const NamePart = Type.String({ maxLength: 256 });

export const SdkUserUpdateBody = Type.Object({
  name: opt(Type.Object({ first_name: opt(NamePart), middle_name: opt(NamePart), last_name: opt(NamePart) })),
  untrusted_metadata: opt(Type.Unknown()),
  trusted_metadata: Type.Optional(Type.Unknown()),
});

export const SdkUserSearchBody = Type.Object({
  email: Type.String(),
});

export const PublicTokenParams = Type.Object({ public_token: Type.String({ maxLength: 256 }) });
