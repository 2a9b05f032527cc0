import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { makeEnvelope } from './conformance/envelopes.js';

// A completed job's delete waits for this connection's next transaction (usually the worker's next
// reserve); a timer bounds the wait. These cases pin down when that timer is pending.
describe('sqlite deferred completions', () => {
  let dir: string;
  let path: string;
  let driver: Driver;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    dir = mkdtempSync(join(tmpdir(), 'qtool-deferred-'));
    path = join(dir, 'q.db');
    driver = createSqliteDriver({ path });
  });
  afterEach(async () => {
    await driver.close();
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  const reserveOne = async () => {
    const [job] = await driver.jobReserve({ queues: ['q'], workerId: 'w', leaseMs: 30_000, limit: 1 });
    if (!job) throw new Error('nothing reserved');
    return job;
  };
  const storedIds = () => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT id FROM jobs ORDER BY id').all() as { id: string }[]).map((r) => r.id);
    } finally {
      db.close();
    }
  };

  it('a reserve that carries the delete leaves no flush pending, so the next delete rides along too', async () => {
    const envelopes = [makeEnvelope({ queue: 'q' }), makeEnvelope({ queue: 'q' }), makeEnvelope({ queue: 'q' })];
    await driver.jobPush(envelopes);
    const first = await reserveOne();
    expect(await driver.jobComplete({ id: first.envelope.id, token: first.token })).toBe(true);
    expect(vi.getTimerCount()).toBe(1); // the bound on the delete's wait
    const second = await reserveOne(); // carries the first job's delete
    expect(storedIds()).not.toContain(first.envelope.id);
    // A flush left pending here would commit the second job's delete on its own, a transaction
    // more per job for a worker whose jobs come faster than the timer.
    expect(vi.getTimerCount()).toBe(0);
    expect(await driver.jobComplete({ id: second.envelope.id, token: second.token })).toBe(true);
    expect(vi.getTimerCount()).toBe(1);
    expect(storedIds()).toContain(second.envelope.id);
    vi.advanceTimersByTime(1); // no reserve came: the timer writes it
    expect(storedIds()).not.toContain(second.envelope.id);
    expect(storedIds()).toEqual([envelopes[2]!.id]);
  });

  it('a job deleted from another process while it runs: its completion changes nothing more', async () => {
    await driver.jobPush([makeEnvelope({ queue: 'q' })]);
    const job = await reserveOne();
    const other = createSqliteDriver({ path });
    expect(await other.jobDelete(job.envelope.id)).toBe(true);
    await other.close();
    // The lease has far over a second left, so the completion is taken without a read of the
    // store (reported completed, not lost); the delete it carries finds no row and counts nothing.
    expect(await driver.jobComplete({ id: job.envelope.id, token: job.token })).toBe(true);
    vi.advanceTimersByTime(1);
    expect(storedIds()).toEqual([]);
    expect((await driver.queueStats())[0]).toMatchObject({ pending: 0, reserved: 0, processedTotal: 0 });
  });

  it('a second completion of the same job while the first waits is refused', async () => {
    await driver.jobPush([makeEnvelope({ queue: 'q' })]);
    const job = await reserveOne();
    expect(await driver.jobComplete({ id: job.envelope.id, token: job.token })).toBe(true);
    expect(await driver.jobComplete({ id: job.envelope.id, token: job.token })).toBe(false);
    vi.advanceTimersByTime(1);
    expect(storedIds()).toEqual([]);
  });
});
