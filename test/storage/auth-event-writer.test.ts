/**
 * The audit trail's buffered writer against a real store, per dialect: batches reach the table
 * on the size trigger and on close; a failing database neither throws nor loses the buffer
 * (up to its bound, past which the oldest are dropped and reported); retention prunes on write.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { FixedClock } from '../../src/clock.js';
import type { AuthEvent } from '../../src/events/auth-event.js';
import { AuthEventWriter } from '../../src/events/writer.js';
import { newId } from '../../src/random.js';
import { openStore } from '../../src/storage/open.js';
import type { StoreTarget } from '../../src/storage/open.js';
import { DIALECTS, T0, makeProject, openTestStore, type TestStore } from './fixtures.js';

const DAY = 86_400_000;
const T = { timeout: 60_000 };

async function rawExec(target: StoreTarget, statement: string): Promise<void> {
  if (target.databaseUrl) {
    const c = new pg.Client({ connectionString: target.databaseUrl });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
    return;
  }
  const db = new Database(path.join(target.dataDir, 'postern.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    db.exec(statement);
  } finally {
    db.close();
  }
}

for (const dialect of DIALECTS) {
  describe(`auth event writer (${dialect})`, () => {
    let opened: TestStore;
    before(async () => {
      opened = await openTestStore(dialect);
      await opened.migrate();
    });
    after(() => opened.dispose());

    function event(projectId: string, createdAt = T0, overrides: Partial<AuthEvent> = {}): AuthEvent {
      return {
        id: newId('auth-event', 'test'),
        projectId,
        userId: null,
        route: '/v1/passwords/authenticate',
        outcome: 'unauthorized_credentials',
        clientAddress: '127.0.0.1',
        requestId: newId('request-id', 'test'),
        createdAt,
        ...overrides,
      };
    }

    const list = (projectId: string) => opened.store.listAuthEvents({ projectId, limit: 100_000 });

    it('a full batch is written without waiting for the timer', T, async () => {
      const projectId = makeProject().id;
      const writer = new AuthEventWriter(opened.store, new FixedClock(T0), { retentionDays: 90, batchSize: 3, flushIntervalMs: 3_600_000 });
      const events = [event(projectId, T0), event(projectId, T0 + 1), event(projectId, T0 + 2)];
      for (const e of events) writer.record(e);
      // The timer is an hour away: only the size trigger can write these (bounded wait).
      for (let i = 0; i < 500 && (await list(projectId)).length < 3; i++) await sleep(10);
      assert.deepEqual(await list(projectId), [...events].reverse());
      await writer.close();
    });

    it('close() writes what is buffered: a new store on the same database sees every event', T, async () => {
      const projectId = makeProject().id;
      const writer = new AuthEventWriter(opened.store, new FixedClock(T0), { retentionDays: 90, flushIntervalMs: 3_600_000 });
      const events = Array.from({ length: 7 }, (_, i) => event(projectId, T0 + i));
      for (const e of events) writer.record(e);
      assert.deepEqual(await list(projectId), [], 'nothing written before the flush');
      await writer.close();
      const reopened = openStore(opened.target);
      try {
        assert.deepEqual(await reopened.store.listAuthEvents({ projectId, limit: 100 }), [...events].reverse());
      } finally {
        await reopened.store.close();
      }
    });

    it('a failing database: flush neither throws nor loses the buffer; past the bound the oldest are dropped and reported', T, async () => {
      const projectId = makeProject().id;
      const problems: Array<{ details: { err?: unknown; dropped?: number; pending?: number }; message: string }> = [];
      const writer = new AuthEventWriter(opened.store, new FixedClock(T0), {
        retentionDays: 90,
        maxBuffered: 3,
        flushIntervalMs: 3_600_000,
        onProblem: (details, message) => problems.push({ details, message }),
      });
      await rawExec(opened.target, 'ALTER TABLE auth_events RENAME TO auth_events_away');
      try {
        const events = Array.from({ length: 5 }, (_, i) => event(projectId, T0 + i));
        for (const e of events) writer.record(e);
        await writer.flush(); // resolves, does not reject
        assert.ok(problems.some((p) => p.details.err !== undefined && p.details.pending === 3), JSON.stringify(problems.map((p) => p.message)));
        assert.ok(problems.some((p) => p.details.dropped === 2), 'the two oldest were dropped and reported');
      } finally {
        await rawExec(opened.target, 'ALTER TABLE auth_events_away RENAME TO auth_events');
      }
      await writer.flush();
      const stored = await list(projectId);
      assert.deepEqual(
        stored.map((e) => e.createdAt),
        [T0 + 4, T0 + 3, T0 + 2],
        'the newest three, kept through the failure',
      );
      await writer.close();
    });

    it('close() on a failing database reports what it could not write, and does not throw', T, async () => {
      const projectId = makeProject().id;
      const problems: Array<{ dropped?: number }> = [];
      const writer = new AuthEventWriter(opened.store, new FixedClock(T0), {
        retentionDays: 90,
        flushIntervalMs: 3_600_000,
        onProblem: (details) => problems.push(details),
      });
      await rawExec(opened.target, 'ALTER TABLE auth_events RENAME TO auth_events_away');
      try {
        writer.record(event(projectId));
        writer.record(event(projectId));
        await writer.close();
      } finally {
        await rawExec(opened.target, 'ALTER TABLE auth_events_away RENAME TO auth_events');
      }
      assert.ok(problems.some((p) => p.dropped === 2));
      writer.record(event(projectId)); // after close: dropped and reported, not thrown
      assert.ok(problems.some((p) => p.dropped === 1));
      assert.deepEqual(await list(projectId), []);
    });

    it('retention: the first write prunes events older than the retention, in every project', T, async () => {
      const a = makeProject().id;
      const b = makeProject().id;
      const now = T0 + 1000 * DAY;
      const old = [event(a, now - 31 * DAY), event(b, now - 400 * DAY)];
      const kept = [event(a, now - 29 * DAY), event(b, now - DAY)];
      await opened.store.insertAuthEvents([...old, ...kept]);
      const writer = new AuthEventWriter(opened.store, new FixedClock(now), { retentionDays: 30, flushIntervalMs: 3_600_000 });
      const fresh = event(a, now);
      writer.record(fresh);
      await writer.flush();
      assert.deepEqual(await list(a), [fresh, kept[0]]);
      assert.deepEqual(await list(b), [kept[1]]);
      await writer.close();
    });
  });
}
