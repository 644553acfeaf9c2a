import type { Environment } from '../random.js';

/** Per-project policy, with Stytch's names (camelCased) and ranges; defaults below. */
export interface ProjectSettings {
  passwordStrengthPolicy: 'zxcvbn' | 'luds';
  /** LUDS: minimum length in code points (8–32). */
  ludsMinPasswordLength: number;
  /** LUDS: how many of lowercase, uppercase, digit, symbol must appear (1–4). */
  ludsMinPasswordComplexity: number;
  /** Refuse breached passwords at create and every reset (`breach_detection_on_create`). */
  checkBreachOnCreation: boolean;
  /** At login, a correct but breached password must be reset. */
  checkBreachOnAuthentication: boolean;
  /** At login, a correct password that fails the current policy must be reset. */
  validateOnAuthentication: boolean;
  /** Consecutive failed authentications that lock a user (1–100). */
  lockThreshold: number;
  /** How long a lock lasts, in minutes (5 minutes – 7 days). */
  lockDurationMinutes: number;
  /**
   * Unknown emails, users without a password and locked users answer exactly like a wrong
   * password (401 unauthorized_credentials, same hashing work). Off by default: Stytch answers
   * email_not_found.
   */
  enumerationProtection: boolean;
  /** Default link target of reset emails; "" when none is set. */
  resetPasswordRedirectUrl: string;
  /** Default target of the "log in without a password" link in reset emails; "" when none. */
  loginRedirectUrl: string;
  /**
   * URLs a reset email may link to (besides the two defaults above, and loopback URLs in test
   * projects): a given URL must match one in scheme, host, port and path (docs/frontend.md).
   */
  allowedRedirectUrls: string[];
  /** Browser origins (`scheme://host[:port]`) the frontend SDK routes (`/sdk/v1`) serve. */
  allowedOrigins: string[];
  /** Test projects only: loopback origins and redirect URLs (localhost, 127.0.0.0/8, [::1]) need no listing. */
  allowLocalhost: boolean;
}

export const PROJECT_DEFAULTS: Readonly<ProjectSettings> = Object.freeze({
  passwordStrengthPolicy: 'zxcvbn',
  ludsMinPasswordLength: 8,
  ludsMinPasswordComplexity: 3,
  checkBreachOnCreation: true,
  checkBreachOnAuthentication: true,
  validateOnAuthentication: false,
  lockThreshold: 10,
  lockDurationMinutes: 60,
  enumerationProtection: false,
  resetPasswordRedirectUrl: '',
  loginRedirectUrl: '',
  allowedRedirectUrls: [],
  allowedOrigins: [],
  allowLocalhost: true,
});

export interface Project {
  id: string;
  environment: Environment;
  createdAt: number;
  settings: ProjectSettings;
}
