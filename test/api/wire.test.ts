/**
 * Transport and envelope: Basic auth (§1.3), error envelope (§4.1), unknown routes and methods
 * (decision 12), health check, request parsing (malformed JSON, content type, body limit,
 * null-as-absent §1.4), id and timestamp shapes (§1.1, §2).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import {
  REQUEST_ID, STRONG, TIMESTAMP, authFor, createUser, expectError, expectOk, idPattern, newEmail,
  type Res,
} from './support.js';

const USER_ID = 'user-test-00000000-0000-4000-8000-000000000000';
const TOKEN = 'A'.repeat(44);

/** Every in-scope /v1 route that requires Basic auth, with a plausible body. */
const AUTHED_ROUTES: [string, string, unknown][] = [
  ['POST', '/v1/passwords', { email: 'a@example.com', password: STRONG[0] }],
  ['POST', '/v1/passwords/authenticate', { email: 'a@example.com', password: STRONG[0] }],
  ['POST', '/v1/passwords/existing_password/reset', { email: 'a@example.com', existing_password: STRONG[0], new_password: STRONG[1] }],
  ['POST', '/v1/sessions/authenticate', { session_token: TOKEN }],
  ['GET', `/v1/sessions?user_id=${USER_ID}`, undefined],
  ['POST', '/v1/sessions/revoke', { session_token: TOKEN }],
  ['GET', `/v1/users/${USER_ID}`, undefined],
  ['DELETE', `/v1/users/${USER_ID}`, {}],
];

for (const dialect of DIALECTS) {
  void describe(`wire (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(dialect);
    });
    after(() => s.close());

    void describe('Basic auth', () => {
      void it('rejects every /v1 route without credentials: 401 unauthorized_credentials', async () => {
        for (const [method, path, body] of AUTHED_ROUTES) {
          const res = await s.request(method, path, body, { auth: null });
          expectError(res, 401, 'unauthorized_credentials', 'Unauthorized credentials.');
        }
      });

      void it('rejects a wrong secret, an unknown project, and malformed headers', async () => {
        const headers = [
          authFor({ projectId: s.projectId, secret: s.secret + 'x' }),
          authFor({ projectId: s.projectId, secret: '' }),
          authFor({ projectId: 'project-test-00000000-0000-4000-8000-000000000000', secret: s.secret }),
          'Basic ' + Buffer.from(s.projectId).toString('base64'),
          'Basic !!!not-base64!!!',
          'Bearer ' + s.secret,
          authFor({ projectId: s.projectId, secret: s.secret }).replace('Basic', ''),
        ];
        for (const auth of headers) {
          const res = await s.request('GET', `/v1/users/${USER_ID}`, undefined, { auth });
          expectError(res, 401, 'unauthorized_credentials');
        }
      });

      void it("rejects one project's id with another project's secret", async () => {
        const other = await s.createProject();
        const res = await s.request('GET', `/v1/users/${USER_ID}`, undefined, { auth: authFor({ projectId: s.projectId, secret: other.secret }) });
        expectError(res, 401, 'unauthorized_credentials');
        const ok = await s.request('GET', `/v1/users/${USER_ID}`, undefined, { auth: authFor(other) });
        expectError(ok, 404, 'user_not_found');
      });

      void it('does not let an unauthenticated request reach the handler (no user is created)', async () => {
        const email = newEmail('noauth');
        const res = await s.request('POST', '/v1/passwords', { email, password: STRONG[0] }, { auth: null });
        expectError(res, 401, 'unauthorized_credentials');
        const login = await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0] });
        expectError(login, 404, 'email_not_found');
      });

      void it('serves JWKS without credentials', async () => {
        const res = await s.request('GET', `/v1/sessions/jwks/${s.projectId}`, undefined, { auth: null });
        expectOk(res);
        assert.ok(Array.isArray(res.body.keys) && res.body.keys.length > 0);
      });
    });

    void describe('routing', () => {
      void it('answers unknown routes with 404 route_not_found in the JSON envelope', async () => {
        for (const path of ['/v1/nope', '/v1/passwords/nope', '/nope', '/v2/passwords']) {
          expectError(await s.request('GET', path), 404, 'route_not_found');
        }
        expectError(await s.request('POST', '/v1/passwords/does_not_exist', {}), 404, 'route_not_found');
      });

      void it('answers a known path with the wrong method with 405 method_not_allowed', async () => {
        const cases: [string, string][] = [
          ['GET', '/v1/passwords'],
          ['DELETE', '/v1/passwords/authenticate'],
          ['GET', '/v1/passwords/existing_password/reset'],
          ['GET', '/v1/sessions/authenticate'],
          ['PUT', '/v1/sessions/revoke'],
          ['DELETE', '/v1/sessions'],
          ['POST', `/v1/sessions/jwks/${s.projectId}`],
        ];
        for (const [method, path] of cases) {
          const res = await s.request(method, path, method === 'GET' ? undefined : {});
          expectError(res, 405, 'method_not_allowed');
        }
      });

      void it('GET /healthz answers 200 without credentials', async () => {
        const res = await s.request('GET', '/healthz', undefined, { auth: null });
        assert.equal(res.status, 200);
      });

      void it('gives every response its own request_id', async () => {
        const ids = new Set<string>();
        for (let i = 0; i < 5; i++) {
          const res = await s.request('GET', `/v1/users/${USER_ID}`);
          assert.match(res.body.request_id, REQUEST_ID);
          ids.add(res.body.request_id as string);
        }
        assert.equal(ids.size, 5);
      });
    });

    void describe('request parsing', () => {
      void it('malformed JSON → 400 bad_request', async () => {
        for (const rawBody of ['{"email":', '{email: "a@example.com"}', 'not json', '{"a":1}}']) {
          const res = await s.request('POST', '/v1/passwords/authenticate', undefined, { rawBody });
          expectError(res, 400, 'bad_request');
        }
      });

      void it('a body with a non-JSON content type → 400 bad_request', async () => {
        const email = newEmail('ctype');
        for (const ct of ['text/plain', 'application/x-www-form-urlencoded']) {
          const rawBody = ct === 'text/plain' ? JSON.stringify({ email, password: STRONG[0] }) : `email=${email}&password=x`;
          const res = await s.request('POST', '/v1/passwords', undefined, { rawBody, headers: { 'content-type': ct } });
          expectError(res, 400, 'bad_request');
        }
        expectError(await s.request('POST', '/v1/passwords/authenticate', { email, password: STRONG[0] }), 404, 'email_not_found');
      });

      void it('accepts application/json with a charset parameter', async () => {
        const res = await s.request('POST', '/v1/passwords/authenticate', { email: newEmail(), password: 'x' }, { headers: { 'content-type': 'application/json; charset=utf-8' } });
        expectError(res, 404, 'email_not_found');
      });

      void it('a body over 64 KiB → 413 request_too_large; just under is parsed', async () => {
        const big = { email: newEmail(), password: 'p'.repeat(65 * 1024) };
        expectError(await s.request('POST', '/v1/passwords/authenticate', big), 413, 'request_too_large');
        const fits = { email: newEmail(), password: 'p'.repeat(60 * 1024) };
        expectError(await s.request('POST', '/v1/passwords/authenticate', fits), 404, 'email_not_found');
      });

      void it('accepts GET and DELETE without a body even with a JSON content type', async () => {
        const headers = { 'content-type': 'application/json' };
        expectError(await s.request('GET', `/v1/users/${USER_ID}`, undefined, { headers }), 404, 'user_not_found');
        expectError(await s.request('DELETE', `/v1/users/${USER_ID}`, undefined, { headers }), 404, 'user_not_found');
        expectError(await s.request('DELETE', `/v1/users/${USER_ID}`, undefined, {}), 404, 'user_not_found');
      });

      void it('missing required fields and wrong JSON types → 400 invalid_argument', async () => {
        const bodies: unknown[] = [
          {},
          { email: newEmail() },
          { password: STRONG[0] },
          { email: 42, password: STRONG[0] },
          { email: newEmail(), password: 42 },
          { email: newEmail(), password: [STRONG[0]] },
          { email: null, password: STRONG[0] },
          { email: newEmail(), password: STRONG[0], session_token: 12 },
        ];
        for (const body of bodies) {
          expectError(await s.request('POST', '/v1/passwords/authenticate', body), 400, 'invalid_argument');
        }
      });

      void it('explicit null for optional fields is the same as absent', async () => {
        const u = await createUser(s, { email: newEmail('nulls') });
        const res = await s.request('POST', '/v1/passwords/authenticate', {
          email: u.email, password: u.password, session_token: null, session_jwt: null,
          session_duration_minutes: null, session_custom_claims: null, telemetry_id: null,
        });
        expectOk(res);
        assert.equal(res.body.user_id, u.userId);
        assert.equal(res.body.session, null);
        assert.equal(res.body.session_token, '');
        assert.equal(res.body.session_jwt, '');
        const create = await s.request('POST', '/v1/passwords', {
          email: newEmail('nulls'), password: STRONG[1], session_duration_minutes: null, session_custom_claims: null,
          name: null, trusted_metadata: null, untrusted_metadata: null, telemetry_id: null,
        });
        expectOk(create);
        assert.equal(create.body.session, null);
      });
    });

    void describe('hostile input', () => {
      function expectClientError(res: Res): void {
        assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx, got ${res.status} ${JSON.stringify(res.body)}`);
        expectError(res, res.status, res.body.error_type as string);
      }

      void it('odd values get Stytch-shaped 4xx answers, never a 5xx', async () => {
        const path = '/v1/passwords/authenticate';
        expectError(await s.request('POST', path, { email: 'a\u0000b@example.com', password: 'x' }), 400, 'invalid_argument'); // NUL is refused before any field rule (docs/compatibility.md)
        expectError(await s.request('POST', path, { email: 'x'.repeat(10_000) + '@example.com', password: 'x' }), 400, 'invalid_email');
        expectError(await s.request('POST', path, { email: newEmail(), password: 'x', session_duration_minutes: 1e308 }), 400, 'invalid_session_duration_minutes');
        const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
        const rawBody = `{"email":"${newEmail()}","password":"x","session_duration_minutes":60,"session_custom_claims":${deep}}`;
        expectClientError(await s.request('POST', path, undefined, { rawBody }));
        expectClientError(await s.request('POST', '/v1/passwords', { email: newEmail(), password: 'p\u0000' + STRONG[0], name: { first_name: 'x'.repeat(50_000) } }));
        expectClientError(await s.request('GET', `/v1/users/${'%'}`));
        expectClientError(await s.request('GET', `/v1/users/${encodeURIComponent('../../etc/passwd')}`));
      });

      void it('a body that is not valid UTF-8 is refused with a 4xx', async () => {
        const bytes = Buffer.concat([Buffer.from('{"email":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('@example.com","password":"x"}')]);
        const res = await fetch(`${s.url}/v1/passwords/authenticate`, {
          method: 'POST',
          headers: { authorization: authFor(s), 'content-type': 'application/json' },
          body: bytes,
        });
        const body = (await res.json()) as Res['body'];
        expectClientError({ status: res.status, body, headers: res.headers });
      });
    });

    void describe('ids and timestamps', () => {
      function checkShapes(res: Res, env: 'test' | 'live'): void {
        const b = res.body;
        assert.match(b.user_id, idPattern('user', env));
        assert.match(b.email_id, idPattern('email', env));
        assert.match(b.user.password.password_id, idPattern('password', env));
        assert.match(b.session.session_id, idPattern('session', env));
        for (const t of [b.user.created_at, b.session.started_at, b.session.last_accessed_at, b.session.expires_at]) {
          assert.match(t, TIMESTAMP);
        }
        for (const f of b.session.authentication_factors) {
          for (const t of [f.created_at, f.last_authenticated_at, f.updated_at]) assert.match(t, TIMESTAMP);
        }
      }

      void it('mints <kind>-test-<uuid v4> ids and second-precision UTC timestamps', async () => {
        const res = await s.request('POST', '/v1/passwords', { email: newEmail(), password: STRONG[0], session_duration_minutes: 60 });
        expectOk(res);
        assert.match(s.projectId, idPattern('project', 'test'));
        checkShapes(res, 'test');
      });

      void it('a live project mints -live- ids and jwk-live- kids', async () => {
        const live = await s.createProject({ live: true });
        assert.match(live.projectId, idPattern('project', 'live'));
        const auth = authFor(live);
        const res = await s.request('POST', '/v1/passwords', { email: newEmail(), password: STRONG[0], session_duration_minutes: 60 }, { auth });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        checkShapes(res, 'live');
        const jwks = await s.request('GET', `/v1/sessions/jwks/${live.projectId}`, undefined, { auth: null });
        assert.equal(jwks.status, 200);
        for (const k of jwks.body.keys) assert.match(k.kid, idPattern('jwk', 'live'));
      });
    });
  });
}

void describe('wire: configurable body limit (sqlite)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('sqlite', { env: { POSTERN_BODY_LIMIT: '2048' } });
  });
  after(() => s.close());

  void it('honours POSTERN_BODY_LIMIT', async () => {
    expectError(await s.request('POST', '/v1/passwords/authenticate', { email: newEmail(), password: 'p'.repeat(3000) }), 413, 'request_too_large');
    expectError(await s.request('POST', '/v1/passwords/authenticate', { email: newEmail(), password: 'p'.repeat(1500) }), 404, 'email_not_found');
  });
});
