import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { AuthEvent, AuthEventQuery } from '../../events/auth-event.js';
import type { Project, ProjectSettings } from '../../projects/project.js';
import type { RbacPolicy } from '../../rbac/policy.js';
import type { Session } from '../../sessions/session.js';
import type { User } from '../../users/user.js';
import type { Database, UsersTable } from '../schema.js';
import type { UserFilter, UserSearchQuery } from '../../users/search.js';
import type { InsertUserResult, NewUserRecord, ProjectSecretRecord, PublicTokenRecord, ResetTokenRecord, SigningKeyRecord, Store, StoredPassword, UserChanges } from '../store.js';
import { prepared } from './prepared.js';
import { parseJson, projectFromRow, sessionFromRow, userFromRows } from './rows.js';

const AUTH_EVENT_ROWS_PER_INSERT = 500;

export class KyselyStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onClose: () => Promise<void> = () => db.destroy(),
    /** A dialect's own reachability check for `ping`, beyond the round trip (see open.ts). */
    private readonly checkPresent: () => Promise<void> = () => Promise.resolve(),
  ) {}

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx: Transaction<Database>) => fn(new KyselyStore(trx, () => Promise.resolve())));
  }

  close(): Promise<void> {
    return this.onClose();
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
    await this.checkPresent();
  }

  // ---- projects

  async insertProject(project: Project, secret: ProjectSecretRecord): Promise<void> {
    await this.transaction(async (tx) => {
      await (tx as KyselyStore).db
        .insertInto('projects')
        .values({
          id: project.id,
          environment: project.environment,
          settings: JSON.stringify(project.settings),
          created_at: project.createdAt,
        })
        .execute();
      await tx.insertProjectSecret(project.id, secret);
    });
  }

  async getProjectWithSecretHashes(projectId: string): Promise<{ project: Project; secretHashes: string[] } | null> {
    // One round trip: the project row once per secret (every project has at least one).
    const rows = await this.db
      .selectFrom('projects')
      .innerJoin('project_secrets', 'project_secrets.project_id', 'projects.id')
      .select(['projects.id', 'projects.environment', 'projects.settings', 'projects.created_at', 'project_secrets.secret_hash'])
      .where('projects.id', '=', projectId)
      .execute();
    return rows[0] ? { project: projectFromRow(rows[0]), secretHashes: rows.map((r) => r.secret_hash) } : null;
  }

  async listProjectSecrets(projectId: string): Promise<Array<{ id: string; createdAt: number }>> {
    const rows = await this.db.selectFrom('project_secrets').select(['id', 'created_at']).where('project_id', '=', projectId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, createdAt: Number(r.created_at) }));
  }

  async insertProjectSecret(projectId: string, secret: ProjectSecretRecord): Promise<void> {
    await this.db.insertInto('project_secrets').values({ id: secret.id, project_id: projectId, secret_hash: secret.hash, created_at: secret.createdAt }).execute();
  }

  async deleteProjectSecret(projectId: string, secretId: string): Promise<'deleted' | 'not_found' | 'last'> {
    return this.transaction(async (tx) => {
      const db = (tx as KyselyStore).db;
      // Writing the project row first serializes deletes of one project's secrets on both
      // dialects, so two concurrent deletes can never remove the last two.
      const locked = await db.updateTable('projects').set((eb) => ({ created_at: eb.ref('created_at') })).where('id', '=', projectId).executeTakeFirst();
      if (Number(locked.numUpdatedRows) === 0) return 'not_found';
      const secrets = await db.selectFrom('project_secrets').select('id').where('project_id', '=', projectId).execute();
      if (!secrets.some((s) => s.id === secretId)) return 'not_found';
      if (secrets.length === 1) return 'last';
      await db.deleteFrom('project_secrets').where('project_id', '=', projectId).where('id', '=', secretId).execute();
      return 'deleted';
    });
  }

  async countProjects(): Promise<number> {
    const row = await this.db.selectFrom('projects').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listProjects(): Promise<Project[]> {
    const rows = await this.db.selectFrom('projects').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(projectFromRow);
  }

  async insertPublicToken(projectId: string, token: PublicTokenRecord): Promise<void> {
    await this.db.insertInto('public_tokens').values({ token: token.token, project_id: projectId, created_at: token.createdAt }).execute();
  }

  async getProjectByPublicToken(token: string): Promise<Project | null> {
    const row = await this.db
      .selectFrom('public_tokens')
      .innerJoin('projects', 'projects.id', 'public_tokens.project_id')
      .select(['projects.id', 'projects.environment', 'projects.settings', 'projects.created_at'])
      .where('public_tokens.token', '=', token)
      .executeTakeFirst();
    return row ? projectFromRow(row) : null;
  }

  async listPublicTokens(projectId: string): Promise<PublicTokenRecord[]> {
    const rows = await this.db.selectFrom('public_tokens').select(['token', 'created_at']).where('project_id', '=', projectId).orderBy('created_at').orderBy('token').execute();
    return rows.map((r) => ({ token: r.token, createdAt: Number(r.created_at) }));
  }

  async deletePublicToken(projectId: string, token: string): Promise<'deleted' | 'not_found' | 'last'> {
    return this.transaction(async (tx) => {
      const db = (tx as KyselyStore).db;
      // As for secrets: writing the project row first serializes concurrent deletes.
      const locked = await db.updateTable('projects').set((eb) => ({ created_at: eb.ref('created_at') })).where('id', '=', projectId).executeTakeFirst();
      if (Number(locked.numUpdatedRows) === 0) return 'not_found';
      const tokens = await db.selectFrom('public_tokens').select('token').where('project_id', '=', projectId).execute();
      if (!tokens.some((t) => t.token === token)) return 'not_found';
      if (tokens.length === 1) return 'last';
      await db.deleteFrom('public_tokens').where('project_id', '=', projectId).where('token', '=', token).execute();
      return 'deleted';
    });
  }

  async updateProjectSettings(projectId: string, settings: ProjectSettings): Promise<void> {
    await this.db.updateTable('projects').set({ settings: JSON.stringify(settings) }).where('id', '=', projectId).execute();
  }

  // ---- RBAC policy

  async getRbacPolicy(projectId: string): Promise<RbacPolicy | null> {
    const row = await this.db.selectFrom('rbac_policies').select('policy').where('project_id', '=', projectId).executeTakeFirst();
    return row ? parseJson<RbacPolicy>(row.policy) : null;
  }

  async setRbacPolicy(projectId: string, policy: RbacPolicy, now: number): Promise<boolean> {
    const project = await this.db.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
    if (!project) return false;
    const text = JSON.stringify(policy);
    await this.db
      .insertInto('rbac_policies')
      .values({ project_id: projectId, policy: text, updated_at: now })
      .onConflict((oc) => oc.column('project_id').doUpdateSet({ policy: text, updated_at: now }))
      .execute();
    return true;
  }

  // ---- signing keys

  async listSigningKeys(projectId: string): Promise<SigningKeyRecord[]> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at', 'asc')
      .orderBy('kid', 'asc')
      .execute();
    return rows.map((r) => ({
      kid: r.kid,
      projectId: r.project_id,
      privateKey: r.private_key,
      publicJwk: parseJson(r.public_jwk),
      createdAt: Number(r.created_at),
      retiredAt: r.retired_at === null ? null : Number(r.retired_at),
    }));
  }

  async insertSigningKey(key: SigningKeyRecord): Promise<void> {
    await this.db
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        project_id: key.projectId,
        private_key: key.privateKey,
        public_jwk: JSON.stringify(key.publicJwk),
        created_at: key.createdAt,
        retired_at: key.retiredAt,
      })
      .execute();
  }

  async retireSigningKeys(projectId: string, at: number, exceptKid: string): Promise<void> {
    await this.db
      .updateTable('signing_keys')
      .set({ retired_at: at })
      .where('project_id', '=', projectId)
      .where('kid', '!=', exceptKid)
      .where('retired_at', 'is', null)
      .execute();
  }

  // ---- users

  async insertUser(user: NewUserRecord): Promise<InsertUserResult> {
    return this.transaction(async (tx) => {
      const result = await (tx as KyselyStore).insertUserIn(user);
      // Undo the rows written before the conflict; the caller's own writes stay.
      if (result !== 'inserted') await (tx as KyselyStore).db.deleteFrom('users').where('id', '=', user.id).execute();
      return result;
    });
  }

  // ON CONFLICT rather than catching violations: in PostgreSQL a failed statement aborts the
  // whole surrounding transaction, and the caller's other writes with it.
  private async insertUserIn(user: NewUserRecord): Promise<InsertUserResult> {
    const inserted = await this.db
      .insertInto('users')
      .values({
        id: user.id,
        project_id: user.projectId,
        status: user.status,
        first_name: user.name.firstName,
        middle_name: user.name.middleName,
        last_name: user.name.lastName,
        trusted_metadata: JSON.stringify(user.trustedMetadata),
        untrusted_metadata: JSON.stringify(user.untrustedMetadata),
        external_id: user.externalId,
        roles: JSON.stringify(user.roles),
        created_at: user.createdAt,
        lock_created_at: null,
        lock_expires_at: null,
      })
      .onConflict((oc) => oc.columns(['project_id', 'external_id']).doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows === 0n) return 'external_id_taken';
    if (user.email) {
      const email = await this.db
        .insertInto('emails')
        .values({
          id: user.email.id,
          project_id: user.projectId,
          user_id: user.id,
          email: user.email.email,
          verified: user.email.verified ? 1 : 0,
          created_at: user.createdAt,
        })
        .onConflict((oc) => oc.columns(['project_id', 'email']).doNothing())
        .executeTakeFirst();
      if (email.numInsertedOrUpdatedRows === 0n) return 'email_taken';
    }
    if (user.phone) {
      const phone = await this.db
        .insertInto('phone_numbers')
        .values({
          id: user.phone.id,
          project_id: user.projectId,
          user_id: user.id,
          phone_number: user.phone.phoneNumber,
          verified: user.phone.verified ? 1 : 0,
          created_at: user.createdAt,
        })
        .onConflict((oc) => oc.columns(['project_id', 'phone_number']).doNothing())
        .executeTakeFirst();
      if (phone.numInsertedOrUpdatedRows === 0n) return 'phone_taken';
    }
    return 'inserted';
  }

  async getUser(projectId: string, userId: string): Promise<User | null> {
    const row = await Q.userById.first(this.db, projectId, userId);
    if (!row) return null;
    const [user] = await this.hydrate([row]);
    return user ?? null;
  }

  /** Users with their emails and password flags: two queries for any number of users. */
  private async hydrate(rows: Selectable<UsersTable>[]): Promise<User[]> {
    if (rows.length === 0) return [];
    if (rows.length === 1) {
      // The hot path (one user per login, session or lookup): the same three queries, prepared.
      const row = rows[0]!;
      const [emails, phones, passwords] = await Promise.all([
        Q.userEmails.rows(this.db, row.id),
        Q.userPhones.rows(this.db, row.id),
        Q.userPasswordFlags.rows(this.db, row.id),
      ]);
      return [userFromRows(row, emails, phones, passwords[0])];
    }
    const ids = rows.map((r) => r.id);
    const [emails, phones, passwords] = await Promise.all([
      this.db.selectFrom('emails').selectAll().where('user_id', 'in', ids).orderBy('created_at').orderBy('id').execute(),
      this.db.selectFrom('phone_numbers').selectAll().where('user_id', 'in', ids).orderBy('created_at').orderBy('id').execute(),
      this.db.selectFrom('passwords').select(['id', 'user_id', 'requires_reset']).where('user_id', 'in', ids).execute(),
    ]);
    return rows.map((row) =>
      userFromRows(
        row,
        emails.filter((e) => e.user_id === row.id),
        phones.filter((p) => p.user_id === row.id),
        passwords.find((p) => p.user_id === row.id),
      ),
    );
  }

  async searchUsers(projectId: string, query: UserSearchQuery): Promise<{ users: User[]; total: number }> {
    const matching = (eb: ExpressionBuilder<Database, 'users'>) => {
      const conditions = query.filters.map((f) => filterCondition(eb, f));
      if (conditions.length === 0) return sql<boolean>`1 = 1`;
      return query.operator === 'AND' ? eb.and(conditions) : eb.or(conditions);
    };
    let page = this.db.selectFrom('users').selectAll().where('project_id', '=', projectId).where(matching);
    const after = query.after;
    if (after) {
      page = page.where((eb) =>
        eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]),
      );
    }
    const [rows, count] = await Promise.all([
      page.orderBy('created_at').orderBy('id').limit(query.limit).execute(),
      this.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('project_id', '=', projectId)
        .where(matching)
        .executeTakeFirstOrThrow(),
    ]);
    return { users: await this.hydrate(rows), total: Number(count.n) };
  }

  async getUserByEmail(projectId: string, email: string): Promise<User | null> {
    // One statement for the user row (the email's row names it), then hydrate.
    const row = await Q.userByEmail.first(this.db, projectId, email);
    if (!row) return null;
    const [user] = await this.hydrate([row]);
    return user ?? null;
  }

  async deleteUser(projectId: string, userId: string): Promise<boolean> {
    return this.transaction(async (tx) => {
      const db = (tx as KyselyStore).db;
      await db.deleteFrom('sessions').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
      await db.deleteFrom('password_reset_tokens').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
      await db.deleteFrom('passwords').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
      await db.deleteFrom('emails').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
      await db.deleteFrom('phone_numbers').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
      const res = await db.deleteFrom('users').where('project_id', '=', projectId).where('id', '=', userId).executeTakeFirst();
      return res.numDeletedRows > 0n;
    });
  }

  async recordFailedAttempt(projectId: string, userId: string, now: number, threshold: number, lockMs: number): Promise<boolean> {
    // One statement per step, each atomic on its row, so concurrent failures are never lost;
    // the lock is set only where none is, so one attempt alone sees it set.
    await Q.countFailedAttempt.execute(this.db, projectId, userId, now);
    return (await Q.lockAtThreshold.affected(this.db, projectId, userId, now, now + lockMs, threshold)) > 0n;
  }

  async activateUser(projectId: string, userId: string): Promise<void> {
    await Q.activateUser.execute(this.db, projectId, userId);
  }

  async clearFailedAttempts(projectId: string, userId: string): Promise<void> {
    await Q.clearFailedAttempts.execute(this.db, projectId, userId);
  }

  // ---- users API

  async getUserByExternalId(projectId: string, externalId: string): Promise<User | null> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    if (!row) return null;
    const [user] = await this.hydrate([row]);
    return user ?? null;
  }

  async getUserForUpdate(projectId: string, userId: string): Promise<User | null> {
    // A no-op write takes the row lock in both dialects (SQLite: the database write lock);
    // PostgreSQL's READ COMMITTED then reads the latest committed row in the next statement.
    const locked = await this.db
      .updateTable('users')
      .set({ status: sql<string>`status` })
      .where('project_id', '=', projectId)
      .where('id', '=', userId)
      .executeTakeFirst();
    if (locked.numUpdatedRows === 0n) return null;
    return this.getUser(projectId, userId);
  }

  async updateUser(projectId: string, userId: string, changes: UserChanges): Promise<'updated' | 'not_found' | 'external_id_taken'> {
    const set: Updateable<UsersTable> = {};
    if (changes.name) {
      set.first_name = changes.name.firstName;
      set.middle_name = changes.name.middleName;
      set.last_name = changes.name.lastName;
    }
    if (changes.trustedMetadata) set.trusted_metadata = JSON.stringify(changes.trustedMetadata);
    if (changes.untrustedMetadata) set.untrusted_metadata = JSON.stringify(changes.untrustedMetadata);
    if (changes.externalId !== undefined) set.external_id = changes.externalId;
    if (changes.roles) set.roles = JSON.stringify(changes.roles);
    if (Object.keys(set).length === 0) return (await this.getUser(projectId, userId)) ? 'updated' : 'not_found';
    if (changes.externalId) {
      const holder = await this.db
        .selectFrom('users')
        .select('id')
        .where('project_id', '=', projectId)
        .where('external_id', '=', changes.externalId)
        .where('id', '!=', userId)
        .executeTakeFirst();
      if (holder) return 'external_id_taken';
    }
    const update = () => this.db.updateTable('users').set(set).where('project_id', '=', projectId).where('id', '=', userId).executeTakeFirst();
    // The check above can lose a race to a concurrent update; the unique index decides then.
    // Inside a transaction a savepoint keeps the failed statement from aborting it (PostgreSQL).
    const guard = this.db.isTransaction && typeof changes.externalId === 'string';
    if (guard) await sql`savepoint postern_update_user`.execute(this.db);
    try {
      const res = await update();
      if (guard) await sql`release savepoint postern_update_user`.execute(this.db);
      return res.numUpdatedRows > 0n ? 'updated' : 'not_found';
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (guard) await sql`rollback to savepoint postern_update_user`.execute(this.db);
      return 'external_id_taken';
    }
  }

  async deletePassword(projectId: string, passwordId: string): Promise<string | null> {
    const row = await this.db
      .deleteFrom('passwords')
      .where('project_id', '=', projectId)
      .where('id', '=', passwordId)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id ?? null;
  }

  async deleteEmail(projectId: string, emailId: string): Promise<string | null> {
    const row = await this.db
      .deleteFrom('emails')
      .where('project_id', '=', projectId)
      .where('id', '=', emailId)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id ?? null;
  }

  async deletePhoneNumber(projectId: string, phoneId: string): Promise<string | null> {
    const row = await this.db
      .deleteFrom('phone_numbers')
      .where('project_id', '=', projectId)
      .where('id', '=', phoneId)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id ?? null;
  }

  // ---- passwords

  async getPassword(projectId: string, userId: string): Promise<StoredPassword | null> {
    const row = await Q.password.first(this.db, projectId, userId);
    return row ? { id: row.id, userId: row.user_id, hash: row.hash, requiresReset: row.requires_reset === 1 } : null;
  }

  async insertPassword(projectId: string, password: StoredPassword, now: number): Promise<boolean> {
    const res = await this.db
      .insertInto('passwords')
      .values({
        id: password.id,
        project_id: projectId,
        user_id: password.userId,
        hash: password.hash,
        requires_reset: password.requiresReset ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .executeTakeFirst();
    return (res.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async markEmailVerified(projectId: string, emailId: string): Promise<void> {
    await this.db.updateTable('emails').set({ verified: 1 }).where('project_id', '=', projectId).where('id', '=', emailId).execute();
  }

  async replacePasswordHash(projectId: string, passwordId: string, expectedHash: string, newHash: string, now: number): Promise<boolean> {
    return (await Q.replacePasswordHash.affected(this.db, projectId, passwordId, expectedHash, newHash, now)) > 0n;
  }

  async markPasswordRequiresReset(projectId: string, passwordId: string): Promise<void> {
    await this.db
      .updateTable('passwords')
      .set({ requires_reset: 1 })
      .where('project_id', '=', projectId)
      .where('id', '=', passwordId)
      .execute();
  }

  async listPasswordHashes(afterId: string | null, limit: number): Promise<Array<{ id: string; hash: string }>> {
    let query = this.db.selectFrom('passwords').select(['id', 'hash']).orderBy('id').limit(limit);
    if (afterId !== null) query = query.where('id', '>', afterId);
    return query.execute();
  }

  // ---- rate limits

  async hitRateLimit(key: string, windowStart: number): Promise<number> {
    // One upsert: atomic in both dialects, so instances sharing the database share the count.
    const row = await Q.hitRateLimit.first(this.db, key, windowStart);
    if (row === undefined) throw new Error('rate limit upsert returned no row');
    return Number(row.count);
  }

  async pruneRateLimits(before: number): Promise<void> {
    await this.db.deleteFrom('rate_limit_counters').where('window_start', '<', before).execute();
  }

  // ---- authentication audit events

  async insertAuthEvents(events: AuthEvent[]): Promise<void> {
    // Multi-row inserts, well under SQLite's 32766 bound variables per statement.
    for (let i = 0; i < events.length; i += AUTH_EVENT_ROWS_PER_INSERT) {
      const rows = events.slice(i, i + AUTH_EVENT_ROWS_PER_INSERT).map((e) => ({
        id: e.id,
        project_id: e.projectId,
        user_id: e.userId,
        route: e.route,
        outcome: e.outcome,
        client_address: e.clientAddress,
        request_id: e.requestId,
        created_at: e.createdAt,
      }));
      await this.db.insertInto('auth_events').values(rows).execute();
    }
  }

  async listAuthEvents(query: AuthEventQuery): Promise<AuthEvent[]> {
    let q = this.db.selectFrom('auth_events').selectAll();
    if (query.projectId !== undefined) q = q.where('project_id', '=', query.projectId);
    if (query.userId !== undefined) q = q.where('user_id', '=', query.userId);
    if (query.outcome !== undefined) q = q.where('outcome', '=', query.outcome);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      projectId: r.project_id,
      userId: r.user_id,
      route: r.route,
      outcome: r.outcome,
      clientAddress: r.client_address,
      requestId: r.request_id,
      createdAt: Number(r.created_at),
    }));
  }

  async pruneAuthEvents(before: number): Promise<number> {
    const result = await this.db.deleteFrom('auth_events').where('created_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // ---- password reset tokens

  async insertResetToken(t: ResetTokenRecord, tokenHash: string): Promise<void> {
    await this.db
      .insertInto('password_reset_tokens')
      .values({
        id: t.id,
        project_id: t.projectId,
        user_id: t.userId,
        email_id: t.emailId,
        token_hash: tokenHash,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        used_at: t.usedAt,
        code_challenge: t.codeChallenge,
        ip_address: t.attributes.ipAddress,
        user_agent: t.attributes.userAgent,
      })
      .execute();
  }

  async getResetTokenByHash(projectId: string, tokenHash: string): Promise<ResetTokenRecord | null> {
    const r = await this.db
      .selectFrom('password_reset_tokens')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!r) return null;
    return {
      id: r.id,
      projectId: r.project_id,
      userId: r.user_id,
      emailId: r.email_id,
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
      usedAt: r.used_at === null ? null : Number(r.used_at),
      codeChallenge: r.code_challenge,
      attributes: { ipAddress: r.ip_address, userAgent: r.user_agent },
    };
  }

  async consumeResetToken(projectId: string, tokenId: string, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('password_reset_tokens')
      .set({ used_at: now })
      .where('project_id', '=', projectId)
      .where('id', '=', tokenId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }

  async deleteResetToken(projectId: string, tokenId: string): Promise<void> {
    await this.db.deleteFrom('password_reset_tokens').where('project_id', '=', projectId).where('id', '=', tokenId).execute();
  }

  async invalidateResetTokens(projectId: string, userId: string, now: number): Promise<void> {
    await Q.invalidateResetTokens.execute(this.db, projectId, userId, now);
  }

  // ---- sessions

  async insertSession(s: Session, tokenHash: string): Promise<void> {
    await Q.insertSession.execute(
      this.db,
      s.id,
      s.projectId,
      s.userId,
      tokenHash,
      s.startedAt,
      s.lastAccessedAt,
      s.expiresAt,
      s.revokedAt,
      s.attributes.ipAddress,
      s.attributes.userAgent,
      JSON.stringify(s.customClaims),
      JSON.stringify(s.factors),
    );
  }

  async getSessionByTokenHash(projectId: string, tokenHash: string): Promise<Session | null> {
    const row = await Q.sessionByTokenHash.first(this.db, projectId, tokenHash);
    return row ? sessionFromRow(row) : null;
  }

  async getSessionById(projectId: string, sessionId: string): Promise<Session | null> {
    const row = await Q.sessionById.first(this.db, projectId, sessionId);
    return row ? sessionFromRow(row) : null;
  }

  async updateSession(s: Session, expected: Session, now: number): Promise<boolean> {
    // One conditional statement, atomic in both dialects and across processes: a write computed
    // from a row another request has changed since, or from a session revoked meanwhile, is
    // refused instead of overwriting (the JSON columns are compared as the text written).
    const changed = await Q.updateSession.affected(
      this.db,
      s.projectId,
      s.id,
      now,
      s.lastAccessedAt,
      s.expiresAt,
      JSON.stringify(s.customClaims),
      JSON.stringify(s.factors),
      expected.lastAccessedAt,
      expected.expiresAt,
      JSON.stringify(expected.customClaims),
      JSON.stringify(expected.factors),
    );
    return changed > 0n;
  }

  async listActiveSessions(projectId: string, userId: string, now: number): Promise<Session[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('started_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(sessionFromRow);
  }

  async revokeSession(projectId: string, sessionId: string, now: number): Promise<boolean> {
    return (await Q.revokeSession.affected(this.db, projectId, sessionId, now)) > 0n;
  }

  async revokeUserSessions(projectId: string, userId: string, now: number, exceptSessionId?: string): Promise<void> {
    if (exceptSessionId === undefined) await Q.revokeUserSessions.execute(this.db, projectId, userId, now);
    else await Q.revokeUserSessionsExcept.execute(this.db, projectId, userId, now, exceptSessionId);
  }
}

/** `%value%` for LIKE, with the caller's own % and _ taken literally. */
function contains(value: string): string {
  return '%' + value.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

/** A unique index refused the write (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function filterCondition(eb: ExpressionBuilder<Database, 'users'>, f: UserFilter) {
  const email = () => eb.selectFrom('emails').select('emails.id').whereRef('emails.user_id', '=', 'users.id');
  const phone = () => eb.selectFrom('phone_numbers').select('phone_numbers.id').whereRef('phone_numbers.user_id', '=', 'users.id');
  switch (f.kind) {
    case 'phone_number':
      return eb.exists(phone().where('phone_numbers.phone_number', 'in', f.values));
    case 'phone_id':
      return eb.exists(phone().where('phone_numbers.id', 'in', f.values));
    case 'phone_verified':
      return eb.exists(phone().where('phone_numbers.verified', '=', f.value ? 1 : 0));
    case 'phone_number_fuzzy':
      return eb.exists(phone().where(sql<boolean>`phone_numbers.phone_number like ${contains(f.value)} escape '\\'`));
    case 'none':
      return sql<boolean>`1 = 0`;
    case 'user_id':
      return eb('users.id', 'in', f.values);
    case 'email_address':
      return eb.exists(email().where('emails.email', 'in', f.values));
    case 'email_id':
      return eb.exists(email().where('emails.id', 'in', f.values));
    case 'email_verified':
      return eb.exists(email().where('emails.verified', '=', f.value ? 1 : 0));
    case 'email_address_fuzzy':
      return eb.exists(email().where(sql<boolean>`emails.email like ${contains(f.value)} escape '\\'`));
    case 'full_name_fuzzy':
      // "First Middle Last" with single spaces, however many parts are empty.
      return sql<boolean>`lower(replace(trim(users.first_name || ' ' || users.middle_name || ' ' || users.last_name), '  ', ' ')) like ${contains(f.value)} escape '\\'`;
    case 'password_exists': {
      const has = eb.exists(eb.selectFrom('passwords').select('passwords.id').whereRef('passwords.user_id', '=', 'users.id'));
      return f.value ? has : eb.not(has);
    }
    case 'status':
      return eb('users.status', '=', f.value);
    case 'created_at':
      return eb.and([
        ...(f.after === null ? [] : [eb('users.created_at', '>', f.after)]),
        ...(f.before === null ? [] : [eb('users.created_at', '<', f.before)]),
      ]);
  }
}

/**
 * The hot-path queries (logins, resets, session checks, rate limits), built and compiled once
 * per dialect (prepared.ts). Each builder passes its arguments straight into value positions.
 */
const Q = {
  userById: prepared('userById', (db, projectId: string, userId: string) =>
    db.selectFrom('users').selectAll().where('project_id', '=', projectId).where('id', '=', userId),
  ),
  userByEmail: prepared('userByEmail', (db, projectId: string, email: string) =>
    db
      .selectFrom('emails')
      .innerJoin('users', 'users.id', 'emails.user_id')
      .selectAll('users')
      .where('emails.project_id', '=', projectId)
      .where('emails.email', '=', email)
      .where('users.project_id', '=', projectId),
  ),
  userEmails: prepared('userEmails', (db, userId: string) =>
    db.selectFrom('emails').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id'),
  ),
  userPhones: prepared('userPhones', (db, userId: string) =>
    db.selectFrom('phone_numbers').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id'),
  ),
  userPasswordFlags: prepared('userPasswordFlags', (db, userId: string) =>
    db.selectFrom('passwords').select(['id', 'user_id', 'requires_reset']).where('user_id', '=', userId),
  ),
  countFailedAttempt: prepared('countFailedAttempt', (db, projectId: string, userId: string, now: number) => {
    const expired = sql<boolean>`lock_expires_at is not null and lock_expires_at <= ${now}`;
    return db
      .updateTable('users')
      .set({
        failed_attempts: sql`case when ${expired} then 1 else failed_attempts + 1 end`,
        lock_created_at: sql`case when ${expired} then null else lock_created_at end`,
        lock_expires_at: sql`case when ${expired} then null else lock_expires_at end`,
      })
      .where('project_id', '=', projectId)
      .where('id', '=', userId);
  }),
  lockAtThreshold: prepared('lockAtThreshold', (db, projectId: string, userId: string, now: number, until: number, threshold: number) =>
    db
      .updateTable('users')
      .set({ lock_created_at: now, lock_expires_at: until })
      .where('project_id', '=', projectId)
      .where('id', '=', userId)
      .where('failed_attempts', '>=', threshold)
      .where('lock_expires_at', 'is', null),
  ),
  activateUser: prepared('activateUser', (db, projectId: string, userId: string) =>
    db.updateTable('users').set({ status: 'active' }).where('project_id', '=', projectId).where('id', '=', userId).where('status', '=', 'pending'),
  ),
  clearFailedAttempts: prepared('clearFailedAttempts', (db, projectId: string, userId: string) =>
    db
      .updateTable('users')
      .set({ failed_attempts: 0, lock_created_at: null, lock_expires_at: null })
      .where('project_id', '=', projectId)
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('failed_attempts', '!=', 0), eb('lock_expires_at', 'is not', null)])),
  ),
  password: prepared('password', (db, projectId: string, userId: string) =>
    db.selectFrom('passwords').select(['id', 'user_id', 'hash', 'requires_reset']).where('project_id', '=', projectId).where('user_id', '=', userId),
  ),
  replacePasswordHash: prepared(
    'replacePasswordHash',
    (db, projectId: string, passwordId: string, expectedHash: string, newHash: string, now: number) =>
      db
        .updateTable('passwords')
        .set({ hash: newHash, requires_reset: 0, updated_at: now })
        .where('project_id', '=', projectId)
        .where('id', '=', passwordId)
        .where('hash', '=', expectedHash),
  ),
  hitRateLimit: prepared('hitRateLimit', (db, key: string, windowStart: number) =>
    db
      .insertInto('rate_limit_counters')
      .values({ key, window_start: windowStart, count: 1 })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          count: sql`case when rate_limit_counters.window_start = ${windowStart} then rate_limit_counters.count + 1 else 1 end`,
          window_start: windowStart,
        }),
      )
      .returning('count'),
  ),
  invalidateResetTokens: prepared('invalidateResetTokens', (db, projectId: string, userId: string, now: number) =>
    db.updateTable('password_reset_tokens').set({ used_at: now }).where('project_id', '=', projectId).where('user_id', '=', userId).where('used_at', 'is', null),
  ),
  insertSession: prepared(
    'insertSession',
    (
      db,
      id: string,
      projectId: string,
      userId: string,
      tokenHash: string,
      startedAt: number,
      lastAccessedAt: number,
      expiresAt: number,
      revokedAt: number | null,
      ipAddress: string,
      userAgent: string,
      customClaims: string,
      factors: string,
    ) =>
      db.insertInto('sessions').values({
        id,
        project_id: projectId,
        user_id: userId,
        token_hash: tokenHash,
        started_at: startedAt,
        last_accessed_at: lastAccessedAt,
        expires_at: expiresAt,
        revoked_at: revokedAt,
        ip_address: ipAddress,
        user_agent: userAgent,
        custom_claims: customClaims,
        factors,
      }),
  ),
  sessionByTokenHash: prepared('sessionByTokenHash', (db, projectId: string, tokenHash: string) =>
    db.selectFrom('sessions').selectAll().where('project_id', '=', projectId).where('token_hash', '=', tokenHash),
  ),
  sessionById: prepared('sessionById', (db, projectId: string, sessionId: string) =>
    db.selectFrom('sessions').selectAll().where('project_id', '=', projectId).where('id', '=', sessionId),
  ),
  updateSession: prepared(
    'updateSession',
    (
      db,
      projectId: string,
      sessionId: string,
      now: number,
      lastAccessedAt: number,
      expiresAt: number,
      customClaims: string,
      factors: string,
      expectedLastAccessedAt: number,
      expectedExpiresAt: number,
      expectedCustomClaims: string,
      expectedFactors: string,
    ) =>
      db
        .updateTable('sessions')
        .set({ last_accessed_at: lastAccessedAt, expires_at: expiresAt, custom_claims: customClaims, factors })
        .where('project_id', '=', projectId)
        .where('id', '=', sessionId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .where('last_accessed_at', '=', expectedLastAccessedAt)
        .where('expires_at', '=', expectedExpiresAt)
        .where('custom_claims', '=', expectedCustomClaims)
        .where('factors', '=', expectedFactors),
  ),
  revokeSession: prepared('revokeSession', (db, projectId: string, sessionId: string, now: number) =>
    db.updateTable('sessions').set({ revoked_at: now }).where('project_id', '=', projectId).where('id', '=', sessionId).where('revoked_at', 'is', null),
  ),
  revokeUserSessions: prepared('revokeUserSessions', (db, projectId: string, userId: string, now: number) => revokeLiveSessions(db, projectId, userId, now)),
  revokeUserSessionsExcept: prepared('revokeUserSessionsExcept', (db, projectId: string, userId: string, now: number, exceptSessionId: string) =>
    revokeLiveSessions(db, projectId, userId, now).where('id', '!=', exceptSessionId),
  ),
};

/** Revokes a user's live sessions (the base of the two prepared forms above). */
function revokeLiveSessions(db: Kysely<Database>, projectId: string, userId: string, now: number) {
  return db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now);
}
