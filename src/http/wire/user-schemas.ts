/**
 * Request schemas of the users endpoints (spec §10), in Stytch's snake_case. Like the others in
 * schemas.ts they check JSON types only and take an explicit `null` as "absent"; the rules
 * (email syntax, E.164, external id shape, metadata limits) live in src/users/.
 */
import { Type } from 'typebox';
import { opt } from './schemas.js';

/** Each part of a user's name; longer is refused as invalid_argument (as on /v1/passwords). */
const NamePart = Type.String({ maxLength: 256 });

const NameBody = Type.Object({ first_name: opt(NamePart), middle_name: opt(NamePart), last_name: opt(NamePart) });

/** Fraud-detection attributes: accepted and not used (Postern has no fraud features). */
const Attributes = Type.Record(Type.String(), Type.Unknown());

export const UserCreateBody = Type.Object({
  email: opt(Type.String({ maxLength: 1024 })),
  phone_number: opt(Type.String({ maxLength: 64 })),
  name: opt(NameBody),
  attributes: opt(Attributes),
  create_user_as_pending: opt(Type.Boolean()),
  trusted_metadata: opt(Type.Unknown()),
  untrusted_metadata: opt(Type.Unknown()),
  external_id: opt(Type.String({ maxLength: 1024 })),
  roles: opt(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000 })),
});

/** Go sends the path's `user_id` in the body too; it is accepted and ignored. */
export const UserUpdateBody = Type.Object({
  user_id: opt(Type.String()),
  name: opt(NameBody),
  attributes: opt(Attributes),
  trusted_metadata: opt(Type.Unknown()),
  untrusted_metadata: opt(Type.Unknown()),
  external_id: opt(Type.String({ maxLength: 1024 })),
  roles: opt(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000 })),
});

export const PasswordIdParams = Type.Object({ password_id: Type.String() });
export const EmailIdParams = Type.Object({ email_id: Type.String() });
export const PhoneIdParams = Type.Object({ phone_id: Type.String() });
