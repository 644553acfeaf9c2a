/**
 * POSTERN_TLS_CERT / POSTERN_TLS_KEY: a real `postern serve` (one process, and several
 * workers) answering https with a self-signed certificate made by openssl, verified against
 * that certificate as the CA; and the configuration problems (half a pair, a missing file, a
 * bad PEM, a key of another certificate) stopping every command at start.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, startServe } from '../helpers/processes.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-tls-'));
  dirs.push(dir);
  return dir;
}

/** A self-signed certificate for localhost and 127.0.0.1, valid for a day. */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

/** An https request that trusts only `ca` (so the server must present that certificate). */
function request(url: string, ca: Buffer, method: string, urlPath: string, auth?: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(new URL(urlPath, url), {
      method,
      ca,
      headers: { ...(auth ? { authorization: auth } : {}), ...(payload ? { 'content-type': 'application/json' } : {}) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function run(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [...CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('postern serve with TLS', () => {
  let pair: { cert: string; key: string };
  let ca: Buffer;
  before(() => {
    pair = selfSigned(tempDir(), 'server');
    ca = fs.readFileSync(pair.cert);
  });
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  for (const workers of [1, 2]) {
    it(`listens with https (${workers} worker${workers === 1 ? '' : 's'}), prints the https URL, and /v1 works`, async () => {
      const server = await startServe({ POSTERN_DATA_DIR: tempDir(), POSTERN_TLS_CERT: pair.cert, POSTERN_TLS_KEY: pair.key }, ['--workers', String(workers)]);
      try {
        assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        assert.match(server.out(), /env: 'https:\/\/127\.0\.0\.1:\d+\/'/);
        const projectId = /project_id: (\S+)/.exec(server.out())![1]!;
        const secret = /secret:\s+(\S+)/.exec(server.out())![1]!;
        const auth = 'Basic ' + Buffer.from(`${projectId}:${secret}`).toString('base64');
        // Every worker answers https: several connections land on both of them.
        for (let i = 0; i < 2 * workers; i++) {
          const res = await request(server.url, ca, 'POST', '/v1/passwords/strength_check', auth, { password: 'correct horse battery staple 91' });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.equal(res.body.valid_password, true);
        }
        const created = await request(server.url, ca, 'POST', '/v1/passwords', auth, { email: `tls${workers}@example.com`, password: 'correct horse battery staple 91' });
        assert.equal(created.status, 200, JSON.stringify(created.body));
        const user = await request(server.url, ca, 'GET', `/v1/users/${created.body.user_id as string}`, auth);
        assert.equal(user.body.emails[0].email, `tls${workers}@example.com`);
        // Plain http on the same port gets no answer from the API.
        await assert.rejects(fetch(server.url.replace('https:', 'http:') + '/healthz'));
      } finally {
        assert.equal(await server.stop(), 0);
      }
    });
  }

  it('refuses half a pair, a missing file, a file that is not PEM and a key of another certificate, with exit code 2', () => {
    const dir = tempDir();
    const other = selfSigned(dir, 'other');
    const notPem = path.join(dir, 'not.pem');
    fs.writeFileSync(notPem, 'not a certificate\n');
    const serve = (env: Record<string, string>) => run(['serve', '--port', '0', '--workers', '1'], { POSTERN_DATA_DIR: tempDir(), POSTERN_TLS_CERT: '', POSTERN_TLS_KEY: '', ...env });

    for (const env of [{ POSTERN_TLS_CERT: pair.cert }, { POSTERN_TLS_KEY: pair.key }] as Array<Record<string, string>>) {
      const res = serve(env);
      assert.equal(res.status, 2, res.stderr);
      assert.match(res.stderr, /POSTERN_TLS_CERT and POSTERN_TLS_KEY go together/);
    }
    const missing = serve({ POSTERN_TLS_CERT: path.join(dir, 'absent.crt'), POSTERN_TLS_KEY: pair.key, POSTERN_ARGON2_ITERATIONS: 'many' });
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /POSTERN_TLS_CERT: cannot read .*absent\.crt.*ENOENT/);
    assert.match(missing.stderr, /POSTERN_ARGON2_ITERATIONS/, 'reported with the other problems');

    const garbage = serve({ POSTERN_TLS_CERT: notPem, POSTERN_TLS_KEY: pair.key });
    assert.equal(garbage.status, 2, garbage.stderr);
    assert.match(garbage.stderr, /not a usable PEM certificate/);

    const mismatched = serve({ POSTERN_TLS_CERT: pair.cert, POSTERN_TLS_KEY: other.key });
    assert.equal(mismatched.status, 2, mismatched.stderr);
    assert.match(mismatched.stderr, /not a usable PEM certificate and matching private key/);
    // The key's text never appears in a message.
    const keyBody = fs.readFileSync(other.key, 'utf8').split('\n')[1]!;
    assert.ok(!mismatched.stderr.includes(keyBody));

    // Every command reads the configuration: `migrate` is refused too.
    const migrate = run(['migrate'], { POSTERN_DATA_DIR: tempDir(), POSTERN_TLS_CERT: pair.cert, POSTERN_TLS_KEY: '' });
    assert.equal(migrate.status, 2, migrate.stderr);
  });
});
