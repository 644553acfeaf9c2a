/**
 * POSTERN_TLS_CERT / POSTERN_TLS_KEY: PEM files that make `postern serve` answer https. Read
 * and checked at start, so a missing file, a bad PEM or a key that does not match its
 * certificate is a configuration problem reported with the others, not a crash at listen.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';

export interface TlsConfig {
  certPath: string;
  keyPath: string;
  /** The certificate chain, PEM. */
  readonly cert: Buffer;
  /** The private key, PEM: non-enumerable, so logging or serializing the config never shows it. */
  readonly key: Buffer;
}

function readPem(name: string, file: string, problems: string[]): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    problems.push(`${name}: cannot read ${JSON.stringify(file)} (${code})`);
    return undefined;
  }
}

export function loadTls(certRaw: string | undefined, keyRaw: string | undefined, problems: string[]): TlsConfig | null {
  const certFile = certRaw || undefined;
  const keyFile = keyRaw || undefined;
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined || keyFile === undefined) {
    problems.push('POSTERN_TLS_CERT and POSTERN_TLS_KEY go together: set both (PEM files) or neither');
    return null;
  }
  const certPath = path.resolve(certFile);
  const keyPath = path.resolve(keyFile);
  const cert = readPem('POSTERN_TLS_CERT', certPath, problems);
  const key = readPem('POSTERN_TLS_KEY', keyPath, problems);
  if (cert === undefined || key === undefined) return null;
  try {
    tls.createSecureContext({ cert, key });
  } catch (err) {
    // OpenSSL's reason (e.g. "key values mismatch", "no start line"), never the key itself.
    problems.push(`POSTERN_TLS_CERT and POSTERN_TLS_KEY: not a usable PEM certificate and matching private key (${(err as Error).message})`);
    return null;
  }
  const config = { certPath, keyPath, cert } as TlsConfig;
  Object.defineProperty(config, 'key', { value: key, enumerable: false });
  return Object.freeze(config);
}
