import type { Clock } from '../clock.js';
import { NO_METRICS, type MetricsSink } from '../metrics/sink.js';
import { AuthError } from '../errors.js';
import type { Project } from '../projects/project.js';
import { newId } from '../random.js';
import type { Store } from '../storage/store.js';
import { applyCustomClaims } from './claims.js';
import { mintSessionJwt, peekKid, verifySessionJwt } from './jwt.js';
import { isAlive, type AuthenticationFactor, type Session } from './session.js';
import type { SigningKeys } from './signing-keys.js';
import { assertTokenShape, digestToken, newSessionToken } from './tokens.js';

export const MIN_DURATION_MINUTES = 5;
export const MAX_DURATION_MINUTES = 527040; // 366 days
const MINUTE = 60_000;
/** Compare-and-set rounds one session update may lose to concurrent updates before giving up. */
const MAX_SAVE_ATTEMPTS = 100;

/** What an authenticate or reset call may say about sessions. */
export interface SessionRequest {
  sessionToken?: string | undefined;
  sessionJwt?: string | undefined;
  durationMinutes?: number | undefined;
  customClaims?: Record<string, unknown> | undefined;
}

/** A live session with the token the caller holds ("" when it presented only a JWT). */
export interface HeldSession {
  session: Session;
  token: string;
}

export interface IssuedSession extends HeldSession {
  jwt: string;
}

export type FactorKind = Pick<AuthenticationFactor, 'type' | 'deliveryMethod' | 'emailFactor'>;

export const PASSWORD_FACTOR: FactorKind = { type: 'password', deliveryMethod: 'knowledge' };

/** Every session carries Stytch's predefined consumer role plus the user's assigned roles. */
export function sessionRoles(userRoles: string[]): string[] {
  return ['stytch_user', ...userRoles.filter((r) => r !== 'stytch_user')];
}

export class SessionService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly keys: SigningKeys,
    private readonly metrics: MetricsSink = NO_METRICS,
  ) {}

  /** Input rules shared by every call that takes session fields; run before any work. */
  validate(req: SessionRequest): void {
    if (req.durationMinutes !== undefined) {
      const n = req.durationMinutes;
      if (!Number.isInteger(n) || n < MIN_DURATION_MINUTES || n > MAX_DURATION_MINUTES) {
        throw new AuthError(
          'invalid_session_duration_minutes',
          `session_duration_minutes must be an integer from ${MIN_DURATION_MINUTES} to ${MAX_DURATION_MINUTES}.`,
        );
      }
    }
    if (req.sessionToken !== undefined && req.sessionJwt !== undefined) {
      throw new AuthError('too_many_session_arguments', 'Provide either session_token or session_jwt, not both.');
    }
    if (req.sessionToken !== undefined) assertTokenShape(req.sessionToken);
    // Checked now so that a call that would fail on its claims does no hashing work.
    if (req.customClaims !== undefined) applyCustomClaims({}, req.customClaims);
  }

  /** The live session named by a token or a JWT (whose `exp` may have passed). */
  async resolve(project: Project, ref: { sessionToken?: string | undefined; sessionJwt?: string | undefined }): Promise<HeldSession> {
    const now = this.clock.now();
    let session: Session | null;
    let token = '';
    if (ref.sessionToken !== undefined) {
      assertTokenShape(ref.sessionToken);
      session = await this.store.getSessionByTokenHash(project.id, digestToken(ref.sessionToken));
      token = ref.sessionToken;
    } else if (ref.sessionJwt !== undefined) {
      const publicKeys = await this.keys.publicKeys(project.id, peekKid(ref.sessionJwt));
      const verified = await verifySessionJwt(ref.sessionJwt, project.id, publicKeys, now);
      session = await this.store.getSessionById(project.id, verified.sessionId);
    } else {
      throw new AuthError('no_session_arguments', 'Provide session_token or session_jwt.');
    }
    if (!session || !isAlive(session, now)) throw new AuthError('session_not_found');
    return { session, token };
  }

  /**
   * Resolves the session a caller passed into an authenticate or reset call, if any; it must
   * belong to `userId`.
   */
  async resolvePassed(project: Project, userId: string, req: SessionRequest): Promise<HeldSession | null> {
    if (req.sessionToken === undefined && req.sessionJwt === undefined) return null;
    const held = await this.resolve(project, req);
    if (held.session.userId !== userId) {
      throw new AuthError('user_id_mismatch', 'The session belongs to a different user.');
    }
    return held;
  }

  /**
   * Inside the caller's transaction: records `factor` on the passed session (extending it when
   * a duration is given), or starts a new session when a duration is given, or does nothing.
   */
  async startOrExtend(
    tx: Store,
    project: Project,
    userId: string,
    passed: HeldSession | null,
    req: SessionRequest,
    factor: FactorKind | null,
  ): Promise<HeldSession | null> {
    const now = this.clock.now();
    if (passed) {
      const session = await this.save(tx, passed.session, (s, at) => this.touch(s, at, req, factor));
      return { session, token: passed.token };
    }
    if (req.durationMinutes === undefined) return null;
    const token = newSessionToken();
    const session: Session = {
      id: newId('session', project.environment),
      projectId: project.id,
      userId,
      startedAt: now,
      lastAccessedAt: now,
      expiresAt: now + req.durationMinutes * MINUTE,
      revokedAt: null,
      attributes: { ipAddress: '', userAgent: '' },
      customClaims: applyCustomClaims({}, req.customClaims),
      factors: factor ? [newFactor(factor, now)] : [],
    };
    await tx.insertSession(session, digestToken(token));
    this.metrics.sessionStarted();
    return { session, token };
  }

  /** Signs a fresh 5-minute JWT for a session. */
  async issue(project: Project, userRoles: string[], held: HeldSession): Promise<IssuedSession> {
    const key = await this.keys.current(project);
    const jwt = await mintSessionJwt(key, {
      projectId: project.id,
      session: held.session,
      roles: sessionRoles(userRoles),
      now: this.clock.now(),
    });
    return { ...held, jwt };
  }

  /**
   * POST /v1/sessions/authenticate: checks the session, optionally extends it and merges claims.
   * `authorize`, when given, runs on the live session before anything is written: when it
   * throws, the session is left exactly as it was.
   */
  async authenticate(project: Project, req: SessionRequest, authorize?: (session: Session) => Promise<void>): Promise<HeldSession> {
    this.validate(req);
    const held = await this.resolve(project, req);
    if (authorize) await authorize(held.session);
    // last_accessed_at is kept (and shown) at second precision: a plain check within the second
    // of the stored value would write back what is already there, so it writes nothing. A
    // revocation is still seen at once, since the session was just read.
    const now = this.clock.now();
    const unchanged = req.durationMinutes === undefined && req.customClaims === undefined && sameSecond(held.session.lastAccessedAt, now);
    const session = unchanged ? this.touch(held.session, now, req, null) : await this.save(this.store, held.session, (s, at) => this.touch(s, at, req, null));
    return { session, token: held.token };
  }

  async listActive(project: Project, userId: string): Promise<Session[]> {
    return this.store.listActiveSessions(project.id, userId, this.clock.now());
  }

  /** Revokes one session named by id, token or JWT. */
  async revoke(project: Project, ref: { sessionId?: string | undefined; sessionToken?: string | undefined; sessionJwt?: string | undefined }): Promise<void> {
    const given = [ref.sessionId, ref.sessionToken, ref.sessionJwt].filter((v) => v !== undefined).length;
    if (given === 0) throw new AuthError('no_session_revoke_arguments', 'Provide one of session_id, session_token or session_jwt.');
    if (given > 1) throw new AuthError('too_many_session_revoke_arguments', 'Provide only one of session_id, session_token or session_jwt.');
    const now = this.clock.now();
    let sessionId: string;
    if (ref.sessionId !== undefined) {
      sessionId = ref.sessionId;
    } else {
      sessionId = (await this.resolve(project, ref)).session.id;
    }
    if (!(await this.store.revokeSession(project.id, sessionId, now))) throw new AuthError('session_not_found');
  }

  /**
   * Writes `change(current)` over exactly the row it was computed from, and only while the
   * session is live. When another request touched the session first, re-reads it and applies
   * the change again, so concurrent extensions and claim merges are neither lost nor stepped
   * back; when it was revoked or expired meanwhile, fails with session_not_found, so a revoked
   * session is never extended and no authenticate succeeds after its revoke has committed.
   */
  private async save(store: Store, current: Session, change: (s: Session, now: number) => Session): Promise<Session> {
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.now();
      const next = change(current, now);
      if (await store.updateSession(next, current, now)) return next;
      const fresh = await store.getSessionById(current.projectId, current.id);
      if (!fresh || !isAlive(fresh, this.clock.now())) throw new AuthError('session_not_found');
      // Every lost round means another request's write went through; this many in a row means
      // a flood of writes to one session, which the caller may retry.
      if (attempt >= MAX_SAVE_ATTEMPTS) throw new AuthError('too_many_requests', 'Too many concurrent updates of this session; retry.');
      current = fresh;
    }
  }

  private touch(session: Session, now: number, req: SessionRequest, factor: FactorKind | null): Session {
    const factors = factor ? recordFactor(session.factors, factor, now) : session.factors;
    return {
      ...session,
      lastAccessedAt: now,
      expiresAt: req.durationMinutes === undefined ? session.expiresAt : now + req.durationMinutes * MINUTE,
      customClaims: applyCustomClaims(session.customClaims, req.customClaims),
      factors,
    };
  }
}

function sameSecond(a: number, b: number): boolean {
  return Math.floor(a / 1000) === Math.floor(b / 1000);
}

function newFactor(kind: FactorKind, now: number): AuthenticationFactor {
  return { ...kind, createdAt: now, lastAuthenticatedAt: now, updatedAt: now };
}

/** Refreshes the factor of the same kind, or appends a new one. */
function recordFactor(factors: AuthenticationFactor[], kind: FactorKind, now: number): AuthenticationFactor[] {
  const same = (f: AuthenticationFactor) => f.type === kind.type && f.deliveryMethod === kind.deliveryMethod;
  if (!factors.some(same)) return [...factors, newFactor(kind, now)];
  return factors.map((f) => (same(f) ? { ...f, ...kind, lastAuthenticatedAt: now, updatedAt: now } : f));
}
