import type { Environment } from '../random.js';

/** Per-project policy. Stytch's names and ranges; defaults in PROJECT_DEFAULTS. */
export interface ProjectSettings {
  /** Consecutive failed authentications that lock a user (Stytch: 1–100, default 10). */
  lockThreshold: number;
  /** How long a lock lasts, in minutes (Stytch: 5 minutes – 7 days, default 60). */
  lockDurationMinutes: number;
}

export const PROJECT_DEFAULTS: Readonly<ProjectSettings> = Object.freeze({
  lockThreshold: 10,
  lockDurationMinutes: 60,
});

export interface Project {
  id: string;
  environment: Environment;
  createdAt: number;
  settings: ProjectSettings;
}
