import type { ResetPasswordStrings } from './strings.js';

export const en: ResetPasswordStrings = {
  lang: 'en',
  subject: 'Reset your password',
  intro: 'We received a request to reset the password for {email}.',
  resetLead: 'To choose a new password, use this link:',
  resetButton: 'Reset password',
  copyLink: 'If the button does not work, copy this address into your browser:',
  expiry: 'The link can be used only once and expires in {duration}.',
  loginLead: 'Remembered your password? You can log in as usual:',
  loginButton: 'Log in',
  ignore: 'If you did not ask for this, you can ignore this email. Your password will not change.',
  units: { minute: ['minute', 'minutes'], hour: ['hour', 'hours'], day: ['day', 'days'] },
};
