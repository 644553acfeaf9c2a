/**
 * The words of the reset-password email in one language. `{email}` and `{duration}` are
 * filled in when the email is rendered; everything else is shown as written (HTML-escaped).
 */
export interface ResetPasswordStrings {
  /** BCP 47 tag for `<html lang>`. */
  lang: string;
  subject: string;
  /** Uses `{email}`. */
  intro: string;
  resetLead: string;
  resetButton: string;
  /** Under the button in the HTML body, before the same link written out. */
  copyLink: string;
  /** Uses `{duration}`. */
  expiry: string;
  /** Leads to the login page: Postern has no passwordless login, so no promise of one. */
  loginLead: string;
  loginButton: string;
  ignore: string;
  /** Singular and plural, as in "1 hour", "2 hours". */
  units: { minute: [string, string]; hour: [string, string]; day: [string, string] };
}
