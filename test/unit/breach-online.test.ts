import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { BreachConfig } from '../../src/config/index.js';
import { BreachCheckUnavailable, createBreachChecker } from '../../src/passwords/breach/index.js';

const sha1 = (s: string): string => createHash('sha1').update(s, 'utf8').digest('hex').toUpperCase();

// Not in the shipped corpus, so each lookup must reach the server.
const BREACHED = 'postern-online-breached-7Qx!';
const PADDING_ONLY = 'postern-online-padded-3Kd?';
const UNKNOWN = 'postern-online-unknown-9Zr#';
const COUNTS = new Map([
  [sha1(BREACHED), 42],
  [sha1(PADDING_ONLY), 0],
]);

type Behaviour = 'ok' | 'error' | 'slow-headers' | 'slow-body' | 'html';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
}

/** Speaks the range protocol for the table above plus zero-count padding, like HIBP with Add-Padding. */
function rangeBody(prefix: string): string {
  const lines: string[] = [];
  for (const [hash, count] of COUNTS) if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:${count}`);
  for (let i = 0; i < 20; i++) lines.push(`${sha1(`padding ${prefix} ${i}`).slice(5)}:0`);
  return lines.sort().join('\r\n');
}

describe('online breach check against a local range server', () => {
  let server: Server;
  let origin = '';
  let behaviour: Behaviour = 'ok';
  const seen: Seen[] = [];
  // Stalled responses are cleared at the end so they do not keep the test process alive.
  const stalls = new Set<NodeJS.Timeout>();
  const stall = (fn: () => void): void => void stalls.add(setTimeout(fn, 3000));

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const match = /^(?:\/hibp)?\/range\/([0-9A-F]{5})(?:\?.*)?$/.exec(req.url ?? '');
      if (!match) return void res.writeHead(404).end();
      if (behaviour === 'error') return void res.writeHead(500).end('oops');
      if (behaviour === 'html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in to the Wi-Fi</html>');
      if (behaviour === 'slow-headers') return stall(() => res.writeHead(200).end(rangeBody(match[1]!)));
      if (behaviour === 'slow-body') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(rangeBody(match[1]!).slice(0, 100));
        return stall(() => res.end());
      }
      // The mirror answers with LF lines and blank trailing lines, as a static file server might.
      const body = req.url!.startsWith('/hibp/') ? `${rangeBody(match[1]!).replaceAll('\r\n', '\n')}\n\r\n` : rangeBody(match[1]!);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    stalls.forEach(clearTimeout);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    behaviour = 'ok';
    seen.length = 0;
  });

  const config = (overrides: Partial<BreachConfig> = {}): BreachConfig => ({
    mode: 'online',
    corpusPath: undefined,
    hibpBaseUrl: origin,
    timeoutMs: 2000,
    failClosed: false,
    ...overrides,
  });

  it('finds a breached password', async () => {
    const checker = createBreachChecker(config());
    assert.equal(checker.mode, 'online');
    assert.equal(await checker.isBreached(BREACHED), true);
    await checker.close();
  });

  it('answers false for a password the range does not list', async () => {
    const checker = createBreachChecker(config());
    assert.equal(await checker.isBreached(UNKNOWN), false);
    assert.equal(seen.length, 1);
    await checker.close();
  });

  it('does not count a padding line (count 0) as breached', async () => {
    const checker = createBreachChecker(config());
    assert.equal(await checker.isBreached(PADDING_ONLY), false);
    await checker.close();
  });

  it('sends only the 5-character prefix, with Add-Padding', async () => {
    const checker = createBreachChecker(config());
    await checker.isBreached(BREACHED);
    assert.equal(seen.length, 1);
    const [request] = seen;
    const hash = sha1(BREACHED);
    const url = new URL(request!.url, origin);
    assert.equal(url.pathname, `/range/${hash.slice(0, 5)}`);
    assert.equal(url.search, '?mode=sha1', 'hibp names the hash type; nothing else is in the query');
    assert.equal(request!.headers['add-padding'], 'true');
    const everything = `${request!.url}\n${JSON.stringify(request!.headers)}`.toUpperCase();
    assert.ok(!everything.includes(hash.slice(5, 15)), 'no part of the hash suffix is sent');
    assert.ok(!everything.includes(BREACHED.toUpperCase()), 'the password is not sent');
    await checker.close();
  });

  it('works with a mirror under a path prefix', async () => {
    const checker = createBreachChecker(config({ hibpBaseUrl: `${origin}/hibp` }));
    assert.equal(await checker.isBreached(BREACHED), true);
    assert.equal(new URL(seen[0]!.url, origin).pathname, `/hibp/range/${sha1(BREACHED).slice(0, 5)}`);
    await checker.close();
  });

  it('refuses the most common passwords from the shipped table without a request', async () => {
    behaviour = 'error';
    const checker = createBreachChecker(config());
    assert.equal(await checker.isBreached('password'), true);
    assert.equal(seen.length, 0);
    await checker.close();
  });

  const failures: { behaviour: Behaviour; what: string }[] = [
    { behaviour: 'error', what: 'a 500' },
    { behaviour: 'slow-headers', what: 'no response within the timeout' },
    { behaviour: 'slow-body', what: 'a body stalled past the timeout' },
    { behaviour: 'html', what: 'a 200 that is not a range' },
  ];
  for (const failure of failures) {
    it(`fails open on ${failure.what}: false, and onLookupError is told`, async () => {
      behaviour = failure.behaviour;
      const errors: unknown[] = [];
      const checker = createBreachChecker(config({ timeoutMs: 300 }), { onLookupError: (err) => errors.push(err) });
      const started = performance.now();
      assert.equal(await checker.isBreached(BREACHED), false);
      assert.ok(performance.now() - started < 2000, 'the timeout bounds the lookup');
      assert.equal(errors.length, 1);
      await checker.close();
    });

    it(`fails closed on ${failure.what}: BreachCheckUnavailable`, async () => {
      behaviour = failure.behaviour;
      const errors: unknown[] = [];
      const checker = createBreachChecker(config({ timeoutMs: 300, failClosed: true }), { onLookupError: (err) => errors.push(err) });
      await assert.rejects(checker.isBreached(BREACHED), (err: unknown) => {
        assert.ok(err instanceof BreachCheckUnavailable);
        assert.equal(err.code, 'BREACH_CHECK_UNAVAILABLE');
        assert.ok(err.cause !== undefined);
        return true;
      });
      assert.equal(errors.length, 0);
      await checker.close();
    });
  }

  it('a throwing onLookupError does not turn fail-open into an error', async () => {
    behaviour = 'error';
    const checker = createBreachChecker(config(), {
      onLookupError: () => {
        throw new Error('logger broke');
      },
    });
    assert.equal(await checker.isBreached(BREACHED), false);
    await checker.close();
  });

  it('close() ends a lookup still in flight', async () => {
    behaviour = 'slow-headers';
    const checker = createBreachChecker(config({ timeoutMs: 60000 }));
    const started = performance.now();
    const pending = checker.isBreached(BREACHED);
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await checker.close();
    assert.equal(await pending, false);
    assert.ok(performance.now() - started < 2000);
    await assert.rejects(checker.isBreached(BREACHED), /closed/);
  });
});
