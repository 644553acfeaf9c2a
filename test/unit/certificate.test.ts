import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { selfSignedCertificate } from '../../src/sessions/certificate.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

void describe('selfSignedCertificate', () => {
  const notBefore = Date.UTC(2025, 10, 12, 10, 35, 49, 678);
  const der = selfSignedCertificate({ commonName: 'jwk-test-abc', publicKey, privateKey, notBefore });
  const cert = new X509Certificate(der);

  void it('is self-signed for CN=<kid> and verifies with its own key', () => {
    assert.equal(cert.subject, 'CN=jwk-test-abc');
    assert.equal(cert.issuer, 'CN=jwk-test-abc');
    assert.equal(cert.verify(publicKey), true);
    assert.equal(cert.checkIssued(cert), true);
  });

  void it('carries the public key', () => {
    assert.deepEqual(
      cert.publicKey.export({ type: 'spki', format: 'der' }),
      publicKey.export({ type: 'spki', format: 'der' }),
    );
  });

  void it('is valid from creation (second precision) for ten years', () => {
    assert.equal(new Date(cert.validFrom).getTime(), Date.UTC(2025, 10, 12, 10, 35, 49));
    assert.equal(new Date(cert.validTo).getTime(), Date.UTC(2035, 10, 12, 10, 35, 49));
  });

  void it('is version 3 with a positive serial of at most 20 octets', () => {
    // Certificate > TBSCertificate > [0] { INTEGER 2 }: a0 03 02 01 02 right after the two headers.
    assert.ok(der.includes(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02])));
    assert.match(cert.serialNumber, /^[0-9A-F]+$/);
    assert.ok(cert.serialNumber.length <= 40);
    assert.ok(Number.parseInt(cert.serialNumber.slice(0, 2), 16) < 0x80);
  });

  void it('draws a different serial each time', () => {
    const again = new X509Certificate(selfSignedCertificate({ commonName: 'jwk-test-abc', publicKey, privateKey, notBefore }));
    assert.notEqual(again.serialNumber, cert.serialNumber);
  });

  void it('switches to GeneralizedTime from 2050 and still parses', () => {
    const late = new X509Certificate(
      selfSignedCertificate({ commonName: 'k', publicKey, privateKey, notBefore: Date.UTC(2045, 0, 1) }),
    );
    assert.equal(new Date(late.validTo).getTime(), Date.UTC(2055, 0, 1));
    assert.equal(late.verify(publicKey), true);
  });

  void it('refuses a non-RSA key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.throws(() => selfSignedCertificate({ commonName: 'k', publicKey: ec.publicKey, privateKey: ec.privateKey, notBefore }), TypeError);
  });
});
