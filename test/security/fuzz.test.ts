/**
 * Bad input never breaks anything (docs: shared/design/security.md, "Bad input"): property-based
 * fuzzing with fast-check of every route of src/http/routes.ts — bodies (wrong types, missing
 * and unknown fields, huge strings, deep nesting, NUL bytes, lone surrogates, invalid UTF-8,
 * numbers out of range, arrays where objects belong, non-JSON), path parameters, query strings
 * and headers (Authorization variants, content types, lengths), against a real server on every
 * dialect in DIALECTS.
 *
 * For every answer: no 5xx; a JSON body that is either a success (200/201, request_id,
 * status_code = HTTP status) or the Stytch error envelope with an error_type of src/errors.ts
 * whose status is the HTTP status; never a success with bad credentials; and, for every
 * rejected request, the database (every table but rate_limit_counters) exactly as before, save
 * the failure counter and lock a wrong password is meant to record.
 *
 * CI runs a fixed seed and POSTERN_FUZZ_RUNS cases per dialect (default 3000, split over the
 * properties below). A long run, with a new seed each time:
 *
 *   POSTERN_FUZZ_RUNS=20000 POSTERN_FUZZ_SEED=$RANDOM node --import tsx --test test/security/fuzz.test.ts
 *
 * (add POSTERN_TEST_DATABASE_URL=postgres://… for PostgreSQL). A failure prints the seed, the
 * path to replay it and the shrunk counterexample, together with the request as it was sent.
 *
 * The server bugs this suite found (NUL reaching PostgreSQL text, a search cursor beyond the
 * bigint range, malformed HTTP answered outside the envelope) are fixed, and their minimal
 * requests are kept as regression tests in nul.test.ts and wire.test.ts.
 * After each dialect the suite prints the answers it got per route (error_type × count).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DIALECTS, basicAuth, startTestServer, type TestServer } from '../helpers/server.js';
import { buildFixture, checkResponse, describeSent, externalId, forbiddenChanges, openReader, phoneUser, session, type DbReader, type Snapshot } from './fuzz-oracle.js';
import { FIXTURE_KEYS, ROUTES, routeBody, type Fixture, type RouteSpec } from './fuzz-routes.js';
import { Ref, anyBody, type Body } from './fuzz-values.js';
import { FRAMING_KINDS, sendRaw, sentOf, type FramingContext, type RawRequest } from './fuzz-framing.js';
import { authValidity, build, headerSpec, pathOf, plainHeaders, queryOf, send, type Case, type HeaderSpec, type ParamValue, type Sent } from './fuzz-wire.js';

const SEED = Number(process.env.POSTERN_FUZZ_SEED ?? 424242);
const TOTAL = Number(process.env.POSTERN_FUZZ_RUNS ?? 3000);
/** Share of the cases for the per-route properties; the rest go to headers and methods/paths. */
const ROUTE_RUNS = Math.max(1, Math.round((TOTAL * 0.78) / ROUTES.length));
const HEADER_RUNS = Math.max(1, Math.round(TOTAL * 0.12));
const METHOD_RUNS = Math.max(1, Math.round(TOTAL * 0.08));
const FRAMING_RUNS = Math.max(1, Math.round((TOTAL * 0.02) / Object.keys(FRAMING_KINDS).length));
const BODY_LIMIT = 64 * 1024;

const ENV = {
  POSTERN_RATE_LIMIT_EMAIL_PER_MINUTE: '0',
  POSTERN_RATE_LIMIT_IP_PER_MINUTE: '0',
  POSTERN_BREACH_CHECK: 'offline',
  POSTERN_BODY_LIMIT: String(BODY_LIMIT),
};

/** Answers after which a fixture (lock, reset flag, session age, used token) needs rebuilding. */
const STALE_AFTER = new Set(['user_lock_limit_reached', 'reset_password', 'session_too_old_to_reset_password', 'unable_to_auth_magic_link', 'cannot_reset_password_with_existing_password', 'no_user_password']);
const FIXTURE_MAX_AGE_MS = 4 * 60_000;

/** The fixture values a case names. */
function refsOf(value: unknown, out = new Set<string>()): Set<string> {
  if (value instanceof Ref) out.add(value.key);
  else if (Array.isArray(value)) for (const v of value) refsOf(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) refsOf(v, out);
  return out;
}

const PHONE_KEYS = new Set(['phoneUserId', 'phoneId', 'phoneNumber']);

/** What to make again before the next case: everything, or only one cheap part. */
type Renewal = 'all' | 'phone' | 'external-id' | 'session';

/** The fuzzing state of one server: fixtures, the last database snapshot, counters. */
class Harness {
  fixture!: Fixture;
  other!: { projectId: string; secret: string; userId: string; emailId: string; sessionToken: string };
  snapshot!: Snapshot;
  pending = new Set<Renewal>(['all']);
  builtAt = 0;
  builds = 0;
  renewals = 0;
  readonly statuses = new Map<string, Map<string, number>>();

  constructor(
    readonly s: TestServer,
    readonly reader: DbReader,
  ) {}

  async init(): Promise<void> {
    const p = await this.s.createProject();
    const res = await this.s.request('POST', '/v1/passwords', { email: 'other-project@example.com', password: 'correct horse battery staple 91', session_duration_minutes: 60 }, { auth: basicAuth(p.projectId, p.secret) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    this.other = { ...p, userId: res.body.user_id, emailId: res.body.email_id, sessionToken: res.body.session_token };
    const jwks = await this.s.request('GET', `/v1/sessions/jwks/${this.s.projectId}`);
    assert.equal(jwks.status, 200, JSON.stringify(jwks.body));
  }

  lookup = (key: string): string => {
    if (key === 'secret') return this.s.secret;
    if (key === 'otherSecret') return this.other.secret;
    const v = (this.fixture as Record<string, string> | undefined)?.[key];
    if (v === undefined) throw new Error(`no fixture value ${key}`);
    return v;
  };

  private async renew(r: Exclude<Renewal, 'all'>): Promise<void> {
    const f = this.fixture;
    const part = r === 'phone' ? await phoneUser(this.s) : r === 'external-id' ? await externalId(this.s, f.userId) : await session(this.s, f.email, f.password);
    Object.assign(this.fixture, part);
  }

  async ready(): Promise<void> {
    // The session must be younger than 5 minutes for session resets.
    if (Date.now() - this.builtAt > FIXTURE_MAX_AGE_MS) this.pending.add('all');
    if (this.pending.size === 0) return;
    let all = this.pending.has('all');
    if (!all) {
      try {
        for (const r of this.pending) if (r !== 'all') await this.renew(r);
        this.renewals += 1;
      } catch {
        all = true; // a part could not be made again (the user is gone after all): start over
      }
    }
    if (all) {
      this.fixture = await buildFixture(this.s, this.other);
      for (const k of FIXTURE_KEYS) assert.equal(typeof this.fixture[k], 'string', `fixture ${k}`);
      this.builtAt = Date.now();
      this.builds += 1;
    }
    this.pending.clear();
    this.snapshot = await this.reader.snapshot();
  }

  /** After a success that named fixtures: what it may have used up. */
  private spent(route: RouteSpec, c: Case): void {
    const refs = refsOf(c);
    if (refs.size === 0) return;
    // Another method on the route's path (the methods property) may do anything.
    const spends = c.method === route.method ? route.spends : 'user';
    if (spends === 'nothing') return;
    if ([...refs].every((k) => PHONE_KEYS.has(k))) this.pending.add('phone');
    else this.pending.add(spends === 'user' ? 'all' : spends);
  }

  count(route: string, key: string): void {
    const m = this.statuses.get(route) ?? new Map<string, number>();
    m.set(key, (m.get(key) ?? 0) + 1);
    this.statuses.set(route, m);
  }

  /** Sends one generated request and checks everything the suite promises about its answer. */
  async run(route: RouteSpec, c: Case): Promise<void> {
    await this.ready();
    const sent = build(c, this.lookup);
    await this.check(route, c, sent, await send(this.s.url, sent));
  }

  /** Writes raw bytes (a request malformed at the HTTP level) and checks the answer the same way. */
  async runRaw(route: RouteSpec, make: (ctx: FramingContext) => fc.Arbitrary<RawRequest>, pick: number): Promise<void> {
    await this.ready();
    const path = route.pattern.replace(/:([a-z_]+)/g, (_, p: string) => this.lookup({ user_id: 'userId', project_id: 'projectId', password_id: 'passwordId', email_id: 'emailId', phone_id: 'phoneId' }[p] ?? 'userId'));
    const ctx = { authorization: basicAuth(this.s.projectId, this.s.secret), path, body: JSON.stringify({ email: this.fixture.email, password: this.fixture.password }) };
    // The raw request is drawn here, from the pick, because it depends on the live fixture.
    const raw = fc.sample(make(ctx), { seed: pick, numRuns: 1 })[0]!;
    const sent = sentOf(raw);
    await this.check(route, { route: route.name, method: sent.method, path: [], query: null, body: { kind: 'none' }, headers: plainHeaders }, sent, await sendRaw(this.s.url, raw.bytes));
  }

  private async check(route: RouteSpec, c: Case, sent: Sent, res: Awaited<ReturnType<typeof send>>): Promise<void> {
    const verdict = checkResponse(sent, res);
    this.count(route.name, verdict.errorType ?? String(verdict.status));
    const ok = verdict.status >= 200 && verdict.status < 300;
    const credentials = authValidity(c.headers.auth);
    if (ok && credentials === false && (route.auth === 'project' || c.headers.auth.kind !== 'none')) {
      assert.fail(`success with bad credentials\nrequest: ${describeSent(sent)}`);
    }
    // Project isolation: no success with this project's credentials ever shows another project's user.
    const asOther = refsOf(c.headers.auth).has('otherProjectId');
    if (ok && !asOther && 'text' in res && (res.text.includes(this.other.userId) || res.text.includes(this.other.emailId))) {
      assert.fail(`a success shows another project's user\nresponse: ${res.text.slice(0, 600)}\nrequest: ${describeSent(sent)}`);
    }
    const afterSnap = await this.reader.snapshot();
    if (!ok) {
      const problems = forbiddenChanges(this.snapshot, afterSnap, route.name, verdict.errorType ?? '');
      if (problems.length > 0) {
        this.snapshot = afterSnap;
        this.pending.add('all');
        assert.fail(`rejected request (HTTP ${verdict.status} ${verdict.errorType}) changed the database:\n  ${problems.join('\n  ')}\nrequest: ${describeSent(sent)}`);
      }
    }
    this.snapshot = afterSnap;
    if (ok) this.spent(route, c);
    if (STALE_AFTER.has(verdict.errorType ?? '')) this.pending.add('all');
  }
}

/** A body-less route gets no body most of the time, and anything at all otherwise. */
function bodyFor(route: RouteSpec): fc.Arbitrary<Body> {
  const any = anyBody(routeBody(route), BODY_LIMIT);
  if (route.fields) return any;
  return fc.oneof({ weight: 3, arbitrary: fc.constant<Body>({ kind: 'none' }) }, { weight: 1, arbitrary: fc.constant<Body>({ kind: 'json', value: {} }) }, { weight: 2, arbitrary: any });
}

function routeCase(route: RouteSpec, headers: fc.Arbitrary<HeaderSpec>): fc.Arbitrary<Case> {
  return fc.record({
    route: fc.constant(route.name),
    method: fc.constant(route.method),
    path: pathOf(route),
    query: queryOf(route),
    body: bodyFor(route),
    headers,
  });
}

const mostlyPlainHeaders = fc.oneof({ weight: 9, arbitrary: fc.constant(plainHeaders) }, { weight: 1, arbitrary: headerSpec });

const routeName = fc.constantFrom(...ROUTES.map((r) => r.name));
const routeArb = routeName.map((name) => ROUTES.find((r) => r.name === name)!);
const routeOf = (c: Case) => ROUTES.find((r) => r.name === c.route)!;

/** Paths near the real ones: trailing and doubled slashes, case, dot segments, unknown prefixes. */
function nearPath(route: RouteSpec): fc.Arbitrary<Array<string | ParamValue>> {
  return fc.tuple(pathOf(route, false), fc.constantFrom('same', 'trailing', 'double', 'upper', 'dot', 'dotdot', 'encoded', 'extra', 'v2', 'root', 'prefix')).map(([segs, how]) => {
    const lit = (f: (s: string) => string) => segs.map((seg) => (typeof seg === 'string' ? f(seg) : seg));
    switch (how) {
      case 'same':
        return segs;
      case 'trailing':
        return [...segs, ''];
      case 'double':
        return ['', ...segs];
      case 'upper':
        return lit((s) => s.toUpperCase());
      case 'dot':
        return [segs[0]!, '.', ...segs.slice(1)];
      case 'dotdot':
        return [segs[0]!, 'v1', '..', ...segs.slice(1)];
      case 'encoded':
        return lit((s) => [...s].map((ch) => '%' + ch.charCodeAt(0).toString(16)).join(''));
      case 'extra':
        return [...segs, 'extra', 'x'];
      case 'v2':
        return lit((s) => (s === 'v1' ? 'v2' : s));
      case 'root':
        return ['', ''];
      default:
        return ['', 'api', ...segs.slice(1)];
    }
  });
}

for (const dialect of DIALECTS) {
  describe(`fuzzing every route (${dialect}, seed ${SEED}, ${TOTAL} cases)`, () => {
    let s: TestServer;
    let reader: DbReader;
    let h: Harness;
    let started = 0;

    before(async () => {
      started = Date.now();
      s = await startTestServer(dialect, { env: ENV });
      reader = await openReader(s);
      h = new Harness(s, reader);
      await h.init();
    });

    after(async () => {
      const lines = [...h.statuses].map(([route, m]) => `  ${route}: ${[...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`).join(' ')}`);
      console.log(`fuzz ${dialect}: ${((Date.now() - started) / 1000).toFixed(1)} s, ${h.builds} fixture builds, ${h.renewals} partial renewals\n${lines.join('\n')}`);
      await reader.close();
      await s.close();
    });

    for (const route of ROUTES) {
      it(`${route.name}: mutated bodies, path parameters and query strings`, async () => {
        await fc.assert(
          fc.asyncProperty(routeCase(route, mostlyPlainHeaders), (c) => h.run(route, c)),
          { seed: SEED, numRuns: ROUTE_RUNS, includeErrorInReport: true },
        );
      });
    }

    it('every route: Authorization, Content-Type and other header variants', async () => {
      const arb = routeArb.chain((route) => routeCase(route, headerSpec));
      await fc.assert(
        fc.asyncProperty(arb, (c) => h.run(routeOf(c), c)),
        { seed: SEED, numRuns: HEADER_RUNS, includeErrorInReport: true },
      );
    });

    for (const [kind, make] of Object.entries(FRAMING_KINDS)) {
      it(`every route: HTTP framing — ${kind}`, async () => {
        await fc.assert(
          fc.asyncProperty(routeName, fc.nat(), (name, pick) => h.runRaw(ROUTES.find((r) => r.name === name)!, make, pick)),
          // Nothing to shrink: the raw request is drawn from `pick` and printed in full.
          { seed: SEED, numRuns: FRAMING_RUNS, includeErrorInReport: true, endOnFailure: true },
        );
      });
    }

    it('every route: other methods and paths near the real ones', async () => {
      const methods = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'SEARCH', 'LOCK', 'PURGE');
      const arb = routeArb.chain((route) =>
        fc.record({ route: fc.constant(route.name), method: methods, path: nearPath(route), query: queryOf(route), body: bodyFor(route), headers: mostlyPlainHeaders }),
      );
      await fc.assert(
        fc.asyncProperty(arb, (c) => h.run(routeOf(c), c)),
        { seed: SEED, numRuns: METHOD_RUNS, includeErrorInReport: true },
      );
    });
  });
}
