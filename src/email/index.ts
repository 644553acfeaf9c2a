/** Public surface of email delivery. */
export { createMailer, type Mailer, type OutgoingEmail } from './mailer.js';
export { EmailDeliveryError } from './errors.js';
export { createSmtpMailer, type SmtpMailerOptions } from './smtp.js';
export { createOutboxMailer, readOutbox, type OutboxMessage } from './outbox.js';
export { formatOutbox } from './outbox-format.js';
export {
  renderResetPasswordEmail,
  SUPPORTED_LOCALES,
  isSupportedLocale,
  type SupportedLocale,
  type ResetPasswordEmailInput,
  type RenderedEmail,
} from './reset-password.js';
