/**
 * Requests malformed at the HTTP level (request line, header block, body framing), written
 * byte for byte on a raw socket because no HTTP client will produce them. Node's parser
 * refuses these before any route runs; the fuzzing suite checks the answer is still the
 * Stytch envelope. Not a test file itself.
 */
import net from 'node:net';
import fc from 'fast-check';
import type { Received, Sent } from './fuzz-wire.js';

export interface RawRequest {
  /** What the case is, for the report. */
  label: string;
  bytes: Buffer;
}

export interface FramingContext {
  authorization: string;
  /** A small valid body for the route. */
  body: string;
  path: string;
}

const CRLF = '\r\n';

function request(lines: Array<string | Buffer>, body: string | Buffer = ''): Buffer {
  const parts = lines.map((l) => (typeof l === 'string' ? Buffer.from(l + CRLF, 'latin1') : Buffer.concat([l, Buffer.from(CRLF)])));
  return Buffer.concat([...parts, Buffer.from(CRLF), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/** The kinds of HTTP-level damage, each a generator of raw requests given a route context. */
export const FRAMING_KINDS: Record<string, (ctx: FramingContext) => fc.Arbitrary<RawRequest>> = {
  'Content-Length shorter than the body': (ctx) =>
    fc.integer({ min: 1, max: Math.max(1, Buffer.byteLength(ctx.body) - 1) }).map((n) => ({
      label: `content-length ${n} of ${Buffer.byteLength(ctx.body)}`,
      bytes: request([`POST ${ctx.path} HTTP/1.1`, 'Host: localhost', `Authorization: ${ctx.authorization}`, 'Content-Type: application/json', `Content-Length: ${n}`, 'Connection: close'], ctx.body),
    })),
  'raw non-ASCII bytes in the path': (ctx) =>
    fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 6 }).map((bytes) => ({
      label: `path bytes ${bytes.map((b) => b.toString(16)).join(' ')}`,
      bytes: request([Buffer.concat([Buffer.from(`GET ${ctx.path}/`), Buffer.from(bytes), Buffer.from(' HTTP/1.1')]), 'Host: localhost', `Authorization: ${ctx.authorization}`, 'Connection: close']),
    })),
  'header block over 16 KiB': (ctx) =>
    fc.tuple(fc.integer({ min: 17_000, max: 70_000 }), fc.constantFrom('Authorization', 'X-Big', 'Cookie')).map(([n, name]) => ({
      label: `${name} of ${n} bytes`,
      bytes: request([`GET ${ctx.path} HTTP/1.1`, 'Host: localhost', name === 'Authorization' ? `Authorization: Basic ${'A'.repeat(n)}` : `Authorization: ${ctx.authorization}`, `${name}: ${'b'.repeat(n)}`, 'Connection: close']),
    })),
  'request target over 16 KiB': (ctx) =>
    fc.integer({ min: 17_000, max: 70_000 }).map((n) => ({
      label: `target of ${n} bytes`,
      bytes: request([`GET ${ctx.path}?x=${'a'.repeat(n)} HTTP/1.1`, 'Host: localhost', `Authorization: ${ctx.authorization}`, 'Connection: close']),
    })),
  'malformed request line': (ctx) =>
    fc.constantFrom(`FOO ${ctx.path} HTTP/1.1`, `G\u0001T ${ctx.path} HTTP/1.1`, `GET ${ctx.path} HTTP/9.9`, `GET ${ctx.path} HTTP/1.1x`, `GET ${ctx.path}`, `GET  ${ctx.path} HTTP/1.1`, `GET ${ctx.path}/a b HTTP/1.1`, `GET ${ctx.path}\u0000 HTTP/1.1`, `\u0000\u0001garbage`).map((line) => ({
      label: `request line ${JSON.stringify(line)}`,
      bytes: request([line, 'Host: localhost', `Authorization: ${ctx.authorization}`, 'Connection: close']),
    })),
  'malformed header': (ctx) =>
    fc.constantFrom(`Authorization: Basic \u0000${ctx.authorization.slice(6)}`, 'X-No-Colon', 'X-Folded: a\r\n b', 'X-Ctl: a\u0001b', ': empty-name', 'X Space: 1', `Authorization : ${ctx.authorization}`).map((line) => ({
      label: `header ${JSON.stringify(line.slice(0, 40))}`,
      bytes: request([`GET ${ctx.path} HTTP/1.1`, 'Host: localhost', `Authorization: ${ctx.authorization}`, line, 'Connection: close']),
    })),
  'HTTP/1.1 without Host': (ctx) =>
    fc.constant({ label: 'no Host', bytes: request([`GET ${ctx.path} HTTP/1.1`, `Authorization: ${ctx.authorization}`, 'Connection: close']) }),
  'broken chunked body': (ctx) =>
    // (A chunk announced longer than what follows is not here: the server rightly waits for the rest.)
    fc.constantFrom(`zz${CRLF}${ctx.body}${CRLF}0${CRLF}${CRLF}`, `${(Buffer.byteLength(ctx.body) - 5).toString(16)}${CRLF}${ctx.body}${CRLF}0${CRLF}${CRLF}`, `-1${CRLF}x${CRLF}0${CRLF}${CRLF}`, `ffffffffffffffffff${CRLF}x${CRLF}`, `2;ext${CRLF}{}${CRLF}0${CRLF}X-Trailer${CRLF}${CRLF}`).map((body) => ({
      label: `chunked ${JSON.stringify(body.slice(0, 20))}`,
      bytes: request([`POST ${ctx.path} HTTP/1.1`, 'Host: localhost', `Authorization: ${ctx.authorization}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close'], body),
    })),
  'conflicting body lengths': (ctx) =>
    fc.constantFrom<Array<[string, string]>>(
      [['Content-Length', '2'], ['Transfer-Encoding', 'chunked']],
      [['Content-Length', '2'], ['Content-Length', '3']],
      [['Content-Length', '-1']],
      [['Content-Length', 'abc']],
      [['Content-Length', '1e3']],
      [['Transfer-Encoding', 'gzip']],
      [['Transfer-Encoding', 'chunked, identity']],
    ).map((hs) => ({
      label: hs.map(([k, v]) => `${k}: ${v}`).join(', '),
      bytes: request([`POST ${ctx.path} HTTP/1.1`, 'Host: localhost', `Authorization: ${ctx.authorization}`, 'Content-Type: application/json', ...hs.map(([k, v]) => `${k}: ${v}`), 'Connection: close'], `2${CRLF}{}${CRLF}0${CRLF}${CRLF}`),
    })),
};

function decodeChunked(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = body.indexOf(CRLF, i);
    if (eol < 0) break;
    const size = parseInt(body.subarray(i, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Writes raw bytes and reads the first response (the server closes the connection after it). */
export function sendRaw(baseUrl: string, bytes: Buffer): Promise<Received | { error: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (why?: string) => {
      if (settled) return;
      settled = true;
      sock.destroy();
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return resolve({ error: why ?? `no complete response (${all.length} bytes: ${JSON.stringify(all.toString('latin1').slice(0, 200))})` });
      const [statusLine, ...headerLines] = all.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const l of headerLines) {
        const c = l.indexOf(':');
        if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
      }
      let body: Buffer = all.subarray(end + 4);
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = decodeChunked(body);
      else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
      resolve({ status, headers, text: body.toString('utf8') });
    };
    sock.setTimeout(10_000, () => finish('timed out'));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('end', () => finish());
    sock.on('close', () => finish());
    sock.on('error', (e) => finish(e.message));
    sock.write(bytes);
  });
}

/** A description of a raw request in the shape the response checker reports. */
export function sentOf(raw: RawRequest): Sent {
  const text = raw.bytes.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n'));
  return { method: head.split(' ')[0] ?? '', path: `${head.slice(0, 200)} [${raw.label}]`, headers: {}, body: undefined };
}
