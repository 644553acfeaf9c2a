/** Reset-password strings by Stytch `locale` value. Add a language here and in its own file. */
import { en } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { ptBr } from './pt-br.js';
import type { ResetPasswordStrings } from './strings.js';

export type { ResetPasswordStrings } from './strings.js';

export const RESET_PASSWORD_STRINGS = {
  en,
  es,
  fr,
  'pt-br': ptBr,
} as const satisfies Record<string, ResetPasswordStrings>;
