export interface Email {
  id: string;
  email: string;
  verified: boolean;
}

export interface PhoneNumber {
  id: string;
  /** E.164, e.g. +14155550123. */
  phoneNumber: string;
  verified: boolean;
}

export interface Name {
  firstName: string;
  middleName: string;
  lastName: string;
}

export interface UserLock {
  /** Consecutive failed authentications since the last success or lock. */
  failedAttempts: number;
  lockCreatedAt: number | null;
  lockExpiresAt: number | null;
}

export interface User {
  id: string;
  projectId: string;
  status: 'active' | 'pending';
  name: Name;
  emails: Email[];
  phoneNumbers: PhoneNumber[];
  trustedMetadata: Record<string, unknown>;
  untrustedMetadata: Record<string, unknown>;
  externalId: string | null;
  /** Explicitly assigned roles; `stytch_user` is added on the wire. */
  roles: string[];
  createdAt: number;
  password: { id: string; requiresReset: boolean } | null;
  lock: UserLock;
}

export function isLocked(lock: UserLock, now: number): boolean {
  return lock.lockExpiresAt !== null && lock.lockExpiresAt > now;
}
