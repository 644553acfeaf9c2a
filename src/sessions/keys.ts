/** A project's RS256 signing key, with the public JWK exactly as the JWKS endpoint publishes it. */
import { createHash, createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { SigningKeyRecord } from '../storage/store.js';
import { newId, type Environment } from '../random.js';
import type { KeySealer } from './key-sealing.js';
import { selfSignedCertificate } from './certificate.js';

const generateRsa = promisify(generateKeyPair);

/** 2048 bits: Stytch does not document its size, and it is the minimum jose accepts for RS256. */
const MODULUS_BITS = 2048;

export async function generateSigningKey(projectId: string, env: Environment, now: number, sealer: KeySealer): Promise<SigningKeyRecord> {
  // Async: RSA generation takes tens of milliseconds and must not block the event loop.
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: MODULUS_BITS, publicExponent: 0x10001 });
  const kid = newId('jwk', env);
  const cert = selfSignedCertificate({ commonName: kid, publicKey, privateKey, notBefore: now });
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') throw new Error('RSA public JWK export lacks n or e');
  return {
    kid,
    projectId,
    privateKey: sealer.seal(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
    // Members in the order of Stytch's JWKS (§5.4); SDKs need every one of them.
    publicJwk: {
      alg: 'RS256',
      e,
      key_ops: ['verify'],
      kid,
      kty: 'RSA',
      n,
      use: 'sig',
      x5c: [cert.toString('base64')],
      x5tS256: createHash('sha256').update(cert).digest('base64url'),
    },
    createdAt: now,
    retiredAt: null,
  };
}

/** The signing half of a stored key, imported once so the hot path never parses PEM. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export function importSigningKey(record: Pick<SigningKeyRecord, 'kid' | 'privateKey'>, sealer: KeySealer): SigningKey {
  return { kid: record.kid, privateKey: createPrivateKey({ key: sealer.open(record.privateKey), format: 'pem' }) };
}
