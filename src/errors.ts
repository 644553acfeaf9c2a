/**
 * The one error type of Postern. `type` is a Stytch `error_type`; the HTTP status comes from
 * the table below, never from the place that throws. `cause` holds internal detail and is
 * never serialized.
 */
const STATUS = {
  bad_request: 400,
  invalid_argument: 400,
  invalid_request_value: 400,
  invalid_email: 400,
  invalid_user_id: 400,
  invalid_session_token: 400,
  invalid_session_duration_minutes: 400,
  invalid_session_id: 400,
  unable_to_parse_session_jwt: 400,
  too_many_session_arguments: 400,
  no_session_arguments: 400,
  no_session_revoke_arguments: 400,
  too_many_session_revoke_arguments: 400,
  custom_claims_too_large: 400,
  unable_to_represent_custom_claims_json: 400,
  metadata_too_large: 400,
  metadata_too_many_keys: 400,
  metadata_invalid_format: 400,
  duplicate_email: 400,
  weak_password: 400,
  breached_password: 400,
  reset_password: 400,
  no_user_password: 400,
  cannot_reset_password_with_existing_password: 400,
  password_validation_timeout: 400,
  user_id_mismatch: 400,
  invalid_hash: 400,
  invalid_hash_type: 400,
  invalid_bcrypt_hash: 400,
  invalid_bcrypt_cost: 400,
  invalid_md_5_hash: 400,
  invalid_sha_1_hash: 400,
  invalid_sha_512_hash: 400,
  invalid_prepend_salt: 400,
  invalid_append_salt: 400,
  invalid_argon_2_salt: 400,
  invalid_argon_2_iteration_amount: 400,
  invalid_argon_2_memory: 400,
  invalid_argon_2_threads: 400,
  invalid_argon_2_key_length: 400,
  argon_2_key_length_mismatch: 400,
  invalid_base64_scrypt_hash: 400,
  invalid_base64_scrypt_salt: 400,
  invalid_scrypt_n_parameter: 400,
  invalid_scrypt_parameters: 400,
  invalid_scrypt_salt_length: 400,
  scrypt_key_length_mismatch: 400,
  invalid_pbkdf_2_hash: 400,
  invalid_pbkdf_2_salt: 400,
  invalid_pbkdf_2_iteration_amount: 400,
  invalid_pbkdf_2_algorithm: 400,
  pbkdf_2_key_length_mismatch: 400,
  invalid_phpass_hash_prefix: 400,
  invalid_phpass_hash_format: 400,
  password_already_exists: 400,
  duplicate_phone_number: 400,
  invalid_phone_number: 400,
  duplicate_user_external_id: 400,
  invalid_create_user_request: 400,
  invalid_email_id: 400,
  invalid_password_id: 400,
  user_search_filter_name_must_be_string: 400,
  user_search_missing_filter_name: 400,
  user_search_maximum_filter_value_count_exceeded: 400,
  user_search_full_name_fuzzy_too_short: 400,
  user_search_phone_number_fuzzy_too_short: 400,
  user_search_invalid_status_filter: 400,
  user_search_missing_greater_than: 400,
  user_search_missing_less_than: 400,
  user_search_invalid_operator: 400,
  user_search_invalid_limit: 400,
  user_search_invalid_cursor: 400,
  user_search_filter_name_not_recognized: 400,
  user_search_missing_filter_value: 400,
  user_search_expected_array_of_string: 400,
  user_search_email_address_fuzzy_too_short: 400,
  user_search_invalid_filter_value: 400,
  session_too_old_to_reset_password: 400,
  no_password_reset_redirect_url: 400,
  invalid_password_reset_redirect_url: 400,
  no_login_redirect_url: 400,
  invalid_login_redirect_url: 400,
  no_match_for_provided_magic_link_url: 400,
  invalid_locale: 400,
  invalid_expiration: 400,
  invalid_pkce_code_challenge: 400,
  invalid_pkce_code_verifier: 400,
  pkce_mismatch: 400,
  pkce_expected_code_verifier: 400,
  pkce_did_not_expect_code_verifier: 400,
  email_delivery_failed: 400,
  invalid_public_token_id: 400,
  cannot_update_trusted_metadata: 400,
  unable_to_auth_magic_link: 401,
  attribute_mismatch: 401,
  magic_link_not_found: 404,
  email_template_not_found: 404,
  unauthorized_credentials: 401,
  public_token_required: 401,
  bad_domain_for_stytch_sdk: 403,
  consumer_session_authorization_error: 403,
  public_token_not_found: 404,
  project_not_found: 404,
  email_not_found: 404,
  user_not_found: 404,
  password_not_found: 404,
  phone_number_not_found: 404,
  session_not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  request_too_large: 413,
  too_many_requests: 429,
  user_lock_limit_reached: 429,
  internal_server_error: 500,
  server_unavailable: 503,
} as const;

export type ErrorType = keyof typeof STATUS;

const MESSAGES: Partial<Record<ErrorType, string>> = {
  unauthorized_credentials: 'Unauthorized credentials.',
  email_not_found: 'Email could not be found.',
  user_not_found: 'User could not be found.',
  session_not_found: 'Session could not be found.',
  invalid_session_token: 'Session token format is invalid.',
  duplicate_email: 'A user with the specified email already exists for this project.',
  too_many_requests: 'Too many requests have been made.',
  user_lock_limit_reached:
    'This user has been locked out after too many failed authentication attempts. Try again later.',
  weak_password: 'The password is not strong enough.',
  breached_password: 'This password has appeared in a data breach; choose a different one.',
  reset_password: 'Password must be reset.',
  no_user_password: 'This user does not have a password.',
  cannot_reset_password_with_existing_password:
    'This password must be reset by email or by session; it cannot be reset with the existing password.',
  route_not_found: 'The requested route does not exist.',
  method_not_allowed: 'This method is not allowed on this route.',
  project_not_found: 'Project could not be found.',
  public_token_required: 'The frontend SDK routes need the Basic credentials public_token:(session_token or public_token).',
  public_token_not_found: 'Public token could not be found.',
  bad_domain_for_stytch_sdk: "This origin is not allowed for the project's frontend SDK: add it with `postern project set <project_id> allowed_origins=...`.",
  cannot_update_trusted_metadata: 'trusted_metadata can be updated only from the backend API.',
  consumer_session_authorization_error: "The session's roles do not grant the requested action on the resource.",
  internal_server_error:
    'Oops, something seems to have gone wrong. Please contact your server operator with the request_id.',
};

export class AuthError extends Error {
  readonly type: ErrorType;
  readonly details: Record<string, unknown> | undefined;
  /** For 429/503: when the caller may try again, sent as the Retry-After header. */
  readonly retryAfterSeconds: number | undefined;
  /** The user the failed attempt concerned, for the audit trail only; never sent to the caller. */
  userId: string | undefined;

  constructor(
    type: ErrorType,
    message?: string,
    options?: { cause?: unknown; details?: Record<string, unknown>; retryAfterSeconds?: number; userId?: string | undefined },
  ) {
    super(message ?? MESSAGES[type] ?? defaultMessage(type), { cause: options?.cause });
    this.name = 'AuthError';
    this.type = type;
    this.details = options?.details;
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.userId = options?.userId;
  }

  get status(): number {
    return STATUS[this.type];
  }
}

/**
 * A rejection handler that notes which user an AuthError concerns (unless it already names
 * one) and rethrows it: `await step().catch(concerning(user.id))`.
 */
export function concerning(userId: string): (err: unknown) => never {
  return (err: unknown) => {
    if (err instanceof AuthError) err.userId ??= userId;
    throw err;
  };
}

export function statusOf(type: ErrorType): number {
  return STATUS[type];
}

export function isErrorType(value: string): value is ErrorType {
  return Object.hasOwn(STATUS, value);
}

function defaultMessage(type: ErrorType): string {
  const words = type.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1) + '.';
}
