import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Driver, FailedRecord } from '../../../src/drivers/types.js';
import { makeEnvelope } from './envelopes.js';
import type { StoreFactory, StoreUnderTest } from './harness.js';

/** failedScan: keyset paging of the failed store that bulk retry and forget stream through. */
export function failedScanCases(factory: StoreFactory): void {
  let store: StoreUnderTest;
  let driver: Driver;
  beforeEach(async () => {
    store = await factory();
    driver = await store.open();
  });
  afterEach(() => store.cleanup());

  /** Fail `count` jobs of a queue in a tight loop (several share a millisecond: ties on failedAt). */
  async function failMany(queue: string, count: number): Promise<string[]> {
    const envelopes = Array.from({ length: count }, () => makeEnvelope({ queue }));
    await driver.jobPush(envelopes);
    const reserved = await driver.jobReserve({ queues: [queue], workerId: 'w', leaseMs: 30_000, limit: count });
    for (const job of reserved)
      await driver.jobFail({ id: job.envelope.id, token: job.token, error: { message: `failed ${queue}` } });
    return envelopes.map((e) => e.id);
  }

  const position = (r: FailedRecord) => [r.failedAt, r.id] as const;
  const byPosition = (a: FailedRecord, b: FailedRecord) =>
    a.failedAt - b.failedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  async function scanAll(options: { queue?: string; since?: number; limit: number }) {
    const pages: FailedRecord[][] = [];
    let after: string | null = null;
    do {
      const page = await driver.failedScan({ ...options, after });
      pages.push(page.records);
      after = page.next;
    } while (after !== null);
    return pages;
  }

  it('pages through the failed store oldest first, by queue and since, ending with next null', async () => {
    const a = await failMany('a', 7);
    const b = await failMany('b', 5);
    const pages = await scanAll({ limit: 3 });
    const all = pages.flat();
    expect(all.map((r) => r.id).sort()).toEqual([...a, ...b].sort());
    expect(all.map(position)).toEqual([...all].sort(byPosition).map(position));
    expect(pages.slice(0, -1).every((p) => p.length === 3)).toBe(true);
    expect(all[0]).toMatchObject({ queue: 'a', error: { message: 'failed a' } });
    expect(all[0]!.envelope.id).toBe(all[0]!.id);

    expect(
      (await scanAll({ queue: 'b', limit: 2 }))
        .flat()
        .map((r) => r.id)
        .sort(),
    ).toEqual([...b].sort());
    const since = all[6]!.failedAt;
    const recent = (await scanAll({ since, limit: 4 })).flat();
    expect(recent.map((r) => r.id)).toEqual(all.filter((r) => r.failedAt >= since).map((r) => r.id));
    expect(await driver.failedScan({ queue: 'none', limit: 5 })).toEqual({ records: [], next: null });
  });

  it('neither skips nor repeats a record while the scan removes records between pages', async () => {
    await failMany('a', 12);
    await failMany('b', 9);
    const expected = (await scanAll({ limit: 100 })).flat().map((r) => r.id);
    const seen: string[] = [];
    let after: string | null = null;
    let turn = 0;
    do {
      const page = await driver.failedScan({ after, limit: 4 });
      seen.push(...page.records.map((r) => r.id));
      // Remove what the page returned, its last record (the cursor's own) included, alternating
      // retry and forget; also forget one record further on, which the scan must then not return.
      const ids = page.records.map((r) => r.id);
      turn += 1;
      if (turn % 2) expect(await driver.failedRetry({ ids })).toEqual(ids);
      else expect(await driver.failedForget(ids)).toEqual(ids);
      const ahead = expected.find((id) => !seen.includes(id));
      if (turn === 2 && ahead) {
        await driver.failedForget([ahead]);
        expected.splice(expected.indexOf(ahead), 1);
      }
      after = page.next;
    } while (after !== null);
    expect(seen).toEqual(expected);
    expect(await driver.failedScan({ limit: 10 })).toEqual({ records: [], next: null });
  });
}
