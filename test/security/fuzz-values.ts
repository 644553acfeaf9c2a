/**
 * Value generators for the fuzzing suite (see fuzz.test.ts): odd strings and numbers, wrong
 * types, deep nesting, and a mutator that turns a mostly-valid request body into a slightly
 * (or badly) wrong one, field by field. Not a test file itself.
 *
 * Two markers live inside generated values and are resolved only when a request is written:
 * `Ref` names a fixture value (an existing user's email, a live session token…) that exists
 * only on the running server, and `Raw` is JSON text written verbatim (numbers JSON.stringify
 * cannot produce, such as `1e400` or a 30-digit integer).
 */
import fc from 'fast-check';

/**
 * Ways to damage a fixture value: a JWT re-headed (alg none, HS256), re-claimed with its old
 * signature, or unsigned; any value cut in half or upper-cased.
 */
export type Damage = { kind: 'jwt-header'; header: unknown } | { kind: 'jwt-claims'; claims: Record<string, unknown> } | { kind: 'jwt-unsigned' } | { kind: 'half' } | { kind: 'upper' };

/** A fixture value, looked up on the running server when the request is sent. */
export class Ref {
  constructor(
    readonly key: string,
    readonly suffix = '',
    readonly damage?: Damage,
  ) {}
  [fc.toStringMethod](): string {
    return `Ref(${this.key}${this.suffix ? `+${JSON.stringify(this.suffix)}` : ''}${this.damage ? ` ${fc.stringify(this.damage)}` : ''})`;
  }
}

const b64json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url');

function damaged(value: string, d: Damage | undefined): string {
  if (!d) return value;
  const [h = '', p = '', sig = ''] = value.split('.');
  const parse = (part: string): Record<string, unknown> => {
    try {
      return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  switch (d.kind) {
    case 'jwt-header':
      return `${b64json(d.header)}.${p}.${sig}`;
    case 'jwt-claims':
      return `${h}.${b64json({ ...parse(p), ...d.claims })}.${sig}`;
    case 'jwt-unsigned':
      return `${b64json({ ...parse(h), alg: 'none' })}.${p}.`;
    case 'half':
      return value.slice(0, Math.floor(value.length / 2));
    case 'upper':
      return value.toUpperCase();
  }
}

/** The text a reference stands for on the running server. */
export function resolveRef(ref: Ref, lookup: Lookup): string {
  return damaged(lookup(ref.key), ref.damage) + ref.suffix;
}

/** JSON text written as is, in place of a value. */
export class Raw {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return `Raw(${JSON.stringify(this.text)})`;
  }
}

export type Lookup = (key: string) => string;

/**
 * JSON text of `value`, with `Ref`s looked up and `Raw`s written verbatim. Keys are written in
 * insertion order, `__proto__` included when it is an own property.
 */
export function toJsonText(value: unknown, lookup: Lookup): string {
  if (value instanceof Ref) return JSON.stringify(resolveRef(value, lookup));
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return '[' + value.map((v) => toJsonText(v, lookup)).join(',') + ']';
  if (typeof value === 'object' && value !== null) {
    return '{' + Object.entries(value).map(([k, v]) => JSON.stringify(k) + ':' + toJsonText(v, lookup)).join(',') + '}';
  }
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

/** An object with `key` as an own data property, even when key is `__proto__`. */
export function withKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

function without(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== key) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

// ---- strings

/** One UTF-16 unit of any value, lone surrogates and NUL included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** Characters that break naive code: NUL, controls, surrogate halves, RTL, BOM, combining marks. */
const nastyChar = fc.constantFrom(
  '\u0000', '\u0001', '\u001f', '\u007f', '\b', '\t', '\n', '\r', '\u0085', '\u00a0', '\u2028', '\u2029',
  '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ufeff', '\ufffd', '\uffff', '\u202e', '\u200b', '\u0301',
  '𝔘', '😀', '👩‍👩‍👧', 'é', 'ß', 'İ', 'ǅ', 'ﬀ', '%', '\\', '"', "'", '/', '.', '@', ':', '?', '#', '&', '=', '+', ' ',
);

/** Strings that mean something to some layer: paths, SQL, templates, prototypes, numbers. */
const nastyWord = fc.constantFrom(
  '', ' ', '  \t\n', 'null', 'undefined', 'true', 'false', 'NaN', 'Infinity', '-Infinity', '-0', '0x10', '1e308', '1e400',
  '9007199254740993', '-1', '0', '00', '1.5', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '../../etc/passwd', '..', '.', '%00', '%zz', '%', '%2e%2e%2f', '\u0000', 'a\u0000b', "' OR '1'='1", '"; drop table users; --',
  "'); select pg_sleep(1); --", '${7*7}', '{{7*7}}', '<script>alert(1)</script>', '\\u0000', 'AND', 'OR', 'and',
  'user-test-00000000-0000-4000-8000-000000000000', 'password-test-00000000-0000-4000-8000-000000000000',
  'email-test-00000000-0000-4000-8000-000000000000', 'session-test-00000000-0000-4000-8000-000000000000',
  'project-test-00000000-0000-4000-8000-000000000000', 'user-live-ffffffff-ffff-4fff-bfff-ffffffffffff',
  'a@b.co', 'A@EXAMPLE.COM', ' padded@example.com ', 'x@localhost', '@example.com', 'user@', 'user@@example.com',
  'user@example.com\r\nBcc: victim@example.com', 'user@exa mple.com', 'user@xn--80ak6aa92e.com', 'üser@example.com',
  '+14155550123', '+1', '+0000000', '+123456789012345678', 'https://example.com/reset', 'javascript:alert(1)',
  'http://', 'ftp://example.com', 'http://[::1]:80/', 'en', 'pt-br', 'xx-yyyyyyyyy', 'md_5', 'bcrypt', 'argon_2', 'scrypt',
  'pbkdf_2', 'sha_1', 'sha_512', 'phpass', 'sha256', 'SHA256', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  '$2a$04$abcdefghijklmnopqrstuu', '$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA', '$P$B', 'stytch_user',
);

/** A string of `n` copies of one unit: long strings without drawing every character. */
const repeated = (min: number, max: number) =>
  fc.tuple(fc.oneof(nastyChar, fc.constantFrom('a', 'A1!', 'é', '𝔘', '\u0000', '\ud800', 'ab\u0000')), fc.integer({ min, max })).map(([c, n]) => c.repeat(Math.ceil(n / c.length)).slice(0, n));

/** Odd strings: arbitrary units (lone surrogates, NUL), nasty words and characters, long runs (to ~50 KB). */
export const weirdString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: anyUnit, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.oneof(nastyChar, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 40 }) },
  { weight: 3, arbitrary: nastyWord },
  { weight: 1, arbitrary: fc.tuple(nastyWord, nastyChar, nastyWord).map(([a, b, c]) => a + b + c) },
  { weight: 2, arbitrary: fc.oneof(repeated(250, 300), repeated(1000, 1100), repeated(4000, 4200)) },
  { weight: 1, arbitrary: repeated(10_000, 50_000) },
);

// ---- numbers

/** Numbers at and past every boundary, including JSON text no JavaScript number prints as. */
export const weirdNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(-1, 0, 1, -0, 2, 4, 5, 6, 59, 60, 1.5, 4.999, 5.0000001, 100, 101, 999, 1000, 1001, 1024, 10080, 10081, 527040, 527041),
  fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32, -(2 ** 31) - 1, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 2 ** 64, 1e21, 1e100, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, 5e-324),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e3', '0x10', '10', ' 5', '5 ', '', '60.0').map((s) => s),
  fc.constantFrom('1e400', '-1e400', '1E-400', '-0', '-0.0', '5.0', '60.00000000000000000001', '123456789012345678901234567890', '0.0000000000000000000000001e30', '1e+2').map((t) => new Raw(t)),
);

// ---- any JSON, wrong types, nesting

/** Any JSON value, small. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/** `leaf` wrapped in `depth` arrays or objects (or a mix). */
export function nest(leaf: unknown, depth: number, style: 'array' | 'object' | 'mixed'): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) {
    const asArray = style === 'array' || (style === 'mixed' && i % 2 === 0);
    v = asArray ? [v] : { a: v };
  }
  return v;
}

export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.oneof(anyJson, weirdString), fc.integer({ min: 1, max: 45 }), fc.constantFrom('array' as const, 'object' as const, 'mixed' as const))
  .map(([leaf, depth, style]) => nest(leaf, depth, style));

/** A value of any type, favouring odd ones. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [[]], [{}], { '': null }) },
  { weight: 4, arbitrary: weirdString },
  { weight: 3, arbitrary: weirdNumber },
  { weight: 2, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.array(weirdString, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(weirdString, anyJson, { maxKeys: 5 }) },
  { weight: 1, arbitrary: deepValue },
);

/** Keys a schema does not know: odd names, prototype names, near-misses of real ones. */
export const unknownKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', ' ', 'Email', 'EMAIL', 'email ', 'e-mail', 'user_id', 'project_id', 'secret', 'is_admin', 'status', 'roles', 'id', '$where', '\u0000', 'a.b', 'a[0]'),
  fc.string({ unit: anyUnit, maxLength: 12 }),
  repeated(2000, 3000),
);

// ---- body mutation

/** What a field holds when valid, so a mutation can keep the JSON type and change the content. */
export type FieldKind = 'string' | 'int' | 'bool' | 'object' | 'array' | 'any';

export interface FieldSpec {
  kind: FieldKind;
  /** Mostly-valid values. */
  valid: fc.Arbitrary<unknown>;
  /** For objects with known keys: their fields (so a mutation can reach inside). */
  children?: Record<string, FieldSpec>;
}

export type Fields = Record<string, FieldSpec>;

/** A value of the field's JSON type but odd content: passes the schema, reaches the handler. */
function sameTypeOdd(spec: FieldSpec): fc.Arbitrary<unknown> {
  switch (spec.kind) {
    case 'string':
      return weirdString;
    case 'int':
      return weirdNumber;
    case 'bool':
      return fc.boolean();
    case 'array':
      return fc.oneof(fc.array(weirdString, { maxLength: 6 }), fc.array(weirdValue, { maxLength: 3 }), fc.constantFrom(Array.from({ length: 1001 }, () => 'r'), Array.from({ length: 101 }, (_, i) => `role${i}`)));
    case 'object':
      if (spec.children) return mutatedObject(spec.children, { required: Object.keys(spec.children), maxMutations: 1 });
      return fc.oneof(fc.dictionary(weirdString, weirdValue, { maxKeys: 6 }), fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { minKeys: 19, maxKeys: 25 }), deepValue.map((v) => ({ k: v })));
    case 'any':
      return weirdValue;
  }
}

/** A field's replacement: odd content of the right type, or any type at all. */
function oddValue(spec: FieldSpec): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: sameTypeOdd(spec) }, { weight: 2, arbitrary: weirdValue });
}

type Mutation = { op: 'set'; key: string; value: unknown } | { op: 'drop'; key: string } | { op: 'add'; key: string; value: unknown };

function mutation(fields: Fields): fc.Arbitrary<Mutation> {
  const keys = Object.keys(fields);
  const set = fc.constantFrom(...keys).chain((key) => oddValue(fields[key]!).map((value): Mutation => ({ op: 'set', key, value })));
  const drop = fc.constantFrom(...keys).map((key): Mutation => ({ op: 'drop', key }));
  const add = fc.tuple(unknownKey, fc.oneof(anyJson, weirdValue)).map(([key, value]): Mutation => ({ op: 'add', key, value }));
  return fc.oneof({ weight: 6, arbitrary: set }, { weight: 2, arbitrary: drop }, { weight: 2, arbitrary: add });
}

function apply(body: Record<string, unknown>, m: Mutation): Record<string, unknown> {
  if (m.op === 'drop') return without(body, m.key);
  return withKey(without(body, m.key), m.key, m.value);
}

export interface ObjectShape {
  /** Keys every valid object has. */
  required?: string[];
  /** Groups of keys a valid object has at most one of (session_token / session_jwt). */
  exclusive?: string[][];
  /** Valid values of several fields that only make sense together (a hash and its hash_type), laid over the rest. */
  coherent?: fc.Arbitrary<Record<string, unknown>>;
  maxMutations?: number;
}

/**
 * A valid object (the `required` keys and any subset of the optional ones, with valid values)
 * changed by one to `maxMutations` field mutations, or by none one time in five.
 */
export function mutatedObject(fields: Fields, shape: ObjectShape = {}): fc.Arbitrary<Record<string, unknown>> {
  const { required = [], exclusive = [], coherent = fc.constant({}), maxMutations = 3 } = shape;
  const keys = Object.keys(fields);
  if (keys.length === 0) {
    return fc.array(fc.tuple(unknownKey, anyJson), { maxLength: maxMutations }).map((pairs) => pairs.reduce<Record<string, unknown>>((o, [k, v]) => withKey(o, k, v), {}));
  }
  const record = fc.record(Object.fromEntries(keys.map((k) => [k, fields[k]!.valid])), { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
  const base = fc.tuple(record, coherent, fc.array(fc.nat(), { minLength: exclusive.length, maxLength: exclusive.length })).map(([b, c, picks]) =>
    exclusive.reduce((o, group, i) => group.filter((_, j) => j !== picks[i]! % group.length).reduce(without, o), { ...b, ...c }),
  );
  const mutations = fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 4, arbitrary: fc.array(mutation(fields), { minLength: 1, maxLength: maxMutations }) });
  return fc.tuple(base, mutations).map(([b, ms]) => ms.reduce(apply, b));
}

// ---- whole bodies

/** What goes on the wire as the request body. */
export type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: number[] }
  /** Valid JSON of `value` with `bytes` spliced in at `at` (a fraction of the text's length). */
  | { kind: 'splice'; value: unknown; at: number; bytes: number[] };

/** Byte sequences that are not UTF-8: stray continuation bytes, overlongs, CESU surrogates, 0xff. */
export const invalidUtf8: fc.Arbitrary<number[]> = fc.oneof(
  fc.constantFrom<number[]>([0xff], [0xfe], [0x80], [0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0x00], [0xef, 0xbb, 0xbf]),
  fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 8 }),
);

/** Text that is not JSON, or is JSON only to a lenient parser. */
export const notJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('{', '}', '[', '{"email":', '{"email": "a@b.co",}', "{'email': 'a@b.co'}", '{email: 1}', '{"a":1}{"b":2}', '{"a":1} x', 'NaN', '{"n": NaN}', '{"n": Infinity}', '{"n": -}', '{"n": 01}', '{"n": .5}', '{"n": 1.}', '{"s": "\\x41"}', '{"s": "\\u12"}', '{"s": "\t"}', '{"s": "\u0000"}', '/* c */ {}', '{} // c', '\ufeff{}', 'true', 'null', '"str"', '42', '[]', 'undefined', '<xml/>', 'email=a@b.co&password=x', '--boundary\r\n', ' \n\t ', '{"__proto__": {"x": 1}}', '{"constructor": {"prototype": {"x": 1}}}', '{"a":1,"a":2}'),
  fc.string({ unit: anyUnit, maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

/** A whole body: mostly the mutated route body, sometimes anything at all. */
export function anyBody(routeBody: fc.Arbitrary<Record<string, unknown>>, bodyLimit: number): fc.Arbitrary<Body> {
  const json = (value: fc.Arbitrary<unknown>) => value.map((v): Body => ({ kind: 'json', value: v }));
  return fc.oneof(
    { weight: 60, arbitrary: json(routeBody) },
    { weight: 4, arbitrary: json(fc.jsonValue()) },
    { weight: 3, arbitrary: json(fc.oneof(fc.array(anyJson, { maxLength: 4 }), weirdString, weirdNumber, fc.constantFrom(null, true, false))) },
    { weight: 3, arbitrary: json(fc.tuple(routeBody, fc.integer({ min: 20, max: 45 }), fc.constantFrom('array' as const, 'object' as const, 'mixed' as const)).map(([b, d, s]) => ({ ...b, nested: nest(1, d, s) }))) },
    { weight: 2, arbitrary: json(fc.tuple(fc.integer({ min: 28, max: 45 }), fc.constantFrom('array' as const, 'object' as const, 'mixed' as const)).map(([d, s]) => nest({}, d, s))) },
    { weight: 3, arbitrary: notJson.map((text): Body => ({ kind: 'text', text })) },
    { weight: 3, arbitrary: fc.tuple(routeBody, fc.double({ min: 0, max: 1, noNaN: true }), invalidUtf8).map(([value, at, bytes]): Body => ({ kind: 'splice', value, at, bytes })) },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }).map((bytes): Body => ({ kind: 'bytes', bytes })) },
    // Just under and beyond the body limit.
    { weight: 2, arbitrary: fc.tuple(routeBody, fc.constantFrom(bodyLimit - 200, bodyLimit + 1, bodyLimit * 2, bodyLimit * 16)).map(([b, n]): Body => ({ kind: 'json', value: { ...b, padding: 'p'.repeat(Math.max(0, n)) } })) },
    { weight: 2, arbitrary: fc.constantFrom<Body>({ kind: 'none' }, { kind: 'text', text: '' }, { kind: 'text', text: '   \r\n' }) },
  );
}

/** The bytes of a body, with fixture references looked up. */
export function bodyBytes(body: Body, lookup: Lookup): Buffer | undefined {
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'json':
      return Buffer.from(toJsonText(body.value, lookup), 'utf8');
    case 'text':
      return Buffer.from(body.text, 'utf8');
    case 'bytes':
      return Buffer.from(body.bytes);
    case 'splice': {
      const text = Buffer.from(toJsonText(body.value, lookup), 'utf8');
      const at = Math.min(text.length, Math.floor(body.at * text.length));
      return Buffer.concat([text.subarray(0, at), Buffer.from(body.bytes), text.subarray(at)]);
    }
  }
}
