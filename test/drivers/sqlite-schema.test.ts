import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import { SCHEMA_VERSION } from '../../src/drivers/sqlite/schema.js';
import type { Driver } from '../../src/drivers/types.js';
import { openSchema6File } from '../helpers/sqlite-schema6.js';
import { readStoreFile } from '../helpers/sqlite-store.js';
import { makeEnvelope } from './conformance/envelopes.js';

const eventsSql = (path: string) => {
  // Not read-only: a read-only connection that closes last leaves -wal and -shm behind, and the
  // next open would take the file for shared and not upgrade it past version 6.
  const db = new Database(path);
  const row = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'events'").get() as { sql: string };
  const version = db.pragma('user_version', { simple: true });
  db.close();
  return { sql: row.sql, version };
};

describe('SQLite schema upgrades', () => {
  let dir: string;
  let path: string;
  let driver: Driver;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qtool-schema-'));
    path = join(dir, 'q.db');
  });
  afterEach(async () => {
    await driver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the events table without AUTOINCREMENT (a page less per commit)', async () => {
    driver = createSqliteDriver({ path });
    expect(eventsSql(path)).toMatchObject({ version: SCHEMA_VERSION });
    expect(eventsSql(path).sql).not.toMatch(/AUTOINCREMENT/i);
  });

  it('upgrades a version-5 file: keeps every event and its id, and new ids follow on', async () => {
    driver = createSqliteDriver({ path });
    await driver.eventsAppend(Array.from({ length: 5 }, (_, i) => ({ name: 'queue.paused', queue: `q${i}` })));
    const before = await driver.eventsRead({ afterId: null, limit: 100 });
    await driver.close();
    // Back to the version-5 layout: events keyed with AUTOINCREMENT.
    const db = new Database(path);
    db.exec(`CREATE TABLE events_old (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, name TEXT NOT NULL,
      queue TEXT, job_id TEXT, job_name TEXT, attempt INTEGER, worker_id TEXT, duration_ms INTEGER, details TEXT);
      INSERT INTO events_old SELECT id, time, name, queue, job_id, job_name, attempt, worker_id, duration_ms, details
        FROM events; DROP TABLE events; ALTER TABLE events_old RENAME TO events;`);
    db.pragma('user_version = 5');
    db.close();
    expect(eventsSql(path).sql).toMatch(/AUTOINCREMENT/);

    driver = createSqliteDriver({ path });
    expect(eventsSql(path)).toMatchObject({ version: SCHEMA_VERSION });
    expect(eventsSql(path).sql).not.toMatch(/AUTOINCREMENT/i);
    expect(await driver.eventsRead({ afterId: null, limit: 100 })).toEqual(before);
    await driver.eventsAppend([{ name: 'queue.resumed', queue: 'later' }]);
    const after = await driver.eventsRead({ afterId: before.at(-1)!.id, limit: 100 });
    expect(after.map((e) => e.name)).toEqual(['queue.resumed']);
    expect(Number(after[0]!.id)).toBeGreaterThan(Number(before.at(-1)!.id));
  });

  it('upgrades a version-6 file: the due index holds ready rows only, and every job is where it was', async () => {
    driver = createSqliteDriver({ path });
    const now = Date.now();
    await driver.jobPush([
      makeEnvelope({ queue: 'q' }),
      makeEnvelope({ queue: 'q' }),
      makeEnvelope({ queue: 'q', availableAt: now + 600_000 }),
    ]);
    const [held] = await driver.jobReserve({ queues: ['q'], workerId: 'w', leaseMs: 600_000, limit: 1 });
    await driver.close();
    // Back to the version-6 layout: one due index over every row, reserved ones too.
    const db = new Database(path);
    db.exec('DROP INDEX jobs_due; CREATE INDEX jobs_due ON jobs (queue, available_at);');
    db.pragma('user_version = 6');
    db.close();

    driver = createSqliteDriver({ path });
    const check = new Database(path, { readonly: true });
    const index = check.prepare("SELECT sql FROM sqlite_master WHERE name = 'jobs_due'").get() as { sql: string };
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
    expect(index.sql).toMatch(/WHERE state = 0/);
    expect((await driver.queueStats())[0]).toMatchObject({ pending: 1, delayed: 1, reserved: 1 });
    const next = await driver.jobReserve({ queues: ['q'], workerId: 'w', leaseMs: 600_000, limit: 5 });
    expect(next).toHaveLength(1);
    expect(next[0]!.envelope.id).not.toBe(held!.envelope.id);
    expect(await driver.jobComplete({ id: held!.envelope.id, token: held!.token })).toBe(true);
  });

  it('leaves a version-6 file another process has open at 6, and upgrades it once opened alone', async () => {
    const holder = openSchema6File(path); // an older qtool still at work on the file
    driver = createSqliteDriver({ path });
    await driver.jobPush([makeEnvelope({ queue: 'q' })]);
    const indexSql = () =>
      (holder.prepare("SELECT sql FROM sqlite_master WHERE name = 'jobs_due'").get() as { sql: string }).sql;
    expect(holder.pragma('user_version', { simple: true })).toBe(6);
    expect(indexSql()).not.toMatch(/WHERE/);
    // What the older qtool runs on its next status and push: still answerable.
    expect(() =>
      holder
        .prepare(
          'SELECT COUNT(*) FROM jobs INDEXED BY jobs_due WHERE queue = ? AND available_at > ? AND available_at <= ?',
        )
        .get('q', 0, Date.now()),
    ).not.toThrow();
    await driver.close();
    holder.close();

    driver = createSqliteDriver({ path });
    const check = new Database(path);
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(
      (check.prepare("SELECT sql FROM sqlite_master WHERE name = 'jobs_due'").get() as { sql: string }).sql,
    ).toMatch(/WHERE state = 0/);
    check.close();
    expect((await driver.queueStats())[0]).toMatchObject({ pending: 1 });
  });

  it('writes payloads without the keys their row holds from version 9, whole while an older qtool may read them', async () => {
    // Read while the driver has the file open: a read-only connection that closed last would keep the
    // file from being taken for unshared (see eventsSql).
    const payloadOf = (id: string) =>
      readStoreFile(path, (db) =>
        JSON.parse((db.prepare('SELECT payload FROM jobs WHERE id = ?').get(id) as { payload: string }).payload),
      );
    driver = createSqliteDriver({ path });
    await driver.close();
    const holder = new Database(path); // a version-8 qtool still at work on the file
    holder.pragma('user_version = 8');
    driver = createSqliteDriver({ path });
    const whole = makeEnvelope({ queue: 'q', name: 'Whole', data: { n: 1 } });
    await driver.jobPush([whole]);
    expect(holder.pragma('user_version', { simple: true })).toBe(8);
    expect(payloadOf(whole.id)).toMatchObject({ id: whole.id, name: 'Whole', queue: 'q' });
    await driver.close();
    holder.close();

    driver = createSqliteDriver({ path }); // alone now: upgraded
    const compact = makeEnvelope({ queue: 'q', name: 'Compact', data: { n: 2 } });
    await driver.jobPush([compact]);
    expect(eventsSql(path).version).toBe(SCHEMA_VERSION);
    expect(payloadOf(compact.id)).not.toHaveProperty('id');
    expect(payloadOf(compact.id)).not.toHaveProperty('queue');
    const taken = await driver.jobReserve({ queues: ['q'], workerId: 'w', leaseMs: 60_000, limit: 5 });
    expect(taken.map((t) => [t.envelope.id, t.envelope.name, t.envelope.queue, t.envelope.data, t.rejected])).toEqual([
      [whole.id, 'Whole', 'q', { n: 1 }, undefined],
      [compact.id, 'Compact', 'q', { n: 2 }, undefined],
    ]);
    // Through the failed store and back: the keys come from the failed row's columns.
    await driver.jobFail({ id: compact.id, token: taken[1]!.token, error: { message: 'boom' } });
    expect((await driver.failedGet(compact.id))?.envelope).toMatchObject({
      id: compact.id,
      name: 'Compact',
      queue: 'q',
    });
    await driver.failedRetry({ ids: [compact.id] });
    const again = await driver.jobReserve({ queues: ['q'], workerId: 'w', leaseMs: 60_000, limit: 5 });
    expect(again.map((t) => [t.envelope.id, t.envelope.name, t.envelope.data])).toEqual([
      [compact.id, 'Compact', { n: 2 }],
    ]);
  });
});

describe('SQLite store written by a newer qtool', () => {
  it('is refused with one line naming the file and both versions, and left as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qtool-schema-'));
    const path = join(dir, 'q.db');
    try {
      const db = new Database(path);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();
      expect(() => createSqliteDriver({ path })).toThrow(
        `the SQLite store ${path} was written by a newer qtool (schema version ${SCHEMA_VERSION + 1}; this qtool reads up to ${SCHEMA_VERSION}): upgrade qtool`,
      );
      const check = new Database(path, { readonly: true });
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
      expect(check.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'jobs'").get()).toEqual({ n: 0 });
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
