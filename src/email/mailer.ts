/** Email delivery: SMTP when configured, else the local outbox (the embedded default). */
import type { Clock } from '../clock.js';
import type { EmailConfig } from '../config/index.js';
import { createOutboxMailer } from './outbox.js';
import { createSmtpMailer } from './smtp.js';

// Callers catching a delivery failure need the class next to the Mailer they call.
export { EmailDeliveryError } from './errors.js';

export interface OutgoingEmail {
  /** One bare address, e.g. `ada@example.com`. */
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Resolves once the message is accepted (SMTP) or written (outbox); else rejects with EmailDeliveryError. */
  send(message: OutgoingEmail): Promise<void>;
  close(): Promise<void>;
}

export function createMailer(config: EmailConfig, clock: Clock): Mailer {
  return config.smtp
    ? createSmtpMailer(config.smtp, config.from, clock)
    : createOutboxMailer(config.outboxDir, config.from, clock);
}
