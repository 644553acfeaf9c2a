/** The `locale` values Stytch documents for password-reset emails. */
import { RESET_PASSWORD_STRINGS } from './templates/index.js';

export type SupportedLocale = keyof typeof RESET_PASSWORD_STRINGS;

export const SUPPORTED_LOCALES: readonly SupportedLocale[] = Object.freeze(
  Object.keys(RESET_PASSWORD_STRINGS) as SupportedLocale[],
);

/** Exact match: Stytch spells them lowercase (`pt-br`). */
export function isSupportedLocale(locale: unknown): locale is SupportedLocale {
  return typeof locale === 'string' && Object.hasOwn(RESET_PASSWORD_STRINGS, locale);
}
