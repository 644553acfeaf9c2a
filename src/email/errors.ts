/**
 * The one failure a mailer reports. Callers map it to an API error and discard the token the
 * message carried, so that an email nobody received leaves nothing usable behind.
 */
export class EmailDeliveryError extends Error {
  readonly code = 'EMAIL_DELIVERY_FAILED';

  constructor(reason: string, options?: { cause?: unknown }) {
    // The reason is built from error codes only: the message body holds a live reset token
    // and server replies may quote the recipient, so neither belongs in a message that is logged.
    super(`email delivery failed: ${reason}`, { cause: options?.cause });
    this.name = 'EmailDeliveryError';
  }
}

/**
 * A short, body-free summary of a nodemailer or file-system error, e.g. `EENVELOPE on RCPT
 * (SMTP 550)` or `EACCES`.
 */
export function describeFailure(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'unknown error';
  const e = err as { code?: unknown; command?: unknown; responseCode?: unknown };
  const parts: string[] = [];
  if (typeof e.code === 'string') parts.push(e.code);
  // Keep only the verb: `AUTH PLAIN` is fine but nothing after it should ever reach a log.
  const verb = typeof e.command === 'string' ? /^[A-Z]+/.exec(e.command)?.[0] : undefined;
  if (verb) parts.push(`on ${verb}`);
  if (typeof e.responseCode === 'number') parts.push(`(SMTP ${e.responseCode})`);
  return parts.length > 0 ? parts.join(' ') : 'unknown error';
}
