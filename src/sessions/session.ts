export interface AuthenticationFactor {
  type: 'password' | 'magic_link';
  deliveryMethod: 'knowledge' | 'email';
  createdAt: number;
  lastAuthenticatedAt: number;
  updatedAt: number;
  emailFactor?: { emailId: string; emailAddress: string };
}

export interface Session {
  id: string;
  projectId: string;
  userId: string;
  startedAt: number;
  lastAccessedAt: number;
  expiresAt: number;
  revokedAt: number | null;
  attributes: { ipAddress: string; userAgent: string };
  customClaims: Record<string, unknown>;
  factors: AuthenticationFactor[];
}

export function isAlive(session: Session, now: number): boolean {
  return session.revokedAt === null && session.expiresAt > now;
}
