/**
 * The wire side of the fuzzing suite: a generated request (method, path with odd parameters,
 * query string, headers, body bytes) written with node:http, which, unlike fetch, sends paths
 * verbatim (`..`, `%zz`, raw high bytes) and lets a request carry any header or none. Not a
 * test file itself.
 */
import http from 'node:http';
import fc from 'fast-check';
import { Ref, bodyBytes, resolveRef, weirdString, type Body, type Lookup } from './fuzz-values.js';
import type { QueryPart, RouteSpec } from './fuzz-routes.js';

/**
 * How a path or query value is written: percent-encoded, or raw printable ASCII (`%`, `/`, `?`
 * and `#` included). Raw bytes above 0x7f are refused by Node's parser: see fuzz-framing.ts.
 */
export type Encoding = 'component' | 'raw';

export interface ParamValue {
  value: unknown;
  enc: Encoding;
}

export type AuthSpec =
  | { kind: 'valid' }
  | { kind: 'none' }
  /** Basic with `user:pass` (either may refer to a fixture), base64 of the UTF-8 text. */
  | { kind: 'basic'; user: unknown; pass: unknown; valid: boolean | null }
  /** Any header value, written as is. */
  | { kind: 'raw'; value: string; valid: boolean | null };

export interface HeaderSpec {
  auth: AuthSpec;
  /** undefined: application/json when there is a body; null: no Content-Type at all. */
  contentType?: string | null;
  extra: Array<[string, string]>;
}

export interface Case {
  route: string;
  method: string;
  /** Path segments: literal text or a parameter value. */
  path: Array<string | ParamValue>;
  query: Array<[unknown, unknown, Encoding]> | null;
  body: Body;
  headers: HeaderSpec;
}

export interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

export interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function pct(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** Writes `s` into a request target: everything but what `enc` lets through is percent-encoded. */
export function encode(s: string, enc: Encoding): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    const keep = enc === 'component' ? UNRESERVED.test(ch) : code >= 0x21 && code <= 0x7e;
    out += keep ? ch : pct(ch);
  }
  return out;
}

function resolve(v: unknown, lookup: Lookup): string {
  if (v instanceof Ref) return resolveRef(v, lookup);
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

/** The request line's target. */
export function target(c: Case, lookup: Lookup): string {
  const path = c.path.map((seg) => (typeof seg === 'string' ? seg : encode(resolve(seg.value, lookup), seg.enc))).join('/');
  if (c.query === null) return path;
  return path + '?' + c.query.map(([k, v, enc]) => `${encode(resolve(k, lookup), enc)}=${encode(resolve(v, lookup), enc)}`).join('&');
}

export function basic(user: string, pass: string): string {
  return 'Basic ' + Buffer.from(`${user}:${pass}`, 'utf8').toString('base64');
}

/** Whether the credentials of this request are the project's own: true, false, or unknown. */
export function authValidity(spec: AuthSpec): boolean | null {
  switch (spec.kind) {
    case 'valid':
      return true;
    case 'none':
      return false;
    case 'basic':
      return spec.valid;
    case 'raw':
      return spec.valid;
  }
}

export function build(c: Case, lookup: Lookup): Sent {
  const headers: Record<string, string> = {};
  const a = c.headers.auth;
  if (a.kind === 'valid') headers.authorization = basic(lookup('projectId'), lookup('secret'));
  else if (a.kind === 'basic') headers.authorization = basic(resolve(a.user, lookup), resolve(a.pass, lookup));
  else if (a.kind === 'raw') headers.authorization = a.value.replaceAll('{{valid}}', basic(lookup('projectId'), lookup('secret')).slice(6));
  const body = bodyBytes(c.body, lookup);
  if (body !== undefined) {
    if (c.headers.contentType === undefined) headers['content-type'] = 'application/json';
    else if (c.headers.contentType !== null) headers['content-type'] = c.headers.contentType;
  }
  for (const [k, v] of c.headers.extra) headers[k] = v;
  // Framed explicitly: node:http sends a GET or DELETE body without Content-Length otherwise.
  if (body !== undefined && headers['transfer-encoding'] === undefined) headers['content-length'] = String(body.length);
  return { method: c.method, path: target(c, lookup), headers, body };
}

/**
 * Sends one request, on a connection of its own (so that no request, and no shrinking step,
 * inherits a connection an earlier one broke). Network errors are returned, not thrown: a
 * server that drops a connection instead of answering is a finding the caller reports.
 */
export function send(baseUrl: string, req: Sent): Promise<Received | { error: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolvePromise) => {
    const r = http.request(
      { host: hostname, port: Number(port), method: req.method, path: req.path, headers: req.headers, agent: false, timeout: 20_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolvePromise({ error: `response: ${err.message}` }));
      },
    );
    r.on('timeout', () => r.destroy(new Error('timed out')));
    r.on('error', (err: NodeJS.ErrnoException) => resolvePromise({ error: `${err.code ?? ''} ${err.message}` }));
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

// ---- generators

const weirdPathValue: fc.Arbitrary<string> = fc.oneof(
  // Clipped so the request line stays under Node's 16 KiB header limit even fully percent-encoded.
  { weight: 3, arbitrary: weirdString.map((s) => s.slice(0, 1000)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '..', '.', '...', '%', '%zz', '%0', '%00', '%2e%2e', '%2E%2E%2F', '%2F', '%252F', '/', '//', '?x=1', '#frag', ';a=b', '%ff%fe', '%c0%af', '%ed%a0%80', '%F0%9F%98', '',
      ' ', '+', '*', '~', '%20', 'ü', 'é\u00ff', '\u00c0\u00af', 'user-test-%00', '..%2f..%2fadmin', 'user-test-00000000-0000-4000-8000-000000000000/../x',
    ),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', 'é', '𝔘', '%', '%41', '.'), fc.integer({ min: 1000, max: 2048 })).map(([c, n]) => c.repeat(Math.ceil(n / c.length))) },
);

const encoding = fc.constantFrom<Encoding>('component', 'raw');

/** A path parameter: mostly the route's valid-ish values, percent-encoded; else odd text, written odd ways. */
export function paramValue(valid: fc.Arbitrary<unknown>): fc.Arbitrary<ParamValue> {
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((value): ParamValue => ({ value, enc: 'component' })) },
    { weight: 3, arbitrary: fc.tuple(weirdPathValue, encoding).map(([value, enc]): ParamValue => ({ value, enc })) },
    { weight: 1, arbitrary: fc.tuple(valid, weirdPathValue).map(([v, s]): ParamValue => ({ value: v instanceof Ref ? new Ref(v.key, s) : s, enc: 'raw' })) },
  );
}

/** The path segments of a route with generated parameters. */
export function pathOf(route: RouteSpec, mostlyValid = true): fc.Arbitrary<Array<string | ParamValue>> {
  const segs = route.pattern.split('/');
  const arbs = segs.map((seg) => {
    if (!seg.startsWith(':')) return fc.constant<string | ParamValue>(seg);
    const valid = route.params?.[seg.slice(1)] ?? fc.constant('x');
    return mostlyValid ? paramValue(valid) : valid.map((value): ParamValue => ({ value, enc: 'component' }));
  });
  return fc.tuple(...arbs);
}

export function queryOf(route: RouteSpec): fc.Arbitrary<Array<[unknown, unknown, Encoding]> | null> {
  const extra = fc.oneof(
    { weight: 8, arbitrary: fc.constant<QueryPart[]>([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(weirdString.map((s) => s.slice(0, 100)), weirdString.map((s) => s.slice(0, 300))), { maxLength: 3 }) },
  );
  const clip = (v: unknown) => (typeof v === 'string' ? v.slice(0, 1000) : v);
  const own = (route.query ?? fc.constant<QueryPart[]>([])).map((parts) => parts.map(([k, v]): QueryPart => [clip(k), clip(v)]));
  return fc.tuple(own, extra, fc.oneof({ weight: 6, arbitrary: fc.constant<Encoding>('component') }, { weight: 1, arbitrary: encoding })).map(([a, b, enc]) => {
    const parts = [...a, ...b];
    if (parts.length === 0) return route.query ? [] : null;
    return parts.map(([k, v]): [unknown, unknown, Encoding] => [k, v, enc]);
  });
}

/** Header values node:http will write: Latin-1 without control characters. */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength });

/** Long header values; two of them stay under Node's 16 KiB header limit (beyond it: see the framing property). */
const bigHeader = fc.integer({ min: 2_000, max: 7_000 });

/** Authorization variants; the project's own credentials most of the time. */
export const authSpec: fc.Arbitrary<AuthSpec> = fc.oneof(
  { weight: 30, arbitrary: fc.constant<AuthSpec>({ kind: 'valid' }) },
  { weight: 2, arbitrary: fc.constant<AuthSpec>({ kind: 'none' }) },
  {
    weight: 6,
    arbitrary: fc.constantFrom<AuthSpec>(
      { kind: 'basic', user: new Ref('otherProjectId'), pass: new Ref('secret'), valid: false },
      { kind: 'basic', user: new Ref('projectId'), pass: new Ref('otherSecret'), valid: false },
      // Valid, but another project's: whatever it gets must be that project's.
      { kind: 'basic', user: new Ref('otherProjectId'), pass: new Ref('otherSecret'), valid: null },
      { kind: 'basic', user: new Ref('projectId'), pass: '', valid: false },
      { kind: 'basic', user: '', pass: new Ref('secret'), valid: false },
      { kind: 'basic', user: new Ref('projectId'), pass: new Ref('secret', 'x'), valid: false },
      { kind: 'basic', user: new Ref('projectId', ' '), pass: new Ref('secret'), valid: false },
      { kind: 'basic', user: new Ref('projectId'), pass: new Ref('secret', '\u0000'), valid: false },
      { kind: 'basic', user: new Ref('projectId', '\u0000'), pass: new Ref('secret'), valid: false },
      { kind: 'basic', user: new Ref('projectId', '\u00e9\ud800'), pass: new Ref('secret'), valid: false },
      { kind: 'basic', user: new Ref('projectId', ':'), pass: new Ref('secret'), valid: false },
      { kind: 'basic', user: 'project-test-00000000-0000-4000-8000-000000000000', pass: new Ref('secret'), valid: false },
      { kind: 'basic', user: 'project-live-00000000-0000-4000-8000-000000000000', pass: 'x', valid: false },
    ),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom<AuthSpec>(
      { kind: 'raw', value: 'Basic', valid: false },
      { kind: 'raw', value: 'Basic ', valid: false },
      { kind: 'raw', value: 'Basic !!!!', valid: false },
      { kind: 'raw', value: 'Basic ====', valid: false },
      { kind: 'raw', value: 'Basic ' + Buffer.from('no-colon-here').toString('base64'), valid: false },
      { kind: 'raw', value: 'Basic ' + Buffer.from(':').toString('base64'), valid: false },
      { kind: 'raw', value: 'Basic ' + Buffer.from([0xff, 0xfe, 0x3a, 0xc0]).toString('base64'), valid: false },
      { kind: 'raw', value: 'Basic {{valid}} extra', valid: false },
      { kind: 'raw', value: 'Bearer {{valid}}', valid: false },
      { kind: 'raw', value: 'Digest {{valid}}', valid: false },
      { kind: 'raw', value: '{{valid}}', valid: false },
      { kind: 'raw', value: 'basic {{valid}}', valid: null },
      { kind: 'raw', value: 'BASIC   {{valid}}  ', valid: null },
      { kind: 'raw', value: 'Basic {{valid}}==', valid: null },
      { kind: 'raw', value: '', valid: false },
      { kind: 'raw', value: 'Basic project-test-x:secret', valid: false },
    ),
  },
  { weight: 2, arbitrary: headerText(80).map((value): AuthSpec => ({ kind: 'raw', value, valid: null })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('Basic ', 'Basic {{valid}}', ''), fc.constantFrom('A', '=', 'é', ' '), bigHeader).map(([p, c, n]): AuthSpec => ({ kind: 'raw', value: p + c.repeat(n), valid: null })) },
);

export const CONTENT_TYPES = [
  'text/plain', 'application/json; charset=latin1', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'APPLICATION/JSON', 'application/json; boundary=x',
  'multipart/form-data; boundary=----x', 'application/x-www-form-urlencoded', 'application/jsonx', 'application/json, text/plain', '', 'application/vnd.api+json',
  'application/*', '*/*', 'text/json', 'application/json; charset=' + 'x'.repeat(3000), ' application/json', 'application/json ;', 'application/octet-stream',
];

export const contentType: fc.Arbitrary<string | null | undefined> = fc.oneof(
  { weight: 30, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 6, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: headerText(60) },
);

/** Other headers that might confuse a layer: encodings, forwarding, expectations, odd names. */
export const extraHeaders: fc.Arbitrary<Array<[string, string]>> = fc.oneof(
  { weight: 20, arbitrary: fc.constant<Array<[string, string]>>([]) },
  {
    weight: 4,
    arbitrary: fc.subarray<[string, string]>([
      ['content-encoding', 'gzip'], ['content-encoding', 'br'], ['content-encoding', 'identity'], ['accept', 'text/html'], ['accept-encoding', 'gzip, br'],
      ['x-forwarded-for', '1.2.3.4, 5.6.7.8'], ['x-forwarded-proto', 'javascript'], ['x-real-ip', '::ffff:1.2.3.4'], ['expect', '100-continue'],
      ['x-request-id', '../../x'], ['origin', 'https://evil.example'], ['cookie', 'a=b'], ['x-http-method-override', 'DELETE'], ['transfer-encoding', 'chunked'],
    ], { minLength: 1, maxLength: 3 }),
  },
  { weight: 2, arbitrary: fc.array(fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerText(200)), { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: bigHeader.map((n): Array<[string, string]> => [['x-big', 'b'.repeat(n)]]) },
);

export const headerSpec: fc.Arbitrary<HeaderSpec> = fc.tuple(authSpec, contentType, extraHeaders).map(([auth, ct, extra]) => ({ auth, contentType: ct, extra }));

/** Headers of a request that should reach the handler: valid credentials, JSON content type. */
export const plainHeaders: HeaderSpec = { auth: { kind: 'valid' }, extra: [] };
