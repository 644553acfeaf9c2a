import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixedClock, rfc3339 } from '../../src/clock.js';
import type { EmailConfig, SmtpConfig } from '../../src/config/index.js';
import { createMailer, EmailDeliveryError, type OutgoingEmail } from '../../src/email/mailer.js';
import { readOutbox } from '../../src/email/outbox.js';
import { formatOutbox } from '../../src/email/outbox-format.js';
import { renderResetPasswordEmail } from '../../src/email/reset-password.js';
import { createSmtpMailer } from '../../src/email/smtp.js';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer } from '../helpers/smtp.js';

const TOKEN = 'tok_' + 'x'.repeat(40);
const RESET_URL = `https://app.example.com/reset?stytch_token_type=reset_password&token=${TOKEN}`;
const FROM = 'Example <auth@example.com>';
const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

function message(to = 'ada@example.com', subjectSuffix = ''): OutgoingEmail {
  const rendered = renderResetPasswordEmail({ locale: 'en', resetUrl: RESET_URL, loginUrl: 'https://app.example.com/login', expiresInMinutes: 30, email: to });
  return { to, ...rendered, subject: rendered.subject + subjectSuffix };
}

function smtpConfig(port: number, extra: Partial<SmtpConfig> = {}): EmailConfig {
  return { smtp: { host: '127.0.0.1', port, security: 'none', user: undefined, password: undefined, ...extra }, from: FROM, outboxDir: '/nonexistent' };
}

/** Rejects with an EmailDeliveryError whose message leaks neither the body nor the token. */
async function assertDeliveryError(promise: Promise<unknown>, pattern?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof EmailDeliveryError, `got ${String(err)}`);
    assert.equal(err.code, 'EMAIL_DELIVERY_FAILED');
    assert.ok(!err.message.includes(TOKEN) && !err.message.includes('ada@example.com'), err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('SMTP mailer', () => {
  const clock = new FixedClock(T0);

  it('delivers recipient, from, subject and both bodies with the link', async () => {
    const server = await startSmtpServer();
    const mailer = createMailer(smtpConfig(server.port), clock);
    try {
      await mailer.send(message());
      const mail = await server.waitForMessage(1);
      const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      assert.deepEqual(to?.value.map((a) => a.address), ['ada@example.com']);
      assert.equal(mail.from?.value[0]?.address, 'auth@example.com');
      assert.equal(mail.from?.value[0]?.name, 'Example');
      assert.equal(mail.subject, 'Reset your password');
      assert.ok(mail.text?.includes(RESET_URL), 'text part has the raw link');
      assert.ok(typeof mail.html === 'string' && mail.html.includes(RESET_URL.replace('&', '&amp;')), 'html part has the link');
      assert.equal(mail.date?.getTime(), T0, 'Date header from the injected clock');
    } finally {
      await mailer.close();
      await server.close();
    }
  });

  it('logs in with user and password', async () => {
    const server = await startSmtpServer({ authRequired: true });
    const mailer = createMailer(smtpConfig(server.port, { user: SMTP_USER, password: SMTP_PASSWORD }), clock);
    try {
      await mailer.send(message());
      assert.equal(server.messages.length, 1);
    } finally {
      await mailer.close();
      await server.close();
    }
  });

  describe('failures', () => {
    let server: Awaited<ReturnType<typeof startSmtpServer>>;
    before(async () => {
      server = await startSmtpServer({ authRequired: true });
    });
    after(() => server.close());

    it('wrong password', async () => {
      const mailer = createMailer(smtpConfig(server.port, { user: SMTP_USER, password: 'wrong' }), clock);
      await assertDeliveryError(mailer.send(message()), /EAUTH/);
    });

    it('no credentials for a server that requires them', async () => {
      await assertDeliveryError(createMailer(smtpConfig(server.port), clock).send(message()));
      assert.equal(server.messages.length, 0);
    });
  });

  for (const failAt of ['rcpt', 'data'] as const) {
    it(`server refusing the message at ${failAt.toUpperCase()} (550)`, async () => {
      const server = await startSmtpServer({ failWith: 550, failAt });
      try {
        await assertDeliveryError(createMailer(smtpConfig(server.port), clock).send(message()), /SMTP 550/);
        assert.equal(server.messages.length, 0);
      } finally {
        await server.close();
      }
    });
  }

  it('nothing listening fails promptly', async () => {
    const port = await freePort();
    const started = performance.now();
    await assertDeliveryError(createMailer(smtpConfig(port), clock).send(message()), /ECONNECTION|ESOCKET/);
    assert.ok(performance.now() - started < 3000);
  });

  it('a server that never greets times out', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const mailer = createSmtpMailer(smtpConfig(port).smtp!, FROM, clock, { timeoutMs: 200 });
      const started = performance.now();
      await assertDeliveryError(mailer.send(message()), /ETIMEDOUT/);
      assert.ok(performance.now() - started < 3000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('starttls never falls back to plain text', async () => {
    const server = await startSmtpServer();
    try {
      await assertDeliveryError(createMailer(smtpConfig(server.port, { security: 'starttls' }), clock).send(message()));
      assert.equal(server.messages.length, 0);
    } finally {
      await server.close();
    }
  });

  it('refuses anything but one bare recipient', async () => {
    const server = await startSmtpServer();
    const mailer = createMailer(smtpConfig(server.port), clock);
    try {
      for (const to of ['ada@example.com, eve@example.net', 'Eve <eve@example.net>', 'ada@example.com\r\nBcc: eve@example.net', 'nobody']) {
        await assertDeliveryError(mailer.send(message(to)), /invalid recipient/);
      }
      assert.equal(server.messages.length, 0);
    } finally {
      await server.close();
    }
  });
});

describe('outbox mailer', () => {
  let root: string;
  let dir: string;
  const clock = new FixedClock(T0);
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'postern-outbox-'));
    dir = path.join(root, 'data', 'outbox');
    const mailer = createMailer({ smtp: null, from: FROM, outboxDir: dir }, clock);
    await mailer.send(message('ada@example.com', ' 1'));
    // Same millisecond: the sequence number keeps the order.
    await mailer.send(message('bob@example.com', ' 2'));
    clock.advance(1500);
    await mailer.send(message('cy@example.com', ' 3'));
    await mailer.close();
  });
  after(() => fs.rm(root, { recursive: true, force: true }));

  it('writes one owner-only file per message, and nothing else', async () => {
    assert.equal((await fs.stat(dir)).mode & 0o777, 0o700);
    const names = await fs.readdir(dir);
    assert.equal(names.length, 3);
    for (const name of names) {
      assert.match(name, /^\d{15}-\d{6}-[\w-]+\.json$/);
      assert.equal((await fs.stat(path.join(dir, name))).mode & 0o777, 0o600);
    }
  });

  it('reads the messages back in send order', async () => {
    const all = await readOutbox(dir);
    assert.deepEqual(all.map((m) => m.subject), ['Reset your password 1', 'Reset your password 2', 'Reset your password 3']);
    assert.deepEqual(all.map((m) => m.to), ['ada@example.com', 'bob@example.com', 'cy@example.com']);
    assert.equal(all[0]!.from, FROM);
    assert.equal(all[0]!.sent_at, rfc3339(T0));
    assert.equal(all[2]!.sent_at, rfc3339(T0 + 1500));
    assert.ok(all[0]!.text.includes(RESET_URL) && all[0]!.html.includes('&amp;token='));
  });

  it('--last N gives the newest N, oldest first', async () => {
    assert.deepEqual((await readOutbox(dir, { last: 1 })).map((m) => m.to), ['cy@example.com']);
    assert.deepEqual((await readOutbox(dir, { last: 2 })).map((m) => m.to), ['bob@example.com', 'cy@example.com']);
    assert.equal((await readOutbox(dir, { last: 10 })).length, 3);
    assert.deepEqual(await readOutbox(dir, { last: 0 }), []);
    await assert.rejects(readOutbox(dir, { last: -1 }), RangeError);
  });

  it('a missing folder is an empty outbox; other files are ignored', async () => {
    assert.deepEqual(await readOutbox(path.join(root, 'nope')), []);
    await fs.writeFile(path.join(dir, 'README'), 'hello');
    await fs.writeFile(path.join(dir, '.000000000000001-000000-abc.json.tmp'), '{');
    try {
      assert.equal((await readOutbox(dir)).length, 3);
    } finally {
      await fs.rm(path.join(dir, 'README'));
      await fs.rm(path.join(dir, '.000000000000001-000000-abc.json.tmp'));
    }
  });

  it('formats JSON lines and a readable listing with the link', async () => {
    const all = await readOutbox(dir);
    const lines = formatOutbox(all, { json: true }).trimEnd().split('\n');
    assert.deepEqual(lines.map((l): unknown => JSON.parse(l)), all);
    const listing = formatOutbox(all, { json: false });
    assert.ok(listing.includes('To:      bob@example.com'));
    assert.ok(listing.includes('Subject: Reset your password 2'));
    assert.ok(listing.includes(rfc3339(T0)));
    assert.ok(listing.includes(RESET_URL));
    assert.equal(formatOutbox([], { json: true }), '');
    assert.match(formatOutbox([], { json: false }), /empty/);
  });

  it('strips terminal control characters from the listing', () => {
    const m = { to: 'a@b.co', from: FROM, subject: 'x\u001b[2Jy', text: 'line\u0007\nnext', html: '', sent_at: rfc3339(T0) };
    const out = formatOutbox([m], { json: false });
    assert.ok(out.includes('Subject: x[2Jy') && out.includes('line\nnext'));
  });

  it('a folder that cannot be created is a delivery error', async () => {
    const file = path.join(root, 'a-file');
    await fs.writeFile(file, '');
    const mailer = createMailer({ smtp: null, from: FROM, outboxDir: path.join(file, 'outbox') }, clock);
    await assertDeliveryError(mailer.send(message()), /outbox/);
  });
});
