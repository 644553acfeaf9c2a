import { AuthError } from '../errors.js';
import type { ProjectSettings } from '../projects/project.js';
import { BreachCheckUnavailable, type BreachChecker } from './breach/index.js';
import { evaluateLuds, type LudsRequirements } from './luds.js';
import { userInputsFromEmail, type StrengthScorer } from './strength.js';

/** Longest new password accepted, in Unicode code points (spec Decision 13). */
export const MAX_PASSWORD_CODE_POINTS = 256;

/** zxcvbn's pass mark at Stytch: a score of 3 or 4. */
const MIN_ZXCVBN_SCORE = 3;

export interface PasswordEvaluation {
  validPassword: boolean;
  /** zxcvbn's 0–4; always 0 under LUDS, as Stytch answers. */
  score: number;
  breachedPassword: boolean;
  strengthPolicy: ProjectSettings['passwordStrengthPolicy'];
  feedback: { warning: string; suggestions: string[]; ludsRequirements: LudsRequirements | null };
}

/**
 * Refuses a string with a lone UTF-16 surrogate (possible through a JSON `\ud800` escape): its
 * UTF-8 form replaces the surrogate with U+FFFD, so two different passwords would hash alike.
 */
export function assertWellFormed(password: string, field: string): void {
  if (/[\uD800-\uDFFF]/u.test(password)) {
    throw new AuthError('invalid_argument', `${field} is not valid Unicode text.`);
  }
}

export function codePointLength(s: string): number {
  return Array.from(s).length;
}

/** One sentence of advice from zxcvbn's warning and suggestions. */
function advice(feedback: { warning: string; suggestions: string[] }): string {
  return [feedback.warning, ...feedback.suggestions]
    .filter((s) => s !== '')
    .map((s) => (/[.!?]$/.test(s) ? s : s + '.'))
    .join(' ');
}

/** The project's password rules: strength (zxcvbn or LUDS), length, breaches. */
export class PasswordPolicy {
  constructor(
    private readonly scorer: StrengthScorer,
    private readonly breach: BreachChecker,
  ) {}

  /**
   * Everything `strength_check` reports. The breach lookup runs only when `checkBreach`
   * (it may cost a network round trip) and only for a password that passes the rest.
   */
  async evaluate(settings: ProjectSettings, password: string, email: string | undefined, checkBreach: boolean): Promise<PasswordEvaluation> {
    const tooLong = codePointLength(password) > MAX_PASSWORD_CODE_POINTS;
    let evaluation: PasswordEvaluation;
    if (settings.passwordStrengthPolicy === 'luds') {
      const luds = evaluateLuds(password, settings.ludsMinPasswordLength, settings.ludsMinPasswordComplexity);
      evaluation = {
        validPassword: luds.missingCharacters === 0 && luds.missingComplexity === 0,
        score: 0,
        breachedPassword: false,
        strengthPolicy: 'luds',
        feedback: { warning: '', suggestions: [], ludsRequirements: luds },
      };
    } else {
      const result = await this.score(password, email);
      evaluation = {
        validPassword: result.score >= MIN_ZXCVBN_SCORE,
        score: result.score,
        breachedPassword: false,
        strengthPolicy: 'zxcvbn',
        feedback: { ...result.feedback, ludsRequirements: null },
      };
    }
    if (tooLong) {
      evaluation.validPassword = false;
      evaluation.feedback.warning = `Passwords may be at most ${MAX_PASSWORD_CODE_POINTS} characters long.`;
    }
    if (checkBreach && evaluation.validPassword && (await this.isBreached(password))) {
      evaluation.breachedPassword = true;
      evaluation.validPassword = false;
    }
    return evaluation;
  }

  /** Throws `weak_password` or `breached_password` unless `password` may be set as a new password. */
  async assertNewPassword(settings: ProjectSettings, password: string, email: string): Promise<void> {
    if (codePointLength(password) > MAX_PASSWORD_CODE_POINTS) {
      throw new AuthError('weak_password', `Passwords may be at most ${MAX_PASSWORD_CODE_POINTS} characters long.`);
    }
    const evaluation = await this.evaluate(settings, password, email, settings.checkBreachOnCreation);
    if (evaluation.breachedPassword) throw new AuthError('breached_password');
    if (!evaluation.validPassword) {
      const luds = evaluation.feedback.ludsRequirements;
      const detail = luds
        ? `It needs ${luds.missingCharacters} more characters and ${luds.missingComplexity} more kinds of character (lowercase, uppercase, digits, symbols).`
        : advice(evaluation.feedback);
      throw new AuthError('weak_password', `The password is not strong enough.${detail ? ' ' + detail : ''}`);
    }
  }

  /**
   * After a correct login: whether the project's rules now require this password to be reset
   * (found in a breach, or no longer meeting the policy).
   */
  async requiresResetAtLogin(settings: ProjectSettings, password: string, email: string): Promise<boolean> {
    if (settings.validateOnAuthentication) {
      const evaluation = await this.evaluate(settings, password, email, false);
      if (!evaluation.validPassword) return true;
    }
    return settings.checkBreachOnAuthentication && (await this.isBreached(password));
  }

  private async score(password: string, email: string | undefined) {
    try {
      return await this.scorer.score(password, userInputsFromEmail(email));
    } catch (err) {
      if ((err as { code?: string }).code === 'STRENGTH_TIMEOUT') {
        throw new AuthError('password_validation_timeout', undefined, { cause: err });
      }
      throw err;
    }
  }

  private async isBreached(password: string): Promise<boolean> {
    try {
      return await this.breach.isBreached(password);
    } catch (err) {
      // Only raised in online mode with POSTERN_BREACH_FAIL=closed.
      if (err instanceof BreachCheckUnavailable) {
        throw new AuthError('server_unavailable', 'The breached-password check is unavailable; try again later.', { cause: err });
      }
      throw err;
    }
  }
}
