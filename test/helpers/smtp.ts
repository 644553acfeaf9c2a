/**
 * A real SMTP server in this process (smtp-server), for tests of email delivery. Messages are
 * parsed with mailparser before the server answers DATA, so once a send resolves the message
 * is already in `messages`. Point Postern at it with
 * `POSTERN_SMTP_HOST=127.0.0.1 POSTERN_SMTP_PORT=<port> POSTERN_SMTP_SECURITY=none`.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_USER = 'postern';
// Long and distinctive, so a test can search a log for it.
export const SMTP_PASSWORD = 'smtp-pass-5f1c9a7e';

export interface SmtpServerOptions {
  /** Reply code (e.g. 550, 451) that refuses every message, at RCPT TO unless `failAt` says DATA. */
  failWith?: number;
  failAt?: 'rcpt' | 'data';
  /** Refuse mail without AUTH as SMTP_USER / SMTP_PASSWORD (always the only accepted login). */
  authRequired?: boolean;
}

export interface TestSmtpServer {
  port: number;
  /** Every accepted message, in arrival order. */
  messages: ParsedMail[];
  /** Resolves with message number `count` (1-based; default 1) once it has arrived. */
  waitForMessage(count?: number, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  const waiters = new Set<() => void>();
  const reject = (): Error => Object.assign(new Error(`rejected by test server (${opts.failWith})`), { responseCode: opts.failWith });

  const server = new SMTPServer({
    secure: false,
    // Plain text only, like POSTERN_SMTP_SECURITY=none; AUTH over plain text has to be allowed
    // explicitly, and smtp-server warns about its built-in certificate unless STARTTLS is off.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: opts.authRequired !== true,
    logger: false,
    // A client left hanging by a test must not hold close() for smtp-server's default 30 s.
    closeTimeout: 500,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      callback(opts.failWith !== undefined && opts.failAt !== 'data' ? reject() : null);
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          if (opts.failWith !== undefined) return callback(reject());
          messages.push(mail);
          for (const wake of waiters) wake();
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });

  await new Promise<void>((resolve, fail) => {
    server.server.once('error', fail);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    port,
    messages,
    waitForMessage(count = 1, timeoutMs = 5000) {
      return new Promise<ParsedMail>((resolve, fail) => {
        const check = () => {
          const mail = messages[count - 1];
          if (!mail) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error(`timed out after ${timeoutMs} ms waiting for message ${count} (have ${messages.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
