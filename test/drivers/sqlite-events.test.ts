import { describe, expect, it } from 'vitest';
import { readStoreFile, useTempSqliteStore } from '../helpers/sqlite-store.js';
import { makeEnvelope } from './conformance/envelopes.js';

describe('sqlite job.dispatched rows', () => {
  const store = useTempSqliteStore('events');
  const dispatchedRows = () =>
    readStoreFile(
      store.path,
      (db) =>
        db.prepare("SELECT job_id, details FROM events WHERE name = 'job.dispatched' ORDER BY id").all() as {
          job_id: string | null;
          details: string;
        }[],
    );

  it("writes a bulk push's events as one shared row and a one-job push's as its own, read back one per job", async () => {
    const name = 'Send "weekly" \\ digest ✉';
    const bulk = Array.from({ length: 1000 }, (_, n) => makeEnvelope({ name, queue: n % 2 ? 'a' : 'b' }));
    await store.driver.jobPush(bulk, { dispatchedEvents: true });
    const one = makeEnvelope();
    await store.driver.jobPush([one], { dispatchedEvents: true });
    const rows = dispatchedRows();
    expect(rows.map((r) => r.job_id)).toEqual([null, one.id]);
    expect(JSON.parse(rows[0]!.details).queues).toEqual(['b', 'a']);
    const read = await store.driver.eventsRead({ afterId: null, limit: 2000 });
    expect(read.map((e) => [e.jobId, e.queue, e.jobName])).toEqual([
      ...bulk.map((e) => [e.id, e.queue, name]),
      [one.id, 'default', 'TestJob'],
    ]);
    expect(read[0]!.details).toEqual({ availableAt: bulk[0]!.availableAt });
    // An id past the end of a shared row (not one a reader is given) still reads on after it.
    const shared = read[999]!.id;
    expect(await store.driver.eventsRead({ afterId: `${shared}/5000`, limit: 10 })).toMatchObject([{ jobId: one.id }]);
  });
});
