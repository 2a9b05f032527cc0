import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import { readStoreFile, useTempSqliteStore } from '../helpers/sqlite-store.js';
import { makeEnvelope } from './conformance/envelopes.js';

// A completed job's delete waits for this connection's next transaction (usually the worker's next
// reserve); a timer bounds the wait. These cases pin down when that timer is pending.
describe('sqlite deferred completions', () => {
  // Fake timers first: the driver is made, and closed, under them.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const store = useTempSqliteStore('deferred');

  const reserveOne = async () => {
    const [job] = await store.driver.jobReserve({ queues: ['q'], workerId: 'w', leaseMs: 30_000, limit: 1 });
    if (!job) throw new Error('nothing reserved');
    return job;
  };
  const storedIds = () =>
    readStoreFile(store.path, (db) =>
      (db.prepare('SELECT id FROM jobs ORDER BY id').all() as { id: string }[]).map((r) => r.id),
    );

  it('a reserve that carries the delete leaves no flush pending, so the next delete rides along too', async () => {
    const envelopes = [makeEnvelope({ queue: 'q' }), makeEnvelope({ queue: 'q' }), makeEnvelope({ queue: 'q' })];
    await store.driver.jobPush(envelopes);
    const first = await reserveOne();
    expect(await store.driver.jobComplete({ id: first.envelope.id, token: first.token })).toBe(true);
    expect(vi.getTimerCount()).toBe(1); // the bound on the delete's wait
    const second = await reserveOne(); // carries the first job's delete
    expect(storedIds()).not.toContain(first.envelope.id);
    // A flush left pending here would commit the second job's delete on its own, a transaction
    // more per job for a worker whose jobs come faster than the timer.
    expect(vi.getTimerCount()).toBe(0);
    expect(await store.driver.jobComplete({ id: second.envelope.id, token: second.token })).toBe(true);
    expect(vi.getTimerCount()).toBe(1);
    expect(storedIds()).toContain(second.envelope.id);
    vi.advanceTimersByTime(1); // no reserve came: the timer writes it
    expect(storedIds()).not.toContain(second.envelope.id);
    expect(storedIds()).toEqual([envelopes[2]!.id]);
  });

  it('a job deleted from another process while it runs: its completion changes nothing more', async () => {
    await store.driver.jobPush([makeEnvelope({ queue: 'q' })]);
    const job = await reserveOne();
    const other = createSqliteDriver({ path: store.path });
    expect(await other.jobDelete(job.envelope.id)).toBe(true);
    await other.close();
    // The lease has far over a second left, so the completion is taken without a read of the
    // store (reported completed, not lost); the delete it carries finds no row and counts nothing.
    expect(await store.driver.jobComplete({ id: job.envelope.id, token: job.token })).toBe(true);
    vi.advanceTimersByTime(1);
    expect(storedIds()).toEqual([]);
    expect((await store.driver.queueStats())[0]).toMatchObject({ pending: 0, reserved: 0, processedTotal: 0 });
  });

  it('a second completion of the same job while the first waits is refused', async () => {
    await store.driver.jobPush([makeEnvelope({ queue: 'q' })]);
    const job = await reserveOne();
    expect(await store.driver.jobComplete({ id: job.envelope.id, token: job.token })).toBe(true);
    expect(await store.driver.jobComplete({ id: job.envelope.id, token: job.token })).toBe(false);
    vi.advanceTimersByTime(1);
    expect(storedIds()).toEqual([]);
  });
});
