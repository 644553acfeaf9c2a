/**
 * Password strength as Stytch reports it: zxcvbn's score (valid at 3 or more) and feedback,
 * computed in bounded time off the event loop. See docs/password-strength.md.
 */
export { scoreLocally, type StrengthResult } from './strength-rule.js';
export {
  createStrengthScorer,
  DEFAULT_DEADLINE_MS,
  StrengthError,
  type ScoreOptions,
  type StrengthErrorCode,
  type StrengthScorer,
} from './strength-pool.js';

/**
 * zxcvbn's user inputs for an account: the email's local part and domain, plus their pieces
 * split on . _ - + so that "ada" alone is recognised in "ada.lovelace@example.com".
 */
export function userInputsFromEmail(email: string | undefined): string[] {
  if (email === undefined || email === '') return [];
  const at = email.lastIndexOf('@');
  const whole = at === -1 ? [email] : [email.slice(0, at), email.slice(at + 1)];
  const pieces = whole.flatMap((part) => part.split(/[._+-]/));
  return [...new Set([...whole, ...pieces])].filter((s) => s !== '');
}
