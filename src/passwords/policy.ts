import { AuthError } from '../errors.js';
import { userInputsFromEmail, type StrengthScorer } from './strength.js';

/** Longest new password accepted, in Unicode code points (spec Decision 13). */
export const MAX_PASSWORD_CODE_POINTS = 256;

/** zxcvbn's pass mark at Stytch: a score of 3 or 4. */
const MIN_SCORE = 3;

export function codePointLength(s: string): number {
  return Array.from(s).length;
}

/**
 * Throws `weak_password` (with zxcvbn's feedback in the message) unless `password` may be
 * set as a new password.
 */
export async function assertAcceptablePassword(scorer: StrengthScorer, password: string, email: string): Promise<void> {
  if (codePointLength(password) > MAX_PASSWORD_CODE_POINTS) {
    throw new AuthError('weak_password', `Passwords may be at most ${MAX_PASSWORD_CODE_POINTS} characters long.`);
  }
  let result;
  try {
    result = await scorer.score(password, userInputsFromEmail(email));
  } catch (err) {
    if ((err as { code?: string }).code === 'STRENGTH_TIMEOUT') {
      throw new AuthError('password_validation_timeout', undefined, { cause: err });
    }
    throw err;
  }
  if (result.score < MIN_SCORE) {
    const advice = [result.feedback.warning, ...result.feedback.suggestions]
      .filter((s) => s !== '')
      .map((s) => (/[.!?]$/.test(s) ? s : s + '.'))
      .join(' ');
    throw new AuthError('weak_password', `The password is not strong enough.${advice ? ' ' + advice : ''}`);
  }
}
