/**
 * Optional encryption of JWT signing keys at rest under a master key from configuration
 * (POSTERN_MASTER_KEYS), so a database dump alone cannot mint sessions. AES-256-GCM; the key
 * id travels with each sealed value, so master keys rotate by putting a new one first: values
 * sealed under an older key still open while it is listed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface KeySealer {
  /** The value to store for a PKCS#8 PEM: sealed under the current master key, or the PEM as is when none is configured. */
  seal(pem: string): string;
  /** The PEM of a stored value (sealed or, from before encryption was turned on, plain). */
  open(stored: string): string;
}

const PREFIX = 'sealed:v1:';
// Binds the ciphertext to its purpose: a sealed value cannot be passed off as another kind.
const AAD = Buffer.from('postern signing key');

export function createKeySealer(masterKeys: readonly MasterKey[]): KeySealer {
  const current = masterKeys[0];
  return {
    seal(pem) {
      if (!current) return pem;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv).setAAD(AAD);
      const ct = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
      return PREFIX + [current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const [id, iv, tag, ct] = stored.slice(PREFIX.length).split(':');
      const master = masterKeys.find((k) => k.id === id);
      if (!master || !iv || !tag || !ct) throw new Error(`signing key sealed under master key ${String(id)}, which is not configured`);
      const decipher = createDecipheriv('aes-256-gcm', master.key, Buffer.from(iv, 'base64url')).setAAD(AAD);
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
