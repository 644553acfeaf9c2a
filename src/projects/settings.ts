/**
 * The settings a project owner may change (`postern project set ID key=value …`), by their
 * Stytch names, with Stytch's ranges. One table drives parsing, validation and display.
 */
import type { ProjectSettings } from './project.js';

type Key = keyof ProjectSettings;

interface Rule {
  key: Key;
  describe: string;
  parse(raw: string): ProjectSettings[Key] | null;
}

function integer(min: number, max: number) {
  return (raw: string): number | null => {
    const n = Number(raw);
    return /^-?\d+$/.test(raw.trim()) && n >= min && n <= max ? n : null;
  };
}

function boolean(raw: string): boolean | null {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === 'on' || v === '1') return true;
  if (v === 'false' || v === 'off' || v === '0') return false;
  return null;
}

/** An absolute http(s) URL, or "" to clear the setting. */
export function redirectUrl(raw: string): string | null {
  if (raw === '') return '';
  try {
    const url = new URL(raw);
    return (url.protocol === 'https:' || url.protocol === 'http:') && raw.length <= 2048 ? raw : null;
  } catch {
    return null;
  }
}

/** A browser origin, `scheme://host[:port]` (http or https, nothing after it), normalized; null if it is not one. */
export function origin(raw: string): string | null {
  try {
    const url = new URL(raw.trim());
    const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
    return (url.protocol === 'https:' || url.protocol === 'http:') && bare ? url.origin : null;
  } catch {
    return null;
  }
}

/** A comma-separated list, each entry parsed by `item` (normalized); "" is the empty list. */
function list(item: (raw: string) => string | null, max: number) {
  return (raw: string): string[] | null => {
    if (raw.trim() === '') return [];
    const out: string[] = [];
    for (const entry of raw.split(',')) {
      const parsed = item(entry.trim());
      if (parsed === null || parsed === '') return null;
      if (!out.includes(parsed)) out.push(parsed);
    }
    return out.length <= max ? out : null;
  };
}

export const SETTINGS: Record<string, Rule> = {
  password_strength_policy: {
    key: 'passwordStrengthPolicy',
    describe: 'zxcvbn or luds',
    parse: (raw) => (raw === 'zxcvbn' || raw === 'luds' ? raw : null),
  },
  luds_min_password_length: { key: 'ludsMinPasswordLength', describe: 'an integer from 8 to 32', parse: integer(8, 32) },
  luds_min_password_complexity: { key: 'ludsMinPasswordComplexity', describe: 'an integer from 1 to 4', parse: integer(1, 4) },
  check_breach_on_creation: { key: 'checkBreachOnCreation', describe: 'true or false', parse: boolean },
  check_breach_on_authentication: { key: 'checkBreachOnAuthentication', describe: 'true or false', parse: boolean },
  validate_on_authentication: { key: 'validateOnAuthentication', describe: 'true or false', parse: boolean },
  lock_threshold: { key: 'lockThreshold', describe: 'an integer from 1 to 100', parse: integer(1, 100) },
  lock_duration_minutes: { key: 'lockDurationMinutes', describe: 'an integer from 5 to 10080', parse: integer(5, 10080) },
  enumeration_protection: { key: 'enumerationProtection', describe: 'true or false', parse: boolean },
  reset_password_redirect_url: { key: 'resetPasswordRedirectUrl', describe: 'an http(s) URL, or empty to clear', parse: redirectUrl },
  login_redirect_url: { key: 'loginRedirectUrl', describe: 'an http(s) URL, or empty to clear', parse: redirectUrl },
  allowed_redirect_urls: {
    key: 'allowedRedirectUrls',
    describe: 'http(s) URLs separated by commas (at most 100), or empty to clear',
    parse: list((raw) => redirectUrl(raw), 100),
  },
  allowed_origins: {
    key: 'allowedOrigins',
    describe: 'origins such as https://app.example.com separated by commas (at most 100), or empty to clear',
    parse: list(origin, 100),
  },
  allow_localhost: { key: 'allowLocalhost', describe: 'true or false (test projects only)', parse: boolean },
};

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SettingsError';
  }
}

/** Applies `key=value` assignments to `current`; all problems are reported together. */
export function applyAssignments(current: ProjectSettings, assignments: string[]): ProjectSettings {
  const next: ProjectSettings = { ...current };
  const problems: string[] = [];
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const name = eq > 0 ? assignment.slice(0, eq) : assignment;
    const rule = SETTINGS[name];
    if (!rule) {
      problems.push(`unknown setting ${JSON.stringify(name)}; known: ${Object.keys(SETTINGS).join(', ')}`);
      continue;
    }
    const value = eq > 0 ? rule.parse(assignment.slice(eq + 1)) : null;
    if (value === null) {
      problems.push(`${name} must be ${rule.describe} (got ${JSON.stringify(eq > 0 ? assignment.slice(eq + 1) : '')})`);
      continue;
    }
    (next as unknown as Record<Key, unknown>)[rule.key] = value;
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return next;
}

/** The settings under their Stytch names, for display. */
export function settingsByName(settings: ProjectSettings): Record<string, string | number | boolean | string[]> {
  const out: Record<string, string | number | boolean | string[]> = {};
  for (const [name, rule] of Object.entries(SETTINGS)) out[name] = settings[rule.key];
  return out;
}
