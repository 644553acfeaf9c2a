/**
 * One generator per route of src/http/routes.ts for the fuzzing suite: mostly-valid bodies
 * (fixture references where a real user, session or token makes the request reach deep),
 * mutated field by field, plus path parameters and query strings. Not a test file itself.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { FIXTURES as LEGACY } from '../fixtures/legacy-hashes.js';
import { Raw, Ref, mutatedObject, weirdString, weirdValue, weirdNumber, type FieldSpec, type Fields } from './fuzz-values.js';

/** Names of the fixture values a generated request may refer to (see fuzz.test.ts). */
export const FIXTURE_KEYS = [
  'projectId', 'otherProjectId', 'email', 'emailPadded', 'password', 'userId', 'emailId', 'passwordId', 'sessionToken', 'sessionJwt', 'sessionId',
  'externalId', 'phoneUserId', 'phoneId', 'phoneNumber', 'resetToken', 'otherUserId', 'otherEmailId', 'otherSessionToken',
] as const;
export type FixtureKey = (typeof FIXTURE_KEYS)[number];
export type Fixture = Record<FixtureKey, string>;

const ref = (key: FixtureKey, suffix = '') => fc.constant(new Ref(key, suffix));

export type Spent = 'nothing' | 'external-id' | 'session' | 'user';

/** A path parameter, query string or body as one route sees it. */
export interface RouteSpec {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route pattern, e.g. /v1/users/:user_id. */
  pattern: string;
  auth: 'project' | 'optional';
  /** Mostly-valid values of each path parameter. */
  params?: Record<string, fc.Arbitrary<unknown>>;
  /** Query string generator (without `?`), values already encoded. */
  query?: fc.Arbitrary<QueryPart[]>;
  /** The body's known fields and which of them are required; absent for routes without a body. */
  fields?: Fields;
  required?: string[];
  /** Groups of fields a valid body has at most one of. */
  exclusive?: string[][];
  /** Valid values of fields that only make sense together. */
  coherent?: fc.Arbitrary<Record<string, unknown>>;
  /**
   * What a success that names fixtures may use up, to be made again before the next case:
   * nothing, the external id, the session, or the user itself (see Harness in fuzz.test.ts).
   */
  spends: Spent;
}

/** `key=value` pair of a query string; either side may refer to a fixture. */
export type QueryPart = [unknown, unknown];

// ---- field vocabularies

const S = (valid: fc.Arbitrary<unknown>): FieldSpec => ({ kind: 'string', valid });
const I = (valid: fc.Arbitrary<unknown>): FieldSpec => ({ kind: 'int', valid });
const B: FieldSpec = { kind: 'bool', valid: fc.oneof(fc.boolean(), fc.constant(null)) };
const O = (valid: fc.Arbitrary<unknown>, children?: Fields): FieldSpec => (children ? { kind: 'object', valid, children } : { kind: 'object', valid });
const A = (valid: fc.Arbitrary<unknown>): FieldSpec => ({ kind: 'array', valid });
const ANY = (valid: fc.Arbitrary<unknown>): FieldSpec => ({ kind: 'any', valid });

const STRONG = ['correct horse battery staple 91', 'Tr0ub4dor&3-velvet-kazoo', 'plinth mango quasar 7x!', 'walrus umbrella cactus 42?', 'nimble oyster fjord 88#'];

const localPart = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 6, maxLength: 12 });
const freshEmail = fc.oneof(
  { weight: 4, arbitrary: localPart.map((l) => `fz-${l}@fuzz.example.com`) },
  { weight: 1, arbitrary: fc.emailAddress() },
);
const knownEmail = fc.oneof({ weight: 4, arbitrary: ref('email') }, { weight: 1, arbitrary: ref('emailPadded') }, { weight: 1, arbitrary: freshEmail });
const currentPassword = fc.oneof({ weight: 4, arbitrary: ref('password') }, { weight: 1, arbitrary: fc.constantFrom(...STRONG, 'password', '') });
const newPassword = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...STRONG) }, { weight: 1, arbitrary: localPart.map((l) => `${l} zebra quartz ${l.length}!`) }, { weight: 1, arbitrary: fc.constantFrom('password', 'abc', '12345678') });
const freshPhone = fc.integer({ min: 1_000_000, max: 9_999_999 }).map((n) => `+1415${n}`);
const freshExternalId = localPart.map((l) => `ext-${l}`);

const sessionToken = fc.oneof(
  { weight: 4, arbitrary: ref('sessionToken') },
  { weight: 1, arbitrary: ref('otherSessionToken') },
  { weight: 1, arbitrary: fc.constantFrom(new Ref('sessionToken', '', { kind: 'half' }), new Ref('sessionToken', '', { kind: 'upper' }), new Ref('sessionToken', '=')) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 44, maxLength: 44 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const jwtLike = fc
  .tuple(
    fc.oneof(fc.constantFrom('{"alg":"RS256","typ":"JWT","kid":"x"}', '{"alg":"none"}', '{"alg":"HS256","kid":"jwk-test-00000000-0000-4000-8000-000000000000"}', '{}', 'null', '[]', '{"alg":"RS256","kid":{"a":1}}'), weirdString),
    fc.oneof(fc.constantFrom('{"sub":"x","exp":1e400}', '{}', '{"https://stytch.com/session":{"id":null}}', '{"aud":[],"exp":"soon"}'), weirdString),
    fc.constantFrom('', 'sig', 'AAAA', '!!!'),
  )
  .map(([h, p, s]) => `${b64url(h)}.${b64url(p)}.${s}`);
/** The fixture's JWT with its header, claims or signature tampered with. */
const claimValue = fc.oneof(weirdValue, fc.constantFrom(null, 0, -1, 1e308, 2 ** 53, '2999-01-01', [], {}));
const tamperedJwt = fc
  .oneof(
    fc.record({
      kind: fc.constant('jwt-header' as const),
      header: fc.oneof(
        fc.constantFrom({ alg: 'none', typ: 'JWT' }, { alg: 'HS256', typ: 'JWT' }, { alg: 'RS256', kid: 'jwk-test-00000000-0000-4000-8000-000000000000' }, { alg: 'RS256', kid: null }, { alg: 'RS256', kid: ['x'] }, {}, null, 'x'),
        fc.record({ alg: fc.constantFrom('RS256', 'ES256', 'PS256', 'none', 'rs256', ''), kid: fc.oneof(weirdString, claimValue), crit: fc.constant(['b64']) }, { requiredKeys: ['alg'] }),
      ),
    }),
    fc.record({
      kind: fc.constant('jwt-claims' as const),
      claims: fc.dictionary(fc.constantFrom('sub', 'exp', 'nbf', 'iat', 'aud', 'iss', 'https://stytch.com/session', 'jti'), claimValue, { minKeys: 1, maxKeys: 3 }),
    }),
    fc.constantFrom({ kind: 'jwt-unsigned' as const }, { kind: 'half' as const }, { kind: 'upper' as const }),
  )
  .map((d) => new Ref('sessionJwt', '', d));
const sessionJwt = fc.oneof(
  { weight: 4, arbitrary: ref('sessionJwt') },
  { weight: 2, arbitrary: jwtLike },
  { weight: 2, arbitrary: tamperedJwt },
  { weight: 1, arbitrary: fc.constantFrom('a.b.c', '..', 'eyJ', '') },
  { weight: 1, arbitrary: ref('sessionJwt', 'x') },
);
const duration = fc.oneof(fc.constantFrom(5, 60, 527040), fc.integer({ min: 5, max: 1000 }), fc.constant(null));
const claimKey = fc.oneof(fc.constantFrom('sub', 'iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'https://stytch.com/session', 'role', 'org', '__proto__', ''), fc.string({ maxLength: 8 }));
const claims = fc.oneof(fc.constant({}), fc.dictionary(claimKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), fc.constant(null));
const metadata = fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), fc.constant(null));

const namePart = fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null));
const nameFields: Fields = { first_name: S(namePart), middle_name: S(namePart), last_name: S(namePart) };
const nameValid = fc.record({ first_name: namePart, middle_name: namePart, last_name: namePart }, { requiredKeys: [] });
const name = O(fc.oneof(nameValid, fc.constant(null)), nameFields);

const sessionFields: Fields = {
  session_token: S(sessionToken),
  session_jwt: S(sessionJwt),
  session_duration_minutes: I(duration),
  session_custom_claims: O(claims),
  telemetry_id: S(fc.oneof(fc.string({ maxLength: 30 }), fc.constant(null))),
};

const url = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('https://example.com/reset', 'http://localhost:3000/cb?x=1', 'https://app.example.com/a/b#frag') }, { weight: 1, arbitrary: weirdString });
const attrsFields: Fields = { ip_address: S(fc.oneof(fc.constantFrom('203.0.113.7', '::1', ''), fc.ipV4(), fc.ipV6())), user_agent: S(fc.string({ maxLength: 40 })) };
const attributes = O(fc.oneof(fc.record({ ip_address: attrsFields.ip_address!.valid, user_agent: attrsFields.user_agent!.valid }, { requiredKeys: [] }), fc.constant(null)), attrsFields);
const verifier = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-._~'), minLength: 43, maxLength: 128 });
const challenge = verifier.map((v) => createHash('sha256').update(v).digest('base64url'));

// ---- migrate

const hex = (alg: string, s: string) => createHash(alg).update(s).digest('hex');
const saltFields: Fields = { prepend_salt: S(fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null))), append_salt: S(fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null))) };
const saltConfig = O(fc.record({ prepend_salt: saltFields.prepend_salt!.valid, append_salt: saltFields.append_salt!.valid }, { requiredKeys: [] }), saltFields);
const smallInt = (min: number, max: number) => fc.oneof(fc.integer({ min, max }), fc.constant(null));
const argonFields: Fields = { salt: S(fc.string({ maxLength: 16 })), iteration_amount: I(smallInt(1, 4)), memory: I(smallInt(8, 4096)), threads: I(smallInt(1, 4)), key_length: I(smallInt(4, 64)) };
const scryptFields: Fields = { salt: S(fc.base64String({ maxLength: 24 })), n_parameter: I(smallInt(2, 16384)), r_parameter: I(smallInt(1, 8)), p_parameter: I(smallInt(1, 2)), key_length: I(smallInt(16, 64)) };
const pbkdfFields: Fields = { salt: S(fc.base64String({ maxLength: 24 })), iteration_amount: I(smallInt(1, 5000)), key_length: I(smallInt(16, 64)), algorithm: S(fc.constantFrom('sha256', 'sha512', 'sha1', 'md5', '')) };
const configOf = (fields: Fields) => O(fc.record(Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.valid])), { requiredKeys: [] }), fields);
const hashes = fc.oneof(
  fc.constantFrom(
    hex('md5', STRONG[0]!), hex('sha1', STRONG[0]!), hex('sha512', STRONG[0]!),
    '$2a$04$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', '$2b$31$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
    '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG', '$argon2i$v=19$m=4294967295,t=4294967295,p=255$c2FsdA$aGFzaA',
    '$P$984478476IagS59wHZvyQMArzfx58u.', '$H$9' + 'a'.repeat(31), '$scrypt$ln=17,r=8,p=1$c2FsdA$aGFzaA', '0'.repeat(32), 'zz'.repeat(16),
  ),
  weirdString,
);

// ---- users search

const filterValue = fc.oneof(
  fc.array(fc.oneof(ref('userId'), ref('email'), ref('emailId'), ref('phoneId'), ref('phoneNumber'), ref('otherUserId'), weirdString), { minLength: 1, maxLength: 4 }),
  fc.constantFrom(true, false, 'active', 'pending', 'ada', '415', '+1 (415) 5', '2020-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z'),
  fc.record({ greater_than: fc.constantFrom('2000-01-01T00:00:00Z', '1970-01-01T00:00:00Z', 'nope', 9e15), less_than: fc.constantFrom('2100-01-01T00:00:00Z', '-271821-04-20T00:00:00.000Z', null) }, { requiredKeys: [] }),
  weirdValue,
);
const filterName = fc.oneof(
  fc.constantFrom(
    'user_id', 'email_id', 'email_address', 'email_address_fuzzy', 'email_verified', 'phone_number', 'phone_id', 'phone_number_fuzzy', 'phone_verified', 'full_name_fuzzy',
    'password_exists', 'status', 'created_at_greater_than', 'created_at_less_than', 'created_at_between', 'oauth_provider', 'totp_verified', 'totp_id',
  ),
  weirdValue,
);
const operand = fc.record({ filter_name: filterName, filter_value: filterValue }, { requiredKeys: [] });
const cursor = fc.oneof(
  fc.tuple(fc.oneof(fc.integer(), weirdNumber, weirdValue), fc.oneof(ref('userId'), weirdString)).map(([n, id]) => {
    // A cursor the server might have issued, with odd contents: base64url of [created_at, id].
    const first = n instanceof Raw ? n.text : typeof n === 'number' ? String(n) : (JSON.stringify(n) ?? 'null');
    const text = `[${first},${id instanceof Ref ? '"user-test-00000000-0000-4000-8000-000000000000"' : JSON.stringify(id)}]`;
    return Buffer.from(text).toString('base64url');
  }),
  fc.constantFrom(Buffer.from('[1e400,"x"]').toString('base64url'), Buffer.from('[9223372036854775808,"x"]').toString('base64url'), Buffer.from('[-9007199254740991,"\u0000"]').toString('base64url'), '!!!', '', 'e30'),
  fc.constant(null),
);
const queryFields: Fields = {
  operator: S(fc.oneof(fc.constantFrom('AND', 'OR', 'and', 'XOR', ''), fc.constant(null))),
  operands: A(fc.oneof(fc.array(operand, { maxLength: 4 }), fc.constant(null))),
};

// ---- path parameters and query strings

const idsOf = (primary: FixtureKey, ...others: FixtureKey[]) =>
  fc.oneof(
    { weight: 5, arbitrary: ref(primary) },
    ...others.map((k) => ({ weight: 1, arbitrary: ref(k) })),
    { weight: 1, arbitrary: fc.constantFrom(new Ref(primary, 'x'), new Ref(primary, '', { kind: 'upper' }), new Ref(primary, '', { kind: 'half' })) },
  );

const userIdQuery: fc.Arbitrary<QueryPart[]> = fc.oneof(
  { weight: 5, arbitrary: idsOf('userId', 'externalId', 'otherUserId', 'phoneUserId').map((v): QueryPart[] => [['user_id', v]]) },
  { weight: 2, arbitrary: weirdString.map((v): QueryPart[] => [['user_id', v]]) },
  { weight: 1, arbitrary: fc.constant<QueryPart[]>([]) },
  { weight: 1, arbitrary: fc.tuple(idsOf('userId'), weirdString).map(([a, b]): QueryPart[] => [['user_id', a], ['user_id', b]]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('user_id[]', 'user_id[0]', 'USER_ID', 'user_id ', 'user%5Fid', '', '__proto__'), idsOf('userId')).map(([k, v]): QueryPart[] => [[k, v]]) },
  { weight: 1, arbitrary: fc.tuple(idsOf('userId'), weirdString, weirdString).map(([v, k, w]): QueryPart[] => [['user_id', v], [k, w]]) },
);

export const ROUTES: RouteSpec[] = [
  {
    name: 'POST /v1/passwords',
    method: 'POST',
    pattern: '/v1/passwords',
    auth: 'project',
    spends: 'nothing',
    required: ['email', 'password'],
    fields: {
      email: S(fc.oneof({ weight: 4, arbitrary: freshEmail }, { weight: 1, arbitrary: ref('email') })),
      password: S(newPassword),
      name,
      trusted_metadata: ANY(metadata),
      untrusted_metadata: ANY(metadata),
      session_duration_minutes: sessionFields.session_duration_minutes!,
      session_custom_claims: sessionFields.session_custom_claims!,
      telemetry_id: sessionFields.telemetry_id!,
    },
  },
  {
    name: 'POST /v1/passwords/authenticate',
    exclusive: [['session_token', 'session_jwt']],
    method: 'POST',
    pattern: '/v1/passwords/authenticate',
    auth: 'project',
    spends: 'nothing',
    required: ['email', 'password'],
    fields: { email: S(knownEmail), password: S(currentPassword), ...sessionFields },
  },
  {
    name: 'POST /v1/passwords/migrate',
    method: 'POST',
    pattern: '/v1/passwords/migrate',
    auth: 'project',
    spends: 'nothing',
    required: ['email', 'hash', 'hash_type'],
    // Real legacy hashes with their configs (test/fixtures), so that some imports succeed.
    coherent: fc.oneof(fc.constant({}), fc.constantFrom(...LEGACY).map((f) => ({ hash_type: f.hash_type, hash: f.hash, ...f.config }))),
    fields: {
      email: S(fc.oneof({ weight: 3, arbitrary: freshEmail }, { weight: 1, arbitrary: ref('email') })),
      hash: S(hashes),
      hash_type: S(fc.oneof(fc.constantFrom('bcrypt', 'md_5', 'argon_2i', 'argon_2id', 'sha_1', 'sha_512', 'scrypt', 'phpass', 'pbkdf_2'), weirdString)),
      md_5_config: saltConfig,
      sha_1_config: saltConfig,
      sha_512_config: saltConfig,
      argon_2_config: configOf(argonFields),
      scrypt_config: configOf(scryptFields),
      pbkdf_2_config: configOf(pbkdfFields),
      trusted_metadata: ANY(metadata),
      untrusted_metadata: ANY(metadata),
      set_email_verified: B,
      name,
      phone_number: S(fc.oneof(freshPhone, ref('phoneNumber'), fc.constant(null))),
      set_phone_number_verified: B,
      external_id: S(fc.oneof(freshExternalId, ref('externalId'), fc.constant(null))),
      roles: A(fc.oneof(fc.array(fc.constantFrom('admin', 'viewer', 'stytch_user', ''), { maxLength: 3 }), fc.constant(null))),
    },
  },
  {
    name: 'POST /v1/passwords/strength_check',
    method: 'POST',
    pattern: '/v1/passwords/strength_check',
    auth: 'project',
    spends: 'nothing',
    required: ['password'],
    fields: { password: S(fc.oneof(newPassword, fc.string({ maxLength: 300 }))), email: S(fc.oneof(knownEmail, fc.constant(null))) },
  },
  {
    name: 'POST /v1/passwords/existing_password/reset',
    exclusive: [['session_token', 'session_jwt']],
    method: 'POST',
    pattern: '/v1/passwords/existing_password/reset',
    auth: 'project',
    spends: 'user',
    required: ['email', 'existing_password', 'new_password'],
    fields: { email: S(knownEmail), existing_password: S(currentPassword), new_password: S(newPassword), ...sessionFields },
  },
  {
    name: 'POST /v1/passwords/session/reset',
    exclusive: [['session_token', 'session_jwt']],
    method: 'POST',
    pattern: '/v1/passwords/session/reset',
    auth: 'project',
    spends: 'user',
    required: ['password'],
    fields: { password: S(newPassword), ...sessionFields },
  },
  {
    name: 'POST /v1/passwords/email/reset/start',
    method: 'POST',
    pattern: '/v1/passwords/email/reset/start',
    auth: 'project',
    spends: 'nothing',
    // The project has no default redirect URLs, so a valid request names both.
    required: ['email', 'reset_password_redirect_url', 'login_redirect_url'],
    fields: {
      email: S(knownEmail),
      reset_password_redirect_url: S(url),
      reset_password_expiration_minutes: I(fc.oneof(fc.integer({ min: 5, max: 10080 }), fc.constant(null))),
      code_challenge: S(fc.oneof(challenge, fc.constant(null))),
      attributes,
      login_redirect_url: S(url),
      locale: S(fc.oneof(fc.constantFrom('en', 'es', 'fr', 'pt-br', 'PT-BR', 'de'), fc.constant(null))),
      reset_password_template_id: S(fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant('tmpl') })),
    },
  },
  {
    name: 'POST /v1/passwords/email/reset',
    exclusive: [['session_token', 'session_jwt']],
    method: 'POST',
    pattern: '/v1/passwords/email/reset',
    auth: 'project',
    spends: 'user',
    required: ['token', 'password'],
    fields: {
      token: S(fc.oneof({ weight: 4, arbitrary: ref('resetToken') }, { weight: 1, arbitrary: fc.base64String({ minLength: 44, maxLength: 44 }) })),
      password: S(newPassword),
      code_verifier: S(fc.oneof(verifier, fc.constant(null))),
      attributes,
      options: O(fc.oneof(fc.record({ ip_match_required: B.valid, user_agent_match_required: B.valid }, { requiredKeys: [] }), fc.constant(null)), { ip_match_required: B, user_agent_match_required: B }),
      ...sessionFields,
    },
  },
  {
    name: 'POST /v1/sessions/authenticate',
    exclusive: [['session_token', 'session_jwt']],
    method: 'POST',
    pattern: '/v1/sessions/authenticate',
    auth: 'project',
    spends: 'nothing',
    required: [],
    fields: {
      session_token: sessionFields.session_token!,
      session_jwt: sessionFields.session_jwt!,
      session_duration_minutes: sessionFields.session_duration_minutes!,
      session_custom_claims: sessionFields.session_custom_claims!,
      authorization_check: O(fc.oneof(fc.constant({ organization_id: 'org', resource_id: 'r', action: 'read' }), fc.constant(null))),
    },
  },
  { name: 'GET /v1/sessions', method: 'GET', pattern: '/v1/sessions', auth: 'project', spends: 'nothing', query: userIdQuery },
  {
    name: 'POST /v1/sessions/revoke',
    exclusive: [['session_id', 'session_token', 'session_jwt']],
    method: 'POST',
    pattern: '/v1/sessions/revoke',
    auth: 'project',
    spends: 'session',
    required: [],
    fields: {
      session_id: S(fc.oneof(idsOf('sessionId', 'userId'), fc.constant(null))),
      session_token: sessionFields.session_token!,
      session_jwt: sessionFields.session_jwt!,
    },
  },
  { name: 'GET /v1/rbac/policy', method: 'GET', pattern: '/v1/rbac/policy', auth: 'project', spends: 'nothing' },
  { name: 'GET /v1/sessions/jwks/:project_id', method: 'GET', pattern: '/v1/sessions/jwks/:project_id', auth: 'optional', spends: 'nothing', params: { project_id: idsOf('projectId', 'otherProjectId') } },
  {
    name: 'POST /v1/users',
    method: 'POST',
    pattern: '/v1/users',
    auth: 'project',
    spends: 'nothing',
    required: [],
    fields: {
      email: S(fc.oneof({ weight: 4, arbitrary: freshEmail }, { weight: 1, arbitrary: ref('email') }, { weight: 1, arbitrary: fc.constant(null) })),
      phone_number: S(fc.oneof(freshPhone, ref('phoneNumber'), fc.constant(null))),
      name,
      attributes: O(fc.oneof(fc.constant({ ip_address: '203.0.113.7' }), fc.constant(null))),
      create_user_as_pending: B,
      trusted_metadata: ANY(metadata),
      untrusted_metadata: ANY(metadata),
      external_id: S(fc.oneof(freshExternalId, ref('externalId'), fc.constant(null))),
      roles: A(fc.oneof(fc.array(fc.constantFrom('admin', 'viewer', 'stytch_user', ''), { maxLength: 3 }), fc.constant(null))),
    },
  },
  {
    name: 'POST /v1/users/search',
    method: 'POST',
    pattern: '/v1/users/search',
    auth: 'project',
    spends: 'nothing',
    required: [],
    fields: {
      cursor: S(cursor),
      limit: I(fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constant(null))),
      query: O(fc.oneof(fc.record({ operator: queryFields.operator!.valid, operands: queryFields.operands!.valid }, { requiredKeys: [] }), fc.constant(null)), queryFields),
    },
  },
  { name: 'GET /v1/users/:user_id', method: 'GET', pattern: '/v1/users/:user_id', auth: 'project', spends: 'nothing', params: { user_id: idsOf('userId', 'externalId', 'phoneUserId', 'otherUserId', 'emailId') } },
  {
    name: 'PUT /v1/users/:user_id',
    method: 'PUT',
    pattern: '/v1/users/:user_id',
    auth: 'project',
    spends: 'external-id',
    params: { user_id: idsOf('userId', 'externalId', 'phoneUserId', 'otherUserId') },
    required: [],
    fields: {
      user_id: S(fc.oneof(ref('userId'), ref('otherUserId'), fc.constant(null))),
      name,
      attributes: O(fc.oneof(fc.constant({}), fc.constant(null))),
      trusted_metadata: ANY(metadata),
      untrusted_metadata: ANY(metadata),
      external_id: S(fc.oneof(freshExternalId, ref('externalId'), fc.constant(null))),
      roles: A(fc.oneof(fc.array(fc.constantFrom('admin', 'viewer', 'stytch_user', ''), { maxLength: 3 }), fc.constant(null))),
    },
  },
  { name: 'DELETE /v1/users/:user_id', method: 'DELETE', pattern: '/v1/users/:user_id', auth: 'project', spends: 'user', params: { user_id: idsOf('userId', 'externalId', 'phoneUserId', 'otherUserId', 'emailId') } },
  { name: 'DELETE /v1/users/:user_id/external_id', method: 'DELETE', pattern: '/v1/users/:user_id/external_id', auth: 'project', spends: 'external-id', params: { user_id: idsOf('userId', 'externalId', 'otherUserId') } },
  { name: 'DELETE /v1/users/passwords/:password_id', method: 'DELETE', pattern: '/v1/users/passwords/:password_id', auth: 'project', spends: 'user', params: { password_id: idsOf('passwordId', 'emailId', 'userId') } },
  { name: 'DELETE /v1/users/emails/:email_id', method: 'DELETE', pattern: '/v1/users/emails/:email_id', auth: 'project', spends: 'user', params: { email_id: idsOf('emailId', 'otherEmailId', 'passwordId') } },
  { name: 'DELETE /v1/users/phone_numbers/:phone_id', method: 'DELETE', pattern: '/v1/users/phone_numbers/:phone_id', auth: 'project', spends: 'user', params: { phone_id: idsOf('phoneId', 'emailId', 'userId') } },
];

/** The body arbitrary of a route: its fields mutated, or an empty object for body-less routes. */
export function routeBody(route: RouteSpec): fc.Arbitrary<Record<string, unknown>> {
  return mutatedObject(route.fields ?? {}, { required: route.required ?? [], exclusive: route.exclusive ?? [], ...(route.coherent ? { coherent: route.coherent } : {}) });
}
