import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import { SCHEMA_VERSION } from '../../src/drivers/sqlite/schema.js';
import type { Driver, QueueStats } from '../../src/drivers/types.js';
import { assertStillSchema6, openSchema6File } from '../helpers/sqlite-schema6.js';
import { readStoreFile, useTempSqliteStore } from '../helpers/sqlite-store.js';
import { makeEnvelope, sleep } from './conformance/envelopes.js';

/** The counts as the version-4 driver read them: COUNT(*) over the rows, the reference. */
function countedByScan(path: string, queue: string): Partial<QueueStats> {
  const db = new Database(path, { readonly: true });
  try {
    // The store's clock, as the driver's is: Date.now() can trail it by a hair, and a job released
    // with no delay just before would then count as delayed.
    const now = (db.prepare("SELECT unixepoch('subsec') * 1000 AS t").get() as { t: number }).t;
    const one = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
    return {
      pending: one('SELECT COUNT(*) AS n FROM jobs WHERE queue = ? AND state = 0 AND available_at <= ?', queue, now),
      delayed: one('SELECT COUNT(*) AS n FROM jobs WHERE queue = ? AND state = 0 AND available_at > ?', queue, now),
      reserved: one('SELECT COUNT(*) AS n FROM jobs WHERE queue = ? AND state = 1', queue),
      waiting: one('SELECT COUNT(*) AS n FROM jobs WHERE queue = ? AND waiting_on IS NOT NULL', queue),
      failed: one('SELECT COUNT(*) AS n FROM failed_jobs WHERE queue = ?', queue),
    };
  } finally {
    db.close();
  }
}

const pick = ({ pending, delayed, reserved, waiting, failed }: QueueStats) => ({
  pending,
  delayed,
  reserved,
  waiting,
  failed,
});

describe.each([
  { layout: 'schema 7', shared: false },
  { layout: 'a schema-6 file shared with an older qtool', shared: true },
])('sqlite per-queue counts, $layout', ({ shared }) => {
  let dir: string;
  let path: string;
  let driver: Driver;
  let holder: Database.Database | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qtool-counts-'));
    path = join(dir, 'q.db');
    holder = shared ? openSchema6File(path) : undefined;
    driver = createSqliteDriver({ path });
  });
  afterEach(async () => {
    await driver.close();
    if (holder) assertStillSchema6(holder);
    holder?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function statsOf(queue: string) {
    return pick((await driver.queueStats()).find((q) => q.queue === queue)!);
  }

  /** On `queue`: 1 pending, 1 released and waiting (pending too), 1 delayed, 1 reserved, 1 failed. */
  async function plantStates(queue: string) {
    await driver.jobPush([
      makeEnvelope({ queue }),
      makeEnvelope({ queue }),
      makeEnvelope({ queue }),
      makeEnvelope({ queue }),
      makeEnvelope({ queue, availableAt: Date.now() + 600_000 }),
    ]);
    const reserve = async () => (await driver.jobReserve({ queues: [queue], workerId: 'w', leaseMs: 600_000 }))[0]!;
    await reserve();
    const fail = await reserve();
    await driver.jobFail({ id: fail.envelope.id, token: fail.token, error: { message: 'boom' } });
    const wait = await reserve();
    await driver.jobRelease({
      id: wait.envelope.id,
      token: wait.token,
      delayMs: 0,
      kind: 'lockWait',
      waitingOn: 'overlap:TestJob:k',
    });
    // The released job is due at the store's clock of its release, rounded to the ms: a scan in the
    // same ms would count it as delayed while the driver (a moment later) counts it pending.
    await sleep(3);
  }

  it('matches a full scan through every kind of state change, with time passing', async () => {
    await plantStates('a');
    // Due in 1 s: both reads below must fall before it, even on a loaded machine.
    const due = Date.now() + 1000;
    await driver.jobPush([makeEnvelope({ queue: 'a', availableAt: due })]);
    expect(await statsOf('a')).toEqual(countedByScan(path, 'a'));
    await sleep(due - Date.now() + 50); // the short delay came due with no push since
    expect(await statsOf('a')).toEqual(countedByScan(path, 'a'));
    expect(await statsOf('a')).toMatchObject({ pending: 3, delayed: 1 });
    const [failed] = await driver.failedList({ queue: 'a', limit: 1 });
    await driver.failedRetry({ ids: [failed!.id] });
    await driver.queueClear('a');
    expect(await statsOf('a')).toEqual(countedByScan(path, 'a'));
    expect(await statsOf('a')).toEqual({ pending: 0, delayed: 0, reserved: 1, waiting: 0, failed: 0 });
  });

  it('stays exact through deletes, expired leases handed out again, forget, prune and flush', async () => {
    await plantStates('b');
    await plantStates('b');
    const delayed = (await driver.jobList({ queue: 'b', state: 'delayed', limit: 1 }))[0]!;
    expect(await driver.jobDelete(delayed.envelope.id)).toBe(true);
    const reserved = (await driver.jobList({ queue: 'b', state: 'reserved', limit: 1 }))[0]!;
    expect(await driver.jobDelete(reserved.envelope.id)).toBe(true);
    expect(await statsOf('b')).toEqual(countedByScan(path, 'b'));
    await driver.jobPush([makeEnvelope({ queue: 'b' })]);
    const [short] = await driver.jobReserve({ queues: ['b'], workerId: 'w', leaseMs: 30, limit: 1 });
    await sleep(60);
    // The expired lease is handed out again: still one reserved row, no ready row taken for it.
    const again = await driver.jobReserve({ queues: ['b'], workerId: 'w2', leaseMs: 600_000, limit: 10 });
    expect(again.map((j) => j.envelope.id)).toContain(short!.envelope.id);
    expect(await statsOf('b')).toEqual(countedByScan(path, 'b'));
    const [failed] = await driver.failedList({ queue: 'b', limit: 1 });
    await driver.failedForget([failed!.id, 'nope']);
    expect(await statsOf('b')).toEqual(countedByScan(path, 'b'));
    await plantStates('c');
    await driver.failedPrune({ before: Date.now() + 1 });
    expect([await statsOf('b'), await statsOf('c')]).toEqual([countedByScan(path, 'b'), countedByScan(path, 'c')]);
    await plantStates('c');
    await driver.failedFlush({ queue: 'c' });
    await driver.failedFlush();
    expect(await statsOf('c')).toEqual(countedByScan(path, 'c'));
  });

  it('moves a queue mark up when many rows came due since it, and stays exact', async () => {
    const due = Date.now() + 2000; // far enough ahead that pushing 2,500 rows on a busy machine ends before it
    await driver.jobPush(Array.from({ length: 2500 }, () => makeEnvelope({ queue: 'burst', availableAt: due })));
    expect(await statsOf('burst')).toMatchObject({ pending: 0, delayed: 2500 });
    await sleep(Math.max(0, due - Date.now()) + 50);
    expect(await statsOf('burst')).toMatchObject({ pending: 2500, delayed: 0 });
    const db = new Database(path, { readonly: true });
    const { mark } = db.prepare("SELECT mark FROM queues WHERE name = 'burst'").get() as { mark: number };
    db.close();
    expect(mark).toBeGreaterThanOrEqual(due);
  });

  it('upgrades a version-4 file: adds the counts, computed from the rows', async () => {
    await plantStates('old');
    await driver.jobPush([makeEnvelope({ queue: 'other' })]);
    const expected = countedByScan(path, 'old');
    await driver.close();
    // Back to the version-4 layout: no count columns.
    const db = new Database(path);
    for (const column of ['ready', 'later', 'mark', 'reserved', 'waiting', 'failed']) {
      db.exec(`ALTER TABLE queues DROP COLUMN ${column}`);
    }
    db.exec('ALTER TABLE jobs DROP COLUMN prev');
    db.exec("DELETE FROM queues WHERE name = 'other'"); // a queue row a v4 file may lack
    db.pragma('user_version = 4');
    db.close();

    driver = createSqliteDriver({ path });
    expect(await statsOf('old')).toEqual(expected);
    expect(await statsOf('other')).toMatchObject({ pending: 1 });
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(shared ? 6 : SCHEMA_VERSION);
    check.close();
    await driver.jobPush([makeEnvelope({ queue: 'old' })]);
    expect(await statsOf('old')).toEqual({ ...expected, pending: expected.pending! + 1 });
  });

  it('costs the same with 20,000 pending jobs as with 10 (no scan of the backlog)', async () => {
    const time = async () => {
      const runs: number[] = [];
      for (let i = 0; i < 21; i++) {
        const started = process.hrtime.bigint();
        await driver.queueStats();
        runs.push(Number(process.hrtime.bigint() - started));
      }
      return runs.sort((a, b) => a - b)[10]!; // median, in ns
    };
    await driver.jobPush(Array.from({ length: 10 }, () => makeEnvelope({ queue: 'big' })));
    await time();
    const small = await time();
    for (let i = 0; i < 20; i++) {
      await driver.jobPush(Array.from({ length: 1000 }, () => makeEnvelope({ queue: 'big' })));
    }
    await time();
    const large = await time();
    expect(await statsOf('big')).toMatchObject({ pending: 20_010 });
    // A COUNT(*) over 20,000 index entries takes well over 10x a read of one row; allow noise.
    expect(large).toBeLessThan(small * 5 + 200_000);
  });
});

describe('sqlite count rows (schema 8)', () => {
  const store = useTempSqliteStore('count-rows');
  const countRows = () =>
    readStoreFile(store.path, (db) => {
      const rows = (db.prepare("SELECT COUNT(*) AS n FROM events WHERE name = ''").get() as { n: number }).n;
      const folded = db.prepare("SELECT value FROM meta WHERE key = 'counts_folded'").get() as
        | { value: string }
        | undefined;
      const queue = db.prepare("SELECT ready, reserved, processed_total FROM queues WHERE name = 'rows'").get();
      return { rows, folded: Number(folded?.value ?? 0), queue };
    });

  it('writes a step’s count changes as one events row, which readers add and event readers skip', async () => {
    const dispatched = { dispatchedEvents: true };
    await store.driver.jobPush([makeEnvelope({ queue: 'rows' })], dispatched); // creates the queue row, counts in it
    await store.driver.jobPush([makeEnvelope({ queue: 'rows' }), makeEnvelope({ queue: 'rows' })], dispatched);
    const [job] = await store.driver.jobReserve({ queues: ['rows'], workerId: 'w', leaseMs: 60_000, emitEvents: true });
    await store.driver.jobComplete({ id: job!.envelope.id, token: job!.token });
    expect((await store.driver.queueStats())[0]).toMatchObject({ pending: 2, reserved: 0, processedTotal: 1 });
    // The second push, the reserve and the completion (written by the stats read, which flushes it).
    expect(countRows()).toMatchObject({ rows: 3, folded: 0, queue: { ready: 1, reserved: 0, processed_total: 0 } });
    const events = await store.driver.eventsRead({ afterId: null, limit: 100 });
    expect(events.map((e) => e.name)).toEqual(['job.dispatched', 'job.dispatched', 'job.dispatched', 'job.processing']);
  });

  it('folds the count rows into the queue rows every thousand ids or so, staying exact', async () => {
    for (let i = 0; i < 1500; i++)
      await store.driver.jobPush([makeEnvelope({ queue: 'rows' })], { dispatchedEvents: true });
    for (let i = 0; i < 700; i++) {
      const [job] = await store.driver.jobReserve({ queues: ['rows'], workerId: 'w', leaseMs: 60_000 });
      await store.driver.jobComplete({ id: job!.envelope.id, token: job!.token });
    }
    await store.driver.jobPush([makeEnvelope({ queue: 'rows' })]); // carries the last completion
    const { rows, folded, queue } = countRows();
    expect(folded).toBeGreaterThan(1000);
    expect(rows).toBeLessThan(1100); // those since the last fold (and the newest row it kept)
    expect(queue).toMatchObject({ processed_total: expect.any(Number) });
    expect((queue as { processed_total: number }).processed_total).toBeGreaterThan(0);
    expect((await store.driver.queueStats())[0]).toMatchObject({ pending: 801, reserved: 0, processedTotal: 700 });
    const names = new Set((await store.driver.eventsRead({ afterId: null, limit: 10_000 })).map((e) => e.name));
    expect([...names].sort()).toEqual(['job.dispatched']);
  });

  it('upgrades a version-7 file: its counts stay in the queue rows, new changes go in count rows', async () => {
    await store.driver.jobPush([makeEnvelope({ queue: 'rows' }), makeEnvelope({ queue: 'rows' })]);
    await store.driver.jobReserve({ queues: ['rows'], workerId: 'w', leaseMs: 60_000 });
    await store.driver.close();
    // Back to the version-7 layout: the counts folded into the queue row, no count columns.
    const db = new Database(store.path);
    db.exec(`UPDATE queues SET ready = ready + (SELECT SUM(d_ready) FROM events WHERE name = ''),
      reserved = reserved + (SELECT SUM(d_reserved) FROM events WHERE name = '');
      DELETE FROM events WHERE name = ''; DELETE FROM meta WHERE key = 'counts_folded';`);
    for (const column of [
      'd_ready',
      'd_later',
      'd_reserved',
      'd_waiting',
      'd_failed',
      'd_processed',
      'd_failed_total',
    ]) {
      db.exec(`ALTER TABLE events DROP COLUMN ${column}`);
    }
    db.pragma('user_version = 7');
    db.close();

    store.driver = createSqliteDriver({ path: store.path });
    expect((await store.driver.queueStats())[0]).toMatchObject({ pending: 1, reserved: 1 });
    await store.driver.jobPush([makeEnvelope({ queue: 'rows' })]);
    expect((await store.driver.queueStats())[0]).toMatchObject({ pending: 2, reserved: 1 });
    expect(readStoreFile(store.path, (db) => db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
    expect(countRows()).toMatchObject({ rows: 1, queue: { ready: 1, reserved: 1 } });
  });
});
