import assert from 'node:assert/strict';
import { createKeySealer } from '../../src/sessions/key-sealing.js';
import { createPublicKey, randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { CompactSign, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { AuthError, type ErrorType } from '../../src/errors.js';
import { generateSigningKey, importSigningKey, type SigningKey } from '../../src/sessions/keys.js';
import { mintSessionJwt, peekKid, verifySessionJwt, type PublishedKey } from '../../src/sessions/jwt.js';
import type { Session } from '../../src/sessions/session.js';

const PLAIN = createKeySealer([]);

const pid = `project-test-${randomUUID()}`;
const otherPid = `project-test-${randomUUID()}`;
const NOW = Date.UTC(2025, 10, 12, 10, 35, 49, 250);
const IAT = Math.floor(NOW / 1000);
const HOUR = 3_600_000;

function makeSession(overrides: Partial<Session> = {}): Session {
  return {
    id: `session-test-${randomUUID()}`,
    projectId: pid,
    userId: `user-test-${randomUUID()}`,
    startedAt: NOW - 60_000,
    lastAccessedAt: NOW,
    expiresAt: NOW + 4 * HOUR,
    revokedAt: null,
    attributes: { ipAddress: '203.0.113.9', userAgent: 'agent/1.0' },
    customClaims: {},
    factors: [
      { type: 'password', deliveryMethod: 'knowledge', createdAt: NOW - 60_000, lastAuthenticatedAt: NOW - 60_000, updatedAt: NOW - 60_000 },
    ],
    ...overrides,
  };
}

let key: SigningKey;
let published: PublishedKey;
let otherKey: SigningKey;
let otherPublished: PublishedKey;

before(async () => {
  const [a, b] = await Promise.all([generateSigningKey(pid, 'test', NOW, PLAIN), generateSigningKey(otherPid, 'test', NOW, PLAIN)]);
  key = importSigningKey(a, PLAIN);
  published = { kid: a.kid, publicJwk: a.publicJwk };
  otherKey = importSigningKey(b, PLAIN);
  otherPublished = { kid: b.kid, publicJwk: b.publicJwk };
});

const mint = (session: Session, now = NOW, roles = ['stytch_user']): Promise<string> =>
  mintSessionJwt(key, { projectId: pid, session, roles, now });

/** Signs arbitrary header/payload with our key, to build tokens the minter never would. */
function signRaw(payload: Record<string, unknown>, header: Record<string, unknown> = {}, signer = key): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'RS256', kid: signer.kid, typ: 'JWT', ...header })
    .sign(signer.privateKey);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function rejects(promise: Promise<unknown>, type: ErrorType): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AuthError, `expected AuthError, got ${String(err)}`);
    assert.equal(err.type, type);
    return true;
  });
}

void describe('mintSessionJwt', () => {
  void it('writes exactly the header {alg, kid, typ}', async () => {
    const jwt = await mint(makeSession());
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'RS256', kid: key.kid, typ: 'JWT' });
    assert.match(key.kid, /^jwk-test-[0-9a-f-]{36}$/);
  });

  void it('writes every registered claim and the session claim', async () => {
    const session = makeSession({
      factors: [
        { type: 'password', deliveryMethod: 'knowledge', createdAt: NOW - 9_000, lastAuthenticatedAt: NOW - 60_000, updatedAt: NOW - 5_000 },
        {
          type: 'magic_link',
          deliveryMethod: 'email',
          createdAt: NOW,
          lastAuthenticatedAt: NOW,
          updatedAt: NOW,
          emailFactor: { emailId: 'email-test-1', emailAddress: 'ada@example.com' },
        },
      ],
    });
    const payload = decodeJwt(await mint(session, NOW, ['stytch_user', 'admin']));
    assert.deepEqual(payload, {
      aud: [pid],
      iss: `stytch.com/${pid}`,
      sub: session.userId,
      iat: IAT,
      nbf: IAT,
      exp: IAT + 300,
      'https://stytch.com/session': {
        id: session.id,
        started_at: '2025-11-12T10:34:49Z',
        last_accessed_at: '2025-11-12T10:35:49Z',
        expires_at: '2025-11-12T14:35:49Z',
        attributes: { user_agent: 'agent/1.0', ip_address: '203.0.113.9' },
        authentication_factors: [
          { type: 'password', delivery_method: 'knowledge', last_authenticated_at: '2025-11-12T10:34:49Z' },
          {
            type: 'magic_link',
            delivery_method: 'email',
            last_authenticated_at: '2025-11-12T10:35:49Z',
            email_factor: { email_id: 'email-test-1', email_address: 'ada@example.com' },
          },
        ],
        roles: ['stytch_user', 'admin'],
      },
    });
    assert.equal('jti' in payload, false);
  });

  void it('caps exp at the session expiry', async () => {
    const payload = decodeJwt(await mint(makeSession({ expiresAt: NOW + 90_500 })));
    assert.equal(payload.exp, IAT + 90);
  });

  void it('puts custom claims at the top level and skips reserved names', async () => {
    // From JSON.parse, as stored claims are, so "__proto__" is an own member and not a prototype.
    const customClaims = JSON.parse(
      JSON.stringify({
        my_claim: 'value',
        nested: { a: [1, 2] },
        iss: 'evil', sub: 'evil', aud: 'evil', exp: 1, nbf: 1, iat: 1, jti: 'x',
        'https://stytch.com/session': 'evil',
        'https://stytch.com/organization': 'evil',
      }).replace('{', '{"__proto__":"plain",'),
    ) as Record<string, unknown>;
    const session = makeSession({ customClaims });
    const payload = decodeJwt(await mint(session));
    assert.equal(payload.my_claim, 'value');
    assert.deepEqual(payload.nested, { a: [1, 2] });
    assert.equal(Object.getOwnPropertyDescriptor(payload, '__proto__')?.value, 'plain');
    assert.equal(payload.iss, `stytch.com/${pid}`);
    assert.equal(payload.sub, session.userId);
    assert.deepEqual(payload.aud, [pid]);
    assert.equal(payload.exp, IAT + 300);
    assert.equal(payload.iat, IAT);
    assert.equal(payload.nbf, IAT);
    assert.equal('jti' in payload, false);
    assert.equal(typeof payload['https://stytch.com/session'], 'object');
    assert.equal('https://stytch.com/organization' in payload, false);
  });

  void it('is accepted by jose the way the Stytch Node SDK verifies it, against the published JWK', async () => {
    const session = makeSession({ customClaims: { my_claim: 'value' } });
    const jwt = await mint(session);
    const jwks = createLocalJWKSet({ keys: [published.publicJwk] });
    const { payload, protectedHeader } = await jwtVerify(jwt, jwks, {
      audience: pid,
      issuer: `stytch.com/${pid}`,
      typ: 'JWT',
      currentDate: new Date(NOW + 1_000),
    });
    assert.equal(payload.sub, session.userId);
    assert.equal(payload.my_claim, 'value');
    assert.equal(protectedHeader.kid, key.kid);
  });
});

void describe('verifySessionJwt', () => {
  void it('returns session id, user id and the claims', async () => {
    const session = makeSession({ customClaims: { my_claim: 'value' } });
    const result = await verifySessionJwt(await mint(session), pid, [published], NOW);
    assert.equal(result.sessionId, session.id);
    assert.equal(result.userId, session.userId);
    assert.equal(result.claims.my_claim, 'value');
    assert.equal(result.claims.iss, `stytch.com/${pid}`);
  });

  void it('accepts a JWT whose exp has passed', async () => {
    const jwt = await mint(makeSession());
    const result = await verifySessionJwt(jwt, pid, [published], NOW + 2 * HOUR);
    assert.ok(result.sessionId.startsWith('session-test-'));
  });

  void it('finds the key by kid among several', async () => {
    const jwt = await mint(makeSession());
    await verifySessionJwt(jwt, pid, [otherPublished, published], NOW);
  });

  void it('tolerates 60 s of clock skew on nbf/iat, not more', async () => {
    const jwt = await mint(makeSession(), NOW + 60_000);
    await verifySessionJwt(jwt, pid, [published], NOW);
    await rejects(verifySessionJwt(await mint(makeSession(), NOW + 62_000), pid, [published], NOW), 'unauthorized_credentials');
  });

  void it('refuses a tampered payload', async () => {
    const jwt = await mint(makeSession());
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    claims.sub = 'user-test-someone-else';
    await rejects(verifySessionJwt(`${h}.${b64(claims)}.${s}`, pid, [published], NOW), 'unauthorized_credentials');
  });

  void it('refuses a tampered signature', async () => {
    const jwt = await mint(makeSession());
    const flipped = jwt.slice(0, -2) + (jwt.endsWith('AA') ? 'BA' : 'AA');
    await rejects(verifySessionJwt(flipped, pid, [published], NOW), 'unauthorized_credentials');
  });

  void it('refuses alg none', async () => {
    const [, p] = (await mint(makeSession())).split('.') as [string, string];
    for (const alg of ['none', 'None', 'NONE']) {
      const header = b64({ alg, kid: key.kid, typ: 'JWT' });
      await rejects(verifySessionJwt(`${header}.${p}.`, pid, [published], NOW), 'unauthorized_credentials');
    }
  });

  void it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const payload = decodeJwt(await mint(makeSession()));
    const jwk = published.publicJwk as { n: string };
    const pem = createPublicKey({ key: published.publicJwk as { kty: 'RSA'; n: string; e: string }, format: 'jwk' });
    const secrets = [
      new TextEncoder().encode(pem.export({ type: 'spki', format: 'pem' }) as string),
      new TextEncoder().encode(pem.export({ type: 'pkcs1', format: 'pem' }) as string),
      Buffer.from(jwk.n, 'base64url'),
      new TextEncoder().encode(jwk.n),
      new TextEncoder().encode(JSON.stringify(published.publicJwk)),
    ];
    for (const secret of secrets) {
      const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' })
        .sign(secret);
      await rejects(verifySessionJwt(forged, pid, [published], NOW), 'unauthorized_credentials');
    }
  });

  void it('refuses other RSA algorithms', async () => {
    const payload = decodeJwt(await mint(makeSession()));
    for (const alg of ['RS512', 'PS256']) {
      await rejects(verifySessionJwt(await signRaw(payload, { alg }), pid, [published], NOW), 'unauthorized_credentials');
    }
  });

  void it('refuses an unknown kid', async () => {
    const jwt = await mint(makeSession());
    await rejects(verifySessionJwt(jwt, pid, [otherPublished], NOW), 'unauthorized_credentials');
    await rejects(verifySessionJwt(jwt, pid, [], NOW), 'unauthorized_credentials');
    const payload = decodeJwt(jwt);
    await rejects(verifySessionJwt(await signRaw(payload, { kid: undefined }), pid, [published], NOW), 'unauthorized_credentials');
  });

  void it("refuses a token signed by another key under this key's kid", async () => {
    const payload = decodeJwt(await mint(makeSession()));
    const forged = await signRaw(payload, { kid: key.kid }, otherKey);
    await rejects(verifySessionJwt(forged, pid, [published], NOW), 'unauthorized_credentials');
  });

  void it('refuses a wrong issuer or audience', async () => {
    const payload = decodeJwt(await mint(makeSession()));
    const cases: Record<string, unknown>[] = [
      { ...payload, iss: `stytch.com/${otherPid}` },
      { ...payload, iss: 'https://example.com' },
      { ...payload, iss: undefined },
      { ...payload, aud: [otherPid] },
      { ...payload, aud: otherPid },
      { ...payload, aud: [] },
      { ...payload, aud: undefined },
    ];
    for (const claims of cases) {
      await rejects(verifySessionJwt(await signRaw(claims), pid, [published], NOW), 'unauthorized_credentials');
    }
    // A single-string audience is still the project (RFC 7519 allows either form).
    await verifySessionJwt(await signRaw({ ...payload, aud: pid }), pid, [published], NOW);
  });

  void it("refuses another project's JWT", async () => {
    const theirs = await mintSessionJwt(otherKey, { projectId: otherPid, session: makeSession({ projectId: otherPid }), roles: [], now: NOW });
    // Against our keys: their kid is unknown to us.
    await rejects(verifySessionJwt(theirs, pid, [published], NOW), 'unauthorized_credentials');
    // Even if their key were offered, iss/aud name their project.
    await rejects(verifySessionJwt(theirs, pid, [published, otherPublished], NOW), 'unauthorized_credentials');
    // Our key signing their project's claims: still not ours.
    const ours = await mintSessionJwt(key, { projectId: otherPid, session: makeSession(), roles: [], now: NOW });
    await rejects(verifySessionJwt(ours, pid, [published], NOW), 'unauthorized_credentials');
  });

  void it('refuses a missing or non-JWT typ', async () => {
    const payload = decodeJwt(await mint(makeSession()));
    await rejects(verifySessionJwt(await signRaw(payload, { typ: 'at+jwt' }), pid, [published], NOW), 'unauthorized_credentials');
  });

  void it('refuses missing numeric time claims', async () => {
    const payload = decodeJwt(await mint(makeSession()));
    for (const name of ['iat', 'nbf', 'exp']) {
      await rejects(verifySessionJwt(await signRaw({ ...payload, [name]: String(payload[name]) }), pid, [published], NOW), 'unauthorized_credentials');
    }
  });

  void it('calls anything that is not a session JWT unparseable', async () => {
    const jwt = await mint(makeSession());
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const claims = decodeJwt(jwt);
    const withoutSession: Record<string, unknown> = { ...claims };
    delete withoutSession['https://stytch.com/session'];
    const garbage = [
      '',
      'garbage',
      'a.b',
      `${h}.${p}`,
      `${h}.${p}.${s}.${s}`,
      '...',
      `${h}.${p}.${s}!`,
      `${h}!.${p}.${s}`,
      `${h}.${p}=.${s}`,
      `${h}.a.${s}`,
      `${b64('not an object')}.${p}.${s}`,
      `${h}.${b64([1, 2])}.${s}`,
      `${h}.${Buffer.from('{"sub":').toString('base64url')}.${s}`,
      `${h}.${Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64url')}.${s}`,
      `${h}.${b64(withoutSession)}.${s}`,
      `${h}.${b64({ ...claims, 'https://stytch.com/session': 'x' })}.${s}`,
      `${h}.${b64({ ...claims, sub: 42 })}.${s}`,
      ` ${jwt}`,
    ];
    for (const text of garbage) {
      await rejects(verifySessionJwt(text, pid, [published], NOW), 'unable_to_parse_session_jwt');
    }
  });
});

void describe('peekKid', () => {
  void it('reads the header kid without verifying, and never throws', async () => {
    assert.equal(peekKid(await mint(makeSession())), key.kid);
    assert.equal(peekKid('garbage'), null);
    assert.equal(peekKid(''), null);
    assert.equal(peekKid(`${b64({ kid: 7 })}.x.y`), null);
  });
});
