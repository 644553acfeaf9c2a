import { EmailDeliveryError } from './errors.js';

// Anything that could turn one recipient into several (a list separator, a display name, a
// group) or smuggle a header line. Callers pass normalized addresses; this is the last guard
// against a reset link for one account reaching a second inbox.
const UNSAFE = /[\s,;:<>()[\]"\\\p{Cc}]/u;

/** Refuses anything but one bare address, before any byte is sent or written. */
export function checkRecipient(to: string): void {
  const at = to.indexOf('@');
  if (at <= 0 || at !== to.lastIndexOf('@') || at === to.length - 1 || UNSAFE.test(to)) {
    throw new EmailDeliveryError('invalid recipient address');
  }
}
