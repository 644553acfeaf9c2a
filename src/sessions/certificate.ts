/**
 * A self-signed X.509 v3 certificate for a signing key, for the JWKS `x5c` member. node:crypto
 * parses certificates but cannot create them, so this holds the few DER encoders a
 * certificate needs (RFC 5280 §4.1, X.690 DER).
 */
import { sign, type KeyObject } from 'node:crypto';
import { randomToken } from '../random.js';

/** DER tag-length-value; lengths of 128 and more take the long form with minimal octets. */
function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  let header: Buffer;
  if (len < 0x80) {
    header = Buffer.from([tag, len]);
  } else {
    const octets: number[] = [];
    for (let n = len; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
    header = Buffer.from([tag, 0x80 | octets.length, ...octets]);
  }
  return Buffer.concat([header, content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);
const NULL = Buffer.from([0x05, 0x00]);

/** A non-negative INTEGER from big-endian magnitude bytes, in DER's minimal two's complement. */
function integer(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let bytes = magnitude.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  // A set high bit would read as negative, so a zero octet goes in front.
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const out: number[] = [40 * first + second];
  for (const arc of rest) {
    // Base-128, most significant group first, continuation bit on all but the last.
    const groups: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) groups.unshift((n & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A BIT STRING of whole octets (zero unused bits). */
const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, always seconds and Z. */
function time(ms: number): Buffer {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const year = d.getUTCFullYear();
  const pad = (n: number): string => String(n).padStart(2, '0');
  const rest = pad(d.getUTCMonth() + 1) + pad(d.getUTCDate()) + pad(d.getUTCHours()) + pad(d.getUTCMinutes()) + pad(d.getUTCSeconds()) + 'Z';
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(pad(year % 100) + rest, 'ascii'));
  return tlv(0x18, Buffer.from(String(year).padStart(4, '0') + rest, 'ascii'));
}

/** Name ::= RDNSequence with the single attribute CN, as a UTF8String (RFC 5280 §4.1.2.4). */
const commonName = (cn: string): Buffer => sequence(set(sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), NULL);
const TEN_YEARS = 10;

export interface CertificateInput {
  /** Goes into the subject and issuer CN; the key's kid. */
  commonName: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** notBefore, in ms; notAfter is ten years later. */
  notBefore: number;
}

/** DER bytes of a self-signed sha256WithRSAEncryption certificate for an RSA key pair. */
export function selfSignedCertificate(input: CertificateInput): Buffer {
  if (input.publicKey.asymmetricKeyType !== 'rsa' || input.privateKey.asymmetricKeyType !== 'rsa') {
    throw new TypeError('selfSignedCertificate needs an RSA key pair');
  }
  const notAfter = new Date(input.notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + TEN_YEARS);

  // RFC 5280 §4.1.2.2: positive, at most 20 octets. 16 random octets with the top bit cleared
  // keep it positive; setting the next bit keeps it non-zero and exactly 16 octets long.
  const serial = Buffer.from(randomToken(16), 'base64url');
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;

  const name = commonName(input.commonName);
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    SHA256_WITH_RSA,
    name,
    sequence(time(input.notBefore), time(notAfter.getTime())),
    name,
    input.publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, input.privateKey);
  return sequence(tbs, SHA256_WITH_RSA, bitString(signature));
}
