/**
 * NUL (U+0000) and out-of-range cursors: inputs the fuzzer (fuzz.test.ts) once found answering
 * 500 on PostgreSQL, which refuses NUL in text. Every one is refused up front on both dialects,
 * with the envelope, before any query and without changing a row; passwords, which are hashed
 * and never stored as text, keep every code point. Also the Host-less HTTP/1.1 request, which
 * Node used to answer with an empty 400 of its own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { DIALECTS, basicAuth, startTestServer, type TestServer } from '../helpers/server.js';
import { STRONG, createUser, expectError, expectOk, login, newEmail } from '../api/support.js';

const cursor = (text: string) => Buffer.from(text).toString('base64url');

/** Row counts of the tables a request could write, to show a refusal changed nothing. */
async function counts(s: TestServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['users', 'emails', 'phone_numbers', 'passwords', 'sessions', 'password_reset_tokens']) {
    const [row] = await s.query(`select count(*) as n from ${t}`);
    out[t] = Number(row!.n);
  }
  return out;
}

/** Sends raw bytes and returns the whole answer as text. */
function raw(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => socket.end(text));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

for (const dialect of DIALECTS) {
  void describe(`NUL characters and bounds (${dialect})`, () => {
    let s: TestServer;
    let userId: string;
    let sessionToken: string;
    let email: string;
    before(async () => {
      s = await startTestServer(dialect);
      email = newEmail('nul');
      const u = await createUser(s, { email, password: STRONG[0] });
      userId = u.userId;
      const res = await login(s, email, STRONG[0], { session_duration_minutes: 60 });
      expectOk(res);
      sessionToken = res.body.session_token;
    });
    after(() => s.close());

    void it('refuses NUL in a path parameter or query string: 400 bad_request', async () => {
      const before = await counts(s);
      for (const [method, path] of [
        ['GET', '/v1/users/%00'],
        ['GET', `/v1/users/${userId}%00`],
        ['GET', '/v1/sessions?user_id=%00'],
        ['DELETE', '/v1/users/phone_numbers/%00'],
        ['DELETE', `/v1/users/${userId}%00`],
        ['GET', '/v1/sessions/jwks/%00'],
        ['GET', `/v1/sessions/jwks/${s.projectId}%00`],
      ] as const) {
        expectError(await s.request(method, path), 400, 'bad_request');
      }
      // %2500 is the text "%00", not a NUL: it reaches the route and is simply not found.
      expectError(await s.request('GET', '/v1/users/%2500'), 404, 'user_not_found');
      assert.deepEqual(await counts(s), before);
    });

    void it('treats Basic credentials holding NUL as wrong credentials: 401', async () => {
      for (const creds of [`${s.projectId}\u0000:${s.secret}`, `${s.projectId}:${s.secret}\u0000`, `\u0000:${s.secret}`]) {
        const auth = 'Basic ' + Buffer.from(creds).toString('base64');
        expectError(await s.request('GET', `/v1/users/${userId}`, undefined, { auth }), 401, 'unauthorized_credentials');
      }
      expectOk(await s.request('GET', `/v1/users/${userId}`, undefined, { auth: basicAuth(s.projectId, s.secret) }));
    });

    void it('refuses NUL in any stored or compared text of a body: 400 invalid_argument, nothing written', async () => {
      const before = await counts(s);
      const bodies: Array<[string, string, unknown]> = [
        ['POST', '/v1/sessions/revoke', { session_id: '\u0000' }],
        ['POST', '/v1/sessions/authenticate', { session_token: `${sessionToken}\u0000` }],
        ['POST', '/v1/users/search', { query: { operands: [{ filter_name: 'user_id', filter_value: ['\u0000'] }] } }],
        ['POST', '/v1/users/search', { query: { operands: [{ filter_name: 'full_name_fuzzy', filter_value: 'a\u0000' }] } }],
        ['POST', '/v1/users', { email: newEmail('nul-name'), name: { first_name: 'a\u0000b' } }],
        ['PUT', `/v1/users/${userId}`, { name: { first_name: 'a\u0000b' } }],
        ['PUT', `/v1/users/${userId}`, { untrusted_metadata: { 'k\u0000': 1 } }],
        // Only the top-level password fields are exempt, not a "password" key in metadata.
        ['PUT', `/v1/users/${userId}`, { trusted_metadata: { password: '\u0000' } }],
        ['POST', '/v1/passwords', { email: newEmail('nul-pw'), password: STRONG[1], name: { last_name: '\u0000' } }],
        ['POST', '/v1/passwords', { email: `${newEmail('nul-email')}\u0000`, password: STRONG[1] }],
        ['POST', '/v1/passwords/migrate', { email: newEmail('nul-mig'), hash: 'd41d8cd98f00b204e9800998ecf8427e', hash_type: 'md_5', name: { first_name: '\u0000' } }],
        ['POST', '/v1/passwords/authenticate', { email, password: STRONG[0], session_duration_minutes: 60, session_custom_claims: { a: '\u0000' } }],
        ['POST', '/v1/passwords/email/reset/start', { email, reset_password_redirect_url: 'https://example.com/r', attributes: { user_agent: '\u0000' } }],
      ];
      for (const [method, path, body] of bodies) {
        const res = await s.request(method, path, body);
        expectError(res, 400, 'invalid_argument');
        assert.match(res.body.error_message, /NUL/);
      }
      assert.deepEqual(await counts(s), before);
      // The user is as it was: no name or metadata changed.
      const user = await s.request('GET', `/v1/users/${userId}`);
      expectOk(user);
      assert.deepEqual(user.body.trusted_metadata, {});
      assert.deepEqual(user.body.untrusted_metadata, {});
    });

    void it('keeps NUL in passwords, which are hashed and never stored as text', async () => {
      const mail = newEmail('nul-password');
      const password = `${STRONG[2]}\u0000tail`;
      const created = await s.request('POST', '/v1/passwords', { email: mail, password });
      expectOk(created);
      expectOk(await login(s, mail, password));
      // The NUL counts: the same password without it, or cut at it, is wrong.
      expectError(await login(s, mail, `${STRONG[2]}tail`), 401, 'unauthorized_credentials');
      expectError(await login(s, mail, STRONG[2]), 401, 'unauthorized_credentials');
      const next = `\u0000${STRONG[1]}`;
      expectOk(await s.request('POST', '/v1/passwords/existing_password/reset', { email: mail, existing_password: password, new_password: next }));
      expectOk(await login(s, mail, next));
      expectOk(await s.request('POST', '/v1/passwords/strength_check', { password: 'a\u0000b' }));
    });

    void it('refuses a users/search cursor beyond the stored range: 400 user_search_invalid_cursor', async () => {
      for (const text of ['[9223372036854775808,"x"]', '[1e300,"x"]', '[-1e300,"x"]', '[-1,"x"]', '[1.5,"x"]', '[0,"\\u0000"]']) {
        expectError(await s.request('POST', '/v1/users/search', { cursor: cursor(text) }), 400, 'user_search_invalid_cursor');
      }
      // A cursor in range still pages.
      expectOk(await s.request('POST', '/v1/users/search', { cursor: cursor(`[${Date.now()},"user-test-00000000-0000-4000-8000-000000000000"]`) }));
    });

    void it('answers an HTTP/1.1 request without Host with the envelope: 400 bad_request; HTTP/1.0 needs none', async () => {
      const answer = await raw(s.url, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
      const [head, body] = answer.split('\r\n\r\n');
      assert.match(head!, /^HTTP\/1\.1 400 /);
      assert.match(head!, /content-type: application\/json/i);
      const parsed = JSON.parse(body!);
      assert.equal(parsed.status_code, 400);
      assert.equal(parsed.error_type, 'bad_request');
      assert.match(parsed.request_id, /^request-id-test-/);
      const old = await raw(s.url, 'GET /healthz HTTP/1.0\r\n\r\n');
      assert.match(old, /^HTTP\/1\.[01] 200 /);
    });
  });
}
