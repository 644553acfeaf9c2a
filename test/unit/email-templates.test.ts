import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SUPPORTED_LOCALES, isSupportedLocale, renderResetPasswordEmail } from '../../src/email/reset-password.js';
import { RESET_PASSWORD_STRINGS } from '../../src/email/templates/index.js';

const RESET_URL = 'https://app.example.com/reset?stytch_token_type=reset_password&token=abc';
const LOGIN_URL = 'https://app.example.com/login';

function render(locale: string | undefined, overrides: Partial<Parameters<typeof renderResetPasswordEmail>[0]> = {}) {
  return renderResetPasswordEmail({ locale, resetUrl: RESET_URL, loginUrl: LOGIN_URL, expiresInMinutes: 30, email: 'ada@example.com', ...overrides });
}

describe('reset-password email', () => {
  const subjects: Record<string, string> = {
    en: 'Reset your password',
    es: 'Restablece tu contraseña',
    fr: 'Réinitialisez votre mot de passe',
    'pt-br': 'Redefina sua senha',
  };

  it('supports exactly the Stytch locales', () => {
    assert.deepEqual([...SUPPORTED_LOCALES], ['en', 'es', 'fr', 'pt-br']);
    for (const l of SUPPORTED_LOCALES) assert.ok(isSupportedLocale(l));
    for (const l of ['de', 'EN', 'pt', 'pt-BR', '', undefined, null, 3]) assert.equal(isSupportedLocale(l), false, String(l));
  });

  for (const [locale, subject] of Object.entries(subjects)) {
    it(`renders ${locale} in its own language`, () => {
      const mail = render(locale);
      assert.equal(mail.subject, subject);
      assert.match(mail.html, new RegExp(`<html lang="${RESET_PASSWORD_STRINGS[locale as keyof typeof RESET_PASSWORD_STRINGS].lang}">`));
      assert.ok(mail.html.includes(`<title>${subject}</title>`));
      assert.ok(mail.text.includes(RESET_URL) && mail.text.includes(LOGIN_URL));
      assert.ok(mail.text.includes('ada@example.com'));
      assert.doesNotMatch(mail.text + mail.html, /\{\w+\}/, 'every placeholder is filled');
    });
  }

  it('falls back to English for an unknown or absent locale', () => {
    assert.equal(render('de').subject, subjects.en);
    assert.equal(render(undefined).subject, subjects.en);
    assert.notEqual(render('pt-br').subject, render('de').subject);
  });

  it('every locale defines every string', () => {
    const keys = Object.keys(RESET_PASSWORD_STRINGS.en).sort();
    for (const [locale, strings] of Object.entries(RESET_PASSWORD_STRINGS)) {
      assert.deepEqual(Object.keys(strings).sort(), keys, locale);
      for (const [k, v] of Object.entries(strings)) if (typeof v === 'string') assert.ok(v.length > 0, `${locale}.${k}`);
    }
  });

  it('puts the raw URLs in the text body and escaped ones in the HTML attributes', () => {
    const { text, html } = render('en');
    assert.ok(text.includes(RESET_URL));
    assert.ok(html.includes('href="https://app.example.com/reset?stytch_token_type=reset_password&amp;token=abc"'));
    assert.ok(!html.includes('reset_password&token'), 'no bare & in the HTML');
    assert.ok(html.includes(`href="${LOGIN_URL}"`));
  });

  it('escapes every interpolated value in the HTML', () => {
    const hostile = `https://x.example/r?a="><script>alert('x')</script>&token=abc`;
    const { text, html } = render('fr', { resetUrl: hostile, loginUrl: `https://x.example/l?next="'<b>`, email: `o'neil<b>@example.org` });
    assert.ok(text.includes(hostile), 'text is not escaped');
    assert.ok(!html.includes('<script>') && !html.includes('<b>'));
    assert.ok(html.includes('href="https://x.example/r?a=&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;token=abc"'));
    assert.ok(html.includes('href="https://x.example/l?next=&quot;&#39;&lt;b&gt;"'));
    assert.ok(html.includes('o&#39;neil&lt;b&gt;@example.org'));
    // French apostrophes in the strings themselves survive as text.
    assert.ok(html.includes('qu’une seule fois'));
  });

  it('leaves braces in a value alone', () => {
    assert.ok(render('en', { email: '{duration}@example.com' }).text.includes('{duration}@example.com'));
  });

  it('says how long the link lives in the largest whole unit', () => {
    const cases: [string, number, string][] = [
      ['en', 30, '30 minutes'],
      ['en', 90, '90 minutes'],
      ['en', 60, '1 hour'],
      ['en', 1440, '1 day'],
      ['en', 10080, '7 days'],
      ['es', 120, '2 horas'],
      ['fr', 5, '5 minutes'],
      ['pt-br', 2880, '2 dias'],
    ];
    for (const [locale, minutes, expected] of cases) {
      assert.ok(render(locale, { expiresInMinutes: minutes }).text.includes(` ${expected}.`), `${locale} ${minutes}`);
    }
    assert.throws(() => render('en', { expiresInMinutes: 0 }), RangeError);
  });

  it('has no remote resources or scripts', () => {
    const { html } = render('es');
    assert.doesNotMatch(html, /<(img|script|link|style|iframe)\b/i);
    assert.doesNotMatch(html, /src=/i);
  });
});
