/**
 * An authentication attempt as the audit trail keeps it: who (project, user if known), where
 * (route, client address), what came of it, and the request id the caller was answered with.
 * Never a password, token, secret or email address.
 */
export interface AuthEvent {
  id: string;
  projectId: string;
  /** The user the attempt concerned, when the server could tell; null otherwise. */
  userId: string | null;
  /** The route pattern, e.g. `/v1/passwords/authenticate`. */
  route: string;
  /** `success`, or the Stytch `error_type` of the failure (e.g. `unauthorized_credentials`). */
  outcome: string;
  /** The connection's address (the caller is usually the customer's backend). */
  clientAddress: string;
  /** The `request_id` of the response. */
  requestId: string;
  /** When the attempt was answered, ms since the epoch. */
  createdAt: number;
}

/** A listing: newest first, at most `limit`, optionally narrowed. */
export interface AuthEventQuery {
  projectId?: string | undefined;
  userId?: string | undefined;
  outcome?: string | undefined;
  limit: number;
}
