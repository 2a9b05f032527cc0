import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { makeEnvelope } from './conformance/envelopes.js';

describe('sqlite job.dispatched rows', () => {
  let dir: string;
  let path: string;
  let driver: Driver;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qtool-events-'));
    path = join(dir, 'q.db');
    driver = createSqliteDriver({ path });
  });
  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const dispatchedRows = () => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare("SELECT job_id, details FROM events WHERE name = 'job.dispatched' ORDER BY id").all() as {
        job_id: string | null;
        details: string;
      }[];
    } finally {
      db.close();
    }
  };

  it("writes a bulk push's events as one shared row and a one-job push's as its own, read back one per job", async () => {
    const name = 'Send "weekly" \\ digest ✉';
    const bulk = Array.from({ length: 1000 }, (_, n) => makeEnvelope({ name, queue: n % 2 ? 'a' : 'b' }));
    await driver.jobPush(bulk, { dispatchedEvents: true });
    const one = makeEnvelope();
    await driver.jobPush([one], { dispatchedEvents: true });
    const rows = dispatchedRows();
    expect(rows.map((r) => r.job_id)).toEqual([null, one.id]);
    expect(JSON.parse(rows[0]!.details).queues).toEqual(['b', 'a']);
    const read = await driver.eventsRead({ afterId: null, limit: 2000 });
    expect(read.map((e) => [e.jobId, e.queue, e.jobName])).toEqual([
      ...bulk.map((e) => [e.id, e.queue, name]),
      [one.id, 'default', 'TestJob'],
    ]);
    expect(read[0]!.details).toEqual({ availableAt: bulk[0]!.availableAt });
    // An id past the end of a shared row (not one a reader is given) still reads on after it.
    const shared = read[999]!.id;
    expect(await driver.eventsRead({ afterId: `${shared}/5000`, limit: 10 })).toMatchObject([{ jobId: one.id }]);
  });
});
