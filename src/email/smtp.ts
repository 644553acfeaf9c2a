/** Delivery through an SMTP server with nodemailer, one connection per message. */
import nodemailer from 'nodemailer';
import type { Clock } from '../clock.js';
import type { SmtpConfig } from '../config/index.js';
import { checkRecipient } from './address.js';
import { EmailDeliveryError, describeFailure } from './errors.js';
import type { Mailer, OutgoingEmail } from './mailer.js';

// The API request waits for the send, so a dead or silent server must fail in seconds, not in
// nodemailer's default minutes.
const DEFAULT_TIMEOUT_MS = 10_000;

export interface SmtpMailerOptions {
  /** Connection, greeting, DNS and per-command inactivity limit. */
  timeoutMs?: number;
}

export function createSmtpMailer(smtp: SmtpConfig, from: string, clock: Clock, options: SmtpMailerOptions = {}): Mailer {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // No pool: reset emails are rare, and a fresh connection per message means a relay restart
  // never leaves a stale socket behind.
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    // `starttls` must never fall back to plain text: the message carries a live reset link.
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    // Bodies are plain strings; nothing may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    // nodemailer's debug log would print the message, reset token included.
    logger: false,
    debug: false,
  });

  return {
    async send(message: OutgoingEmail): Promise<void> {
      checkRecipient(message.to);
      let rejected: unknown[];
      try {
        const info = await transport.sendMail({
          from,
          // An address object, not a string: nodemailer then has no address list to parse.
          to: { name: '', address: message.to },
          subject: message.subject,
          text: message.text,
          html: message.html,
          // The Date header comes from our clock, like every other timestamp.
          date: new Date(clock.now()),
        });
        rejected = info.rejected;
      } catch (err) {
        throw new EmailDeliveryError(describeFailure(err), { cause: err });
      }
      if (rejected.length > 0) throw new EmailDeliveryError('recipient rejected');
    },
    close(): Promise<void> {
      transport.close();
      return Promise.resolve();
    },
  };
}
