/**
 * Tenant isolation on every route: for each route of src/http/routes.ts, a second project's
 * credentials cannot read, change, authenticate or revoke the first project's users, sessions,
 * JWTs or reset tokens, and the first project's state is unchanged afterwards. The route table
 * is enumerated, so a route added without an isolation case fails this file. `postern users
 * unlock` is checked too: it only unlocks within the project it names.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { readOutbox } from '../../src/email/outbox.js';
import type { HttpDeps } from '../../src/http/deps.js';
import { routes } from '../../src/http/routes.js';
import { FIXTURES } from '../fixtures/legacy-hashes.js';
import { CLI } from '../helpers/processes.js';
import { DIALECTS, startTestServer, type TestServer } from '../helpers/server.js';
import {
  MORE_STRONG, STRONG, WRONG, authFor, createUser, expectError, expectOk, getUser, listSessions, login, newEmail,
  type Json, type NewUser, type Res,
} from '../api/support.js';

/** `METHOD /path` of every route the server serves; the handlers are never called. */
const ROUTE_KEYS = routes({} as HttpDeps).map((r) => `${r.method} ${r.url}`);

const RESET_URL = 'https://app.example.com/reset';
const LOGIN_URL = 'https://app.example.com/login';

/** A user of the first project with everything a route could reach: session, JWT, external id, name. */
interface Victim extends NewUser {
  externalId: string;
}

/** A user of the first project created through the users API, with a phone number. */
interface PhoneVictim {
  userId: string;
  emailId: string;
  phoneId: string;
  phone: string;
  email: string;
}

type Case = () => Promise<void>;

function expectForeignJwtRejected(res: Res): void {
  if (res.status === 401) expectError(res, 401, 'unauthorized_credentials');
  else expectError(res, 404, 'session_not_found');
}

function withoutRequestId(body: Json): Json {
  const rest = { ...(body as Record<string, unknown>) };
  delete rest.request_id;
  return rest;
}

for (const dialect of DIALECTS) {
  void describe(`tenant isolation on every route (${dialect})`, () => {
    let s: TestServer;
    let b: { projectId: string; secret: string; publicToken: string };
    let asB: { auth: string };
    /** Every user id the second project created, so results can be checked to be its own. */
    const bIds = new Set<string>();
    /** Every user id of the first project. */
    const aIds = new Set<string>();
    let phoneVictim: PhoneVictim;

    before(async () => {
      s = await startTestServer(dialect);
      b = await s.createProject();
      asB = { auth: authFor(b) };
      phoneVictim = await newPhoneVictim();
      // The second project has users of its own, so its searches have something to return.
      const own = await createUser(s, { password: STRONG[1], duration: 60, auth: asB.auth });
      bIds.add(own.userId);
    });
    after(() => s.close());

    const asA = (method: string, path: string, body?: unknown) => s.request(method, path, body);
    const asOther = (method: string, path: string, body?: unknown) => s.request(method, path, body, asB);
    /** A frontend call with the second project's public token, carrying `session` (a first-project token) if given. */
    const sdkAsOther = (method: string, path: string, body?: unknown, session?: string) =>
      s.request(method, `/sdk/v1${path}`, body, {
        auth: 'Basic ' + Buffer.from(`${b.publicToken}:${session ?? b.publicToken}`).toString('base64'),
        headers: { origin: 'http://localhost:3000' },
      });

    async function newVictim(): Promise<Victim> {
      const u = await createUser(s, { duration: 60 });
      const externalId = `ext-${u.userId.slice(-12)}`;
      expectOk(await asA('PUT', `/v1/users/${u.userId}`, { external_id: externalId, name: { first_name: 'Ada', last_name: 'Quill' }, trusted_metadata: { plan: 'gold' } }));
      aIds.add(u.userId);
      return { ...u, externalId };
    }

    async function newPhoneVictim(): Promise<PhoneVictim> {
      const phone = `+1415555${String(randomInt(0, 10_000)).padStart(4, '0')}`;
      const email = newEmail('phone');
      const res = await asA('POST', '/v1/users', { email, phone_number: phone, name: { first_name: 'Grace', last_name: 'Okafor' }, external_id: `pext-${randomInt(1e9)}` });
      expectOk(res, 201);
      aIds.add(res.body.user_id);
      return { userId: res.body.user_id, emailId: res.body.email_id, phoneId: res.body.phone_id, phone, email };
    }

    /** What the first project can see of a user: the user object and its live sessions. */
    async function snapshot(userId: string): Promise<Json> {
      const user = await getUser(s, userId);
      expectOk(user);
      const sessions = await listSessions(s, userId);
      expectOk(sessions);
      return { user: withoutRequestId(user.body), sessions: sessions.body.sessions };
    }

    /**
     * Runs the second project's attempts, then checks the victim is exactly as before (user,
     * sessions, expiry) and still works for its own project: password, token and JWT.
     */
    async function attack(v: Victim, attempts: () => Promise<void>): Promise<void> {
      const before = await snapshot(v.userId);
      const phoneBefore = await snapshot(phoneVictim.userId);
      await attempts();
      assert.deepEqual(await snapshot(v.userId), before, 'the first project sees its user and sessions unchanged');
      assert.deepEqual(await snapshot(phoneVictim.userId), phoneBefore, 'the first project sees its phone user unchanged');
      const locked = await s.postern.store.getUser(s.projectId, v.userId);
      assert.equal(locked?.lock.failedAttempts, 0, "the other project's failures never count against this user");
      expectOk(await login(s, v.email, v.password));
      const byToken = await asA('POST', '/v1/sessions/authenticate', { session_token: v.sessionToken });
      expectOk(byToken);
      assert.equal(byToken.body.session.session_id, v.sessionId);
      expectOk(await asA('POST', '/v1/sessions/authenticate', { session_jwt: v.sessionJwt }));
    }

    function bCreates(res: Res, status = 200): string {
      expectOk(res, status);
      const id = res.body.user_id as string;
      assert.equal(aIds.has(id), false, "the other project got one of this project's users");
      bIds.add(id);
      return id;
    }

    const outboxCount = async () => (await readOutbox(`${s.dataDir}/outbox`)).length;

    const CASES: Record<string, Case> = {
      'POST /v1/passwords': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          const res = await asOther('POST', '/v1/passwords', { email: v.email, password: MORE_STRONG[0], session_duration_minutes: 60 });
          bCreates(res);
          expectError(await asA('POST', '/v1/sessions/authenticate', { session_token: res.body.session_token }), 404, 'session_not_found');
        });
        expectError(await login(s, v.email, MORE_STRONG[0]), 401, 'unauthorized_credentials');
      },

      'POST /v1/passwords/authenticate': async () => {
        const v = await newVictim();
        const own = await createUser(s, { password: STRONG[2], auth: asB.auth });
        bIds.add(own.userId);
        await attack(v, async () => {
          expectError(await login(s, v.email, v.password, {}, asB), 404, 'email_not_found');
          for (let i = 0; i < 3; i++) expectError(await login(s, v.email, WRONG, {}, asB), 404, 'email_not_found');
          expectError(await login(s, v.email, v.password, { session_token: v.sessionToken }, asB), 404, 'email_not_found');
          expectError(await login(s, own.email, own.password, { session_token: v.sessionToken }, asB), 404, 'session_not_found');
          expectForeignJwtRejected(await login(s, own.email, own.password, { session_jwt: v.sessionJwt, session_duration_minutes: 600 }, asB));
        });
      },

      'POST /v1/passwords/migrate': async () => {
        const v = await newVictim();
        const fixture = FIXTURES.find((f) => f.hash_type === 'phpass');
        assert.ok(fixture);
        await attack(v, async () => {
          bCreates(await asOther('POST', '/v1/passwords/migrate', { email: v.email, hash: fixture.hash, hash_type: 'phpass' }));
          expectOk(await login(s, v.email, fixture.password, {}, asB));
        });
        expectError(await login(s, v.email, fixture.password), 401, 'unauthorized_credentials');
      },

      'POST /v1/passwords/strength_check': async () => {
        const v = await newVictim();
        // The first project's own policy differs from the second's defaults.
        await s.postern.projects.set(s.projectId, ['password_strength_policy=luds', 'check_breach_on_creation=false']);
        try {
          await attack(v, async () => {
            const res = await asOther('POST', '/v1/passwords/strength_check', { email: v.email, password: v.password });
            expectOk(res);
            assert.equal(res.body.strength_policy, 'zxcvbn', "the caller's policy, not the other project's");
            assert.equal(res.body.breach_detection_on_create, true, "the caller's breach setting");
            const text = JSON.stringify(res.body);
            for (const leak of [v.userId, v.email, v.externalId, v.passwordId, v.emailId]) assert.equal(text.includes(leak), false, `strength_check returned ${leak}`);
            const own = await asA('POST', '/v1/passwords/strength_check', { email: v.email, password: v.password });
            expectOk(own);
            assert.equal(own.body.strength_policy, 'luds');
            assert.equal(own.body.breach_detection_on_create, false);
          });
        } finally {
          await s.postern.projects.set(s.projectId, ['password_strength_policy=zxcvbn', 'check_breach_on_creation=true']);
        }
      },

      'POST /v1/passwords/existing_password/reset': async () => {
        const v = await newVictim();
        const own = await createUser(s, { password: STRONG[2], auth: asB.auth });
        bIds.add(own.userId);
        await attack(v, async () => {
          const reset = (body: Record<string, unknown>) => asOther('POST', '/v1/passwords/existing_password/reset', body);
          expectError(await reset({ email: v.email, existing_password: v.password, new_password: MORE_STRONG[1] }), 404, 'email_not_found');
          expectError(await reset({ email: own.email, existing_password: own.password, new_password: MORE_STRONG[1], session_token: v.sessionToken }), 404, 'session_not_found');
          expectForeignJwtRejected(await reset({ email: own.email, existing_password: own.password, new_password: MORE_STRONG[1], session_jwt: v.sessionJwt }));
        });
      },

      'POST /v1/passwords/session/reset': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          const reset = (body: Record<string, unknown>) => asOther('POST', '/v1/passwords/session/reset', body);
          expectError(await reset({ session_token: v.sessionToken, password: MORE_STRONG[2] }), 404, 'session_not_found');
          expectForeignJwtRejected(await reset({ session_jwt: v.sessionJwt, password: MORE_STRONG[2] }));
          expectError(await reset({ session_token: v.sessionToken, password: MORE_STRONG[2], session_duration_minutes: 600 }), 404, 'session_not_found');
        });
        expectError(await login(s, v.email, MORE_STRONG[2]), 401, 'unauthorized_credentials');
      },

      'POST /v1/passwords/email/reset/start': async () => {
        const v = await newVictim();
        const sent = await outboxCount();
        await attack(v, async () => {
          const res = await asOther('POST', '/v1/passwords/email/reset/start', { email: v.email, reset_password_redirect_url: RESET_URL, login_redirect_url: LOGIN_URL });
          expectError(res, 404, 'email_not_found');
        });
        assert.equal(await outboxCount(), sent, 'no reset email went out to the first project user');
      },

      'POST /v1/passwords/email/reset': async () => {
        const v = await newVictim();
        expectOk(await asA('POST', '/v1/passwords/email/reset/start', { email: v.email, reset_password_redirect_url: RESET_URL, login_redirect_url: LOGIN_URL }));
        const [message] = await readOutbox(`${s.dataDir}/outbox`, { last: 1 });
        assert.ok(message && message.to === v.email, 'the reset email went to the user');
        const link = /https:\/\/app\.example\.com\/reset\?\S+/.exec(message.text)?.[0];
        const token = link ? new URL(link).searchParams.get('token') : null;
        assert.ok(token, `no token in ${message.text}`);
        await attack(v, async () => {
          expectError(await asOther('POST', '/v1/passwords/email/reset', { token, password: MORE_STRONG[3] }), 404, 'magic_link_not_found');
          expectError(await asOther('POST', '/v1/passwords/email/reset', { token, password: MORE_STRONG[3], session_duration_minutes: 60 }), 404, 'magic_link_not_found');
        });
        // The token is still unused: the first project can spend it.
        expectOk(await asA('POST', '/v1/passwords/email/reset', { token, password: MORE_STRONG[3] }));
        expectOk(await login(s, v.email, MORE_STRONG[3]));
      },

      'POST /v1/sessions/authenticate': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          const auth = (body: Record<string, unknown>) => asOther('POST', '/v1/sessions/authenticate', body);
          expectError(await auth({ session_token: v.sessionToken }), 404, 'session_not_found');
          expectError(await auth({ session_token: v.sessionToken, session_duration_minutes: 5000, session_custom_claims: { pwned: true } }), 404, 'session_not_found');
          expectForeignJwtRejected(await auth({ session_jwt: v.sessionJwt }));
          expectForeignJwtRejected(await auth({ session_jwt: v.sessionJwt, session_duration_minutes: 5000 }));
        });
      },

      'GET /v1/sessions': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await listSessions(s, v.userId, asB), 404, 'user_not_found');
          expectError(await listSessions(s, v.externalId, asB), 404, 'user_not_found');
        });
      },

      'POST /v1/sessions/revoke': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          const revoke = (body: Record<string, unknown>) => asOther('POST', '/v1/sessions/revoke', body);
          expectError(await revoke({ session_id: v.sessionId }), 404, 'session_not_found');
          expectError(await revoke({ session_token: v.sessionToken }), 404, 'session_not_found');
          expectForeignJwtRejected(await revoke({ session_jwt: v.sessionJwt }));
        });
      },

      'GET /v1/rbac/policy': async () => {
        const v = await newVictim();
        const aPolicy = {
          resources: [{ resource_id: 'secret-plans', description: 'only the first project has these', actions: ['read'] }],
          roles: [{ role_id: 'planner', description: '', permissions: [{ resource_id: 'secret-plans', actions: ['read'] }] }],
        };
        await s.postern.rbac.setPolicy(s.projectId, aPolicy);
        await attack(v, async () => {
          const own = await asOther('GET', '/v1/rbac/policy');
          expectOk(own);
          assert.deepEqual(own.body.policy.resources, [], "the second project sees its own (default) policy, not the first one's");
          assert.ok(!JSON.stringify(own.body).includes('secret-plans'));
        });
        const mine = await asA('GET', '/v1/rbac/policy');
        assert.deepEqual((mine.body.policy.resources as Json[]).map((r) => r.resource_id as string), ['secret-plans']);
      },

      'GET /v1/sessions/jwks/:project_id': async () => {
        const v = await newVictim();
        // The second project signs a JWT of its own, so it has a key to publish.
        const own = await createUser(s, { password: STRONG[2], duration: 60, auth: asB.auth });
        bIds.add(own.userId);
        await attack(v, async () => {
          expectError(await asOther('GET', `/v1/sessions/jwks/${s.projectId}`), 404, 'project_not_found');
          expectError(await asA('GET', `/v1/sessions/jwks/${b.projectId}`), 404, 'project_not_found');
          const aKeys = await s.request('GET', `/v1/sessions/jwks/${s.projectId}`, undefined, { auth: null });
          const bKeys = await s.request('GET', `/v1/sessions/jwks/${b.projectId}`, undefined, { auth: null });
          expectOk(aKeys);
          expectOk(bKeys);
          const kids = (set: Res) => (set.body.keys as Json[]).map((k) => k.kid as string);
          assert.ok(kids(aKeys).length > 0 && kids(bKeys).length > 0);
          assert.deepEqual(kids(aKeys).filter((k) => kids(bKeys).includes(k)), [], 'no key is published for both projects');
          const aSet = createLocalJWKSet({ keys: aKeys.body.keys });
          const bSet = createLocalJWKSet({ keys: bKeys.body.keys });
          await jwtVerify(v.sessionJwt, aSet);
          await jwtVerify(own.sessionJwt, bSet);
          await assert.rejects(jwtVerify(v.sessionJwt, bSet), "the first project's JWT does not verify under the second's JWKS");
          await assert.rejects(jwtVerify(own.sessionJwt, aSet), "the second project's JWT does not verify under the first's JWKS");
        });
      },

      'POST /v1/users': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          const res = await asOther('POST', '/v1/users', { email: v.email, phone_number: phoneVictim.phone, external_id: v.externalId });
          bCreates(res, 201);
          assert.notEqual(res.body.email_id, v.emailId);
          assert.notEqual(res.body.phone_id, phoneVictim.phoneId);
        });
      },

      'POST /v1/users/search': async () => {
        const v = await newVictim();
        const filters: Array<[string, unknown]> = [
          ['user_id', [v.userId, phoneVictim.userId]],
          ['email_id', [v.emailId, phoneVictim.emailId]],
          ['email_address', [v.email, phoneVictim.email]],
          ['email_address_fuzzy', v.email.slice(0, 12)],
          ['phone_number', [phoneVictim.phone]],
          ['phone_id', [phoneVictim.phoneId]],
          ['phone_number_fuzzy', phoneVictim.phone.slice(-7)],
          ['full_name_fuzzy', 'Ada Quill'],
          ['password_exists', true],
          ['email_verified', false],
          ['phone_verified', false],
          ['status', 'active'],
          ['created_at_greater_than', '2000-01-01T00:00:00Z'],
          ['created_at_less_than', '2999-01-01T00:00:00Z'],
          ['created_at_between', { greater_than: '2000-01-01T00:00:00Z', less_than: '2999-01-01T00:00:00Z' }],
        ];
        const search = (auth: { auth?: string }, query?: unknown) => s.request('POST', '/v1/users/search', { limit: 1000, ...(query ? { query } : {}) }, auth);
        await attack(v, async () => {
          const queries: unknown[] = [undefined, ...filters.map(([name, value]) => ({ operator: 'AND', operands: [{ filter_name: name, filter_value: value }] }))];
          queries.push({ operator: 'OR', operands: filters.map(([name, value]) => ({ filter_name: name, filter_value: value })) });
          for (const query of queries) {
            // The query does reach the first project's users when the first project asks...
            const own = await search({}, query);
            expectOk(own);
            const ownIds = (own.body.results as Json[]).map((u) => u.user_id as string);
            assert.ok(ownIds.includes(v.userId) || ownIds.includes(phoneVictim.userId), `query ${JSON.stringify(query)} matches no first-project user`);
            // ...and only the second project's own users when the second one does.
            const res = await search(asB, query);
            expectOk(res);
            const ids = (res.body.results as Json[]).map((u) => u.user_id as string);
            for (const id of ids) assert.ok(bIds.has(id) && !aIds.has(id), `${JSON.stringify(query)} returned ${id}, not the caller's`);
            assert.equal(res.body.results_metadata.total, ids.length);
            if (res.body.results_metadata.next_cursor !== null) assert.fail('more than 1000 results');
          }
        });
      },

      'GET /v1/users/:user_id': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await getUser(s, v.userId, asB), 404, 'user_not_found');
          expectError(await getUser(s, v.externalId, asB), 404, 'user_not_found');
          expectError(await getUser(s, phoneVictim.userId, asB), 404, 'user_not_found');
        });
      },

      'PUT /v1/users/:user_id': async () => {
        const v = await newVictim();
        const own = await createUser(s, { password: STRONG[2], auth: asB.auth });
        bIds.add(own.userId);
        await attack(v, async () => {
          const change = { name: { first_name: 'Mallory' }, trusted_metadata: { plan: 'free' }, roles: ['admin'] };
          expectError(await asOther('PUT', `/v1/users/${v.userId}`, change), 404, 'user_not_found');
          expectError(await asOther('PUT', `/v1/users/${v.externalId}`, change), 404, 'user_not_found');
          // External ids are per project: the second project may use the same one.
          expectOk(await asOther('PUT', `/v1/users/${own.userId}`, { external_id: v.externalId }));
        });
      },

      'DELETE /v1/users/:user_id': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await asOther('DELETE', `/v1/users/${v.userId}`, {}), 404, 'user_not_found');
          expectError(await asOther('DELETE', `/v1/users/${v.externalId}`, {}), 404, 'user_not_found');
          expectError(await asOther('DELETE', `/v1/users/${phoneVictim.userId}`, {}), 404, 'user_not_found');
        });
      },

      'DELETE /v1/users/:user_id/external_id': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await asOther('DELETE', `/v1/users/${v.userId}/external_id`, {}), 404, 'user_not_found');
          expectError(await asOther('DELETE', `/v1/users/${v.externalId}/external_id`, {}), 404, 'user_not_found');
        });
      },

      'DELETE /v1/users/passwords/:password_id': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await asOther('DELETE', `/v1/users/passwords/${v.passwordId}`, {}), 404, 'password_not_found');
        });
      },

      'DELETE /v1/users/emails/:email_id': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await asOther('DELETE', `/v1/users/emails/${v.emailId}`, {}), 404, 'email_not_found');
          expectError(await asOther('DELETE', `/v1/users/emails/${phoneVictim.emailId}`, {}), 404, 'email_not_found');
        });
      },

      'DELETE /v1/users/phone_numbers/:phone_id': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await asOther('DELETE', `/v1/users/phone_numbers/${phoneVictim.phoneId}`, {}), 404, 'phone_number_not_found');
        });
      },

      // The frontend routes, with the second project's public token and the first project's session.
      'GET /sdk/v1/projects/bootstrap/:public_token': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          const res = await sdkAsOther('GET', `/projects/bootstrap/${b.publicToken}`);
          assert.equal(res.status, 200);
          assert.equal(res.body.data.project_name, b.projectId);
        });
      },

      'POST /sdk/v1/passwords': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          const res = await sdkAsOther('POST', '/passwords', { email: v.email, password: MORE_STRONG[4], session_duration_minutes: 30 }, v.sessionToken);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          const id = res.body.data.user_id as string;
          assert.equal(aIds.has(id), false, "the other project got one of this project's users");
          bIds.add(id);
        });
      },

      'POST /sdk/v1/passwords/authenticate': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await sdkAsOther('POST', '/passwords/authenticate', { email: v.email, password: v.password, session_duration_minutes: 30 }), 404, 'email_not_found');
          for (let i = 0; i < 3; i++) expectError(await sdkAsOther('POST', '/passwords/authenticate', { email: v.email, password: WRONG }, v.sessionToken), 404, 'email_not_found');
        });
      },

      'POST /sdk/v1/passwords/strength_check': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          const res = await sdkAsOther('POST', '/passwords/strength_check', { email: v.email, password: v.password });
          assert.equal(res.status, 200);
          assert.equal(res.body.data.valid_password, true);
        });
      },

      'POST /sdk/v1/passwords/email/reset/start': async () => {
        const v = await newVictim();
        const sent = await outboxCount();
        await attack(v, async () => {
          expectError(await sdkAsOther('POST', '/passwords/email/reset/start', { email: v.email, reset_password_redirect_url: 'http://localhost:3000/reset', login_redirect_url: 'http://localhost:3000/login' }, v.sessionToken), 404, 'email_not_found');
        });
        assert.equal(await outboxCount(), sent, 'no reset email went out to the first project user');
      },

      'POST /sdk/v1/passwords/email/reset': async () => {
        const v = await newVictim();
        expectOk(await asA('POST', '/v1/passwords/email/reset/start', { email: v.email, reset_password_redirect_url: 'http://localhost:3000/reset', login_redirect_url: 'http://localhost:3000/login' }));
        const [message] = await readOutbox(`${s.dataDir}/outbox`, { last: 1 });
        const link = /http:\/\/localhost:3000\/reset\?\S+/.exec(message?.text ?? '')?.[0];
        const token = link ? new URL(link).searchParams.get('token') : null;
        assert.ok(token, `no token in ${message?.text}`);
        await attack(v, async () => {
          expectError(await sdkAsOther('POST', '/passwords/email/reset', { token, password: MORE_STRONG[3], session_duration_minutes: 30 }, v.sessionToken), 404, 'magic_link_not_found');
        });
        expectOk(await asA('POST', '/v1/passwords/email/reset', { token, password: MORE_STRONG[3] }));
      },

      'POST /sdk/v1/passwords/existing_password/reset': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          const body = { email: v.email, existing_password: v.password, new_password: MORE_STRONG[1], session_duration_minutes: 30 };
          expectError(await sdkAsOther('POST', '/passwords/existing_password/reset', body, v.sessionToken), 404, 'email_not_found');
        });
      },

      'POST /sdk/v1/passwords/session/reset': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await sdkAsOther('POST', '/passwords/session/reset', { password: MORE_STRONG[2], session_duration_minutes: 600 }, v.sessionToken), 404, 'session_not_found');
        });
        expectError(await login(s, v.email, MORE_STRONG[2]), 401, 'unauthorized_credentials');
      },

      'POST /sdk/v1/sessions/authenticate': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await sdkAsOther('POST', '/sessions/authenticate', { session_duration_minutes: 5000 }, v.sessionToken), 404, 'session_not_found');
          expectError(await sdkAsOther('POST', '/sessions/authenticate', {}, v.sessionJwt), 404, 'session_not_found');
        });
      },

      'POST /sdk/v1/sessions/revoke': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await sdkAsOther('POST', '/sessions/revoke', {}, v.sessionToken), 404, 'session_not_found');
        });
      },

      'GET /sdk/v1/users/me': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await sdkAsOther('GET', '/users/me', undefined, v.sessionToken), 404, 'session_not_found');
        });
      },

      'PUT /sdk/v1/users/me': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          expectError(await sdkAsOther('PUT', '/users/me', { name: { first_name: 'Mallory' }, untrusted_metadata: { x: 1 } }, v.sessionToken), 404, 'session_not_found');
        });
      },

      'POST /sdk/v1/users/search': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          const res = await sdkAsOther('POST', '/users/search', { email: v.email }, v.sessionToken);
          assert.equal(res.status, 200);
          assert.equal(res.body.data.userType, 'new');
        });
      },

      'POST /sdk/v1/events': async () => {
        const v = await newVictim();
        await attack(v, async () => {
          assert.equal((await sdkAsOther('POST', '/events', [{ user_id: v.userId, session_token: v.sessionToken }])).status, 200);
        });
      },
    };

    void it('every route of src/http/routes.ts has an isolation case, and every case a route', () => {
      assert.deepEqual([...ROUTE_KEYS].sort(), Object.keys(CASES).sort());
    });

    for (const key of ROUTE_KEYS) {
      void it(key, async () => {
        const run = CASES[key];
        assert.ok(run, `no isolation case for ${key}`);
        await run();
      });
    }

    void it('postern users unlock only unlocks within the project it names', async () => {
      const v = await newVictim();
      await s.postern.store.recordFailedAttempt(s.projectId, v.userId, s.clock.now(), 1, 60 * 60_000);
      assert.equal((await getUser(s, v.userId)).body.is_locked, true);
      const env: Record<string, string> = dialect === 'postgres' ? { DATABASE_URL: s.databaseUrl! } : { POSTERN_DATA_DIR: s.dataDir };
      const unlock = (projectId: string, userId: string) =>
        spawnSync(process.execPath, [...CLI, 'users', 'unlock', projectId, userId], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
      for (const ref of [v.userId, v.externalId]) {
        const res = unlock(b.projectId, ref);
        assert.equal(res.status, 1, `unlock through the other project: ${res.stdout} ${res.stderr}`);
      }
      assert.equal((await getUser(s, v.userId)).body.is_locked, true, 'still locked');
      const res = unlock(s.projectId, v.userId);
      assert.equal(res.status, 0, res.stderr);
      assert.equal((await getUser(s, v.userId)).body.is_locked, false);
    });
  });
}
