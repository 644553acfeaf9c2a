/** The password-reset email (Stytch §7.7), plain text and HTML, in the requested language. */
import { escapeHtml } from './html.js';
import { isSupportedLocale } from './locales.js';
import { RESET_PASSWORD_STRINGS, type ResetPasswordStrings } from './templates/index.js';

export { SUPPORTED_LOCALES, isSupportedLocale, type SupportedLocale } from './locales.js';

export interface ResetPasswordEmailInput {
  /** A Stytch locale; anything unsupported or absent renders English, as Stytch does. */
  locale: string | undefined;
  /** The reset redirect URL with `stytch_token_type` and `token` already in its query. */
  resetUrl: string;
  /** The login redirect URL as is: Postern has no magic link to put in it. */
  loginUrl: string;
  expiresInMinutes: number;
  email: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function renderResetPasswordEmail(input: ResetPasswordEmailInput): RenderedEmail {
  if (!Number.isInteger(input.expiresInMinutes) || input.expiresInMinutes < 1) {
    throw new RangeError('expiresInMinutes must be a positive integer');
  }
  const s = isSupportedLocale(input.locale) ? RESET_PASSWORD_STRINGS[input.locale] : RESET_PASSWORD_STRINGS.en;
  const values = { email: input.email, duration: duration(input.expiresInMinutes, s) };
  const t = (template: string) => fill(template, values);
  const text = [
    t(s.intro),
    '',
    t(s.resetLead),
    input.resetUrl,
    '',
    t(s.expiry),
    '',
    t(s.loginLead),
    input.loginUrl,
    '',
    t(s.ignore),
    '',
  ].join('\n');
  // Every interpolated value goes through escapeHtml, attributes included (an `&` in a URL
  // must be `&amp;` in an href). Inline styles and no remote resources: mail clients strip
  // <style> and block images, and nothing in a reset email should phone home.
  const h = (template: string) => escapeHtml(t(template));
  const resetUrl = escapeHtml(input.resetUrl);
  const loginUrl = escapeHtml(input.loginUrl);
  const p = 'margin:0 0 16px;font-size:15px;line-height:1.5;';
  const small = 'margin:0 0 16px;font-size:13px;line-height:1.5;color:#555;';
  const html = `<!DOCTYPE html>
<html lang="${escapeHtml(s.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(s.subject)}</title>
</head>
<body style="margin:0;padding:24px;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#1f2937;">
<div style="max-width:520px;margin:0 auto;padding:24px;background:#ffffff;border-radius:6px;">
<p style="${p}">${h(s.intro)}</p>
<p style="${p}">${h(s.resetLead)}</p>
<p style="${p}"><a href="${resetUrl}" style="display:inline-block;padding:10px 20px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold;">${h(s.resetButton)}</a></p>
<p style="${small}">${h(s.copyLink)}<br><span style="word-break:break-all;">${resetUrl}</span></p>
<p style="${p}">${h(s.expiry)}</p>
<p style="${p}">${h(s.loginLead)} <a href="${loginUrl}" style="color:#1d4ed8;">${h(s.loginButton)}</a></p>
<p style="${small}">${h(s.ignore)}</p>
</div>
</body>
</html>
`;
  return { subject: s.subject, text, html };
}

/** "30 minutes", "2 hours", "7 days": the largest unit that divides the lifetime exactly. */
function duration(minutes: number, s: ResetPasswordStrings): string {
  const [n, unit] =
    minutes % 1440 === 0 ? [minutes / 1440, s.units.day] : minutes % 60 === 0 ? [minutes / 60, s.units.hour] : [minutes, s.units.minute];
  return `${n} ${n === 1 ? unit[0] : unit[1]}`;
}

/** Replaces `{name}` placeholders in one pass, so a value containing braces is left alone. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
