/** Input rules of the email reset flow: redirect URLs, expiry, locale, PKCE. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../errors.js';
import type { Project } from '../projects/project.js';
import { redirectUrlAllowed } from '../projects/allowlists.js';
import { redirectUrl } from '../projects/settings.js';

export interface ResetStartInput {
  email: string;
  resetPasswordRedirectUrl?: string | undefined;
  resetPasswordExpirationMinutes?: number | undefined;
  codeChallenge?: string | undefined;
  attributes?: { ipAddress?: string | undefined; userAgent?: string | undefined } | undefined;
  loginRedirectUrl?: string | undefined;
  locale?: string | undefined;
  resetPasswordTemplateId?: string | undefined;
}

export interface ResetStartRules {
  resetUrl: string;
  loginUrl: string;
  expirationMinutes: number;
  codeChallenge: string | null;
  locale: string | undefined;
}

const DEFAULT_EXPIRATION_MINUTES = 30;
const MIN_EXPIRATION_MINUTES = 5;
const MAX_EXPIRATION_MINUTES = 10080;
// PKCE S256 challenges are base64url SHA-256 digests: 43 characters.
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
// RFC 7636 verifiers: 43–128 unreserved characters.
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const LOCALE = /^[a-z]{2,3}(-[a-z0-9]{2,8})?$/i;

/** The refusal's message; `url` has passed `redirectUrl`, so it parses. */
function notAllowed(field: string, url: string): string {
  const { origin, pathname } = new URL(url);
  return `${field} ${origin}${pathname} is not among the project's allowed redirect URLs: add it with \`postern project set <project_id> allowed_redirect_urls=...\`.`;
}

export function checkResetStart(project: Project, input: ResetStartInput): ResetStartRules {
  const resetUrl = input.resetPasswordRedirectUrl ?? project.settings.resetPasswordRedirectUrl;
  if (!resetUrl) throw new AuthError('no_password_reset_redirect_url', 'Give reset_password_redirect_url or set a default for the project.');
  if (!redirectUrl(resetUrl)) throw new AuthError('invalid_password_reset_redirect_url', 'reset_password_redirect_url must be an absolute http(s) URL.');
  const loginUrl = input.loginRedirectUrl ?? project.settings.loginRedirectUrl;
  if (!loginUrl) throw new AuthError('no_login_redirect_url', 'Give login_redirect_url or set a default for the project.');
  if (!redirectUrl(loginUrl)) throw new AuthError('invalid_login_redirect_url', 'login_redirect_url must be an absolute http(s) URL.');
  // The email links to these URLs with a live token: only to places the project lists.
  if (!redirectUrlAllowed(project, resetUrl)) throw new AuthError('no_match_for_provided_magic_link_url', notAllowed('reset_password_redirect_url', resetUrl));
  if (!redirectUrlAllowed(project, loginUrl)) throw new AuthError('no_match_for_provided_magic_link_url', notAllowed('login_redirect_url', loginUrl));
  const expirationMinutes = input.resetPasswordExpirationMinutes ?? DEFAULT_EXPIRATION_MINUTES;
  if (!Number.isInteger(expirationMinutes) || expirationMinutes < MIN_EXPIRATION_MINUTES || expirationMinutes > MAX_EXPIRATION_MINUTES) {
    throw new AuthError('invalid_expiration', `reset_password_expiration_minutes must be an integer from ${MIN_EXPIRATION_MINUTES} to ${MAX_EXPIRATION_MINUTES}.`);
  }
  if (input.codeChallenge !== undefined && !CHALLENGE.test(input.codeChallenge)) {
    throw new AuthError('invalid_pkce_code_challenge', 'code_challenge must be the base64url SHA-256 of the code verifier.');
  }
  if (input.locale !== undefined && !LOCALE.test(input.locale)) throw new AuthError('invalid_locale', 'locale must be a language tag such as en, es, fr or pt-br.');
  if (input.resetPasswordTemplateId !== undefined) {
    throw new AuthError('email_template_not_found', 'Postern has no custom email templates; omit reset_password_template_id.');
  }
  return { resetUrl, loginUrl, expirationMinutes, codeChallenge: input.codeChallenge ?? null, locale: input.locale?.toLowerCase() };
}

/** Checks a PKCE verifier against the challenge recorded at start (S256), in constant time. */
export function checkPkce(challenge: string | null, verifier: string | undefined): void {
  if (challenge === null) {
    if (verifier !== undefined) throw new AuthError('pkce_did_not_expect_code_verifier', 'This reset was started without a code_challenge.');
    return;
  }
  if (verifier === undefined) throw new AuthError('pkce_expected_code_verifier', 'This reset was started with a code_challenge; give its code_verifier.');
  if (!VERIFIER.test(verifier)) throw new AuthError('invalid_pkce_code_verifier', 'code_verifier must be 43 to 128 unreserved characters.');
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  if (computed.length !== expected.length || !timingSafeEqual(computed, expected)) {
    throw new AuthError('pkce_mismatch', 'The code_verifier does not match the code_challenge.');
  }
}
