import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bulkFailed, listFailed, parseErrorPattern, parseTimeBound } from '../../src/core/failed-filter.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { makeEnvelope, sleep } from '../drivers/conformance/envelopes.js';

/** Fail jobs straight through the driver; returns their ids in failure order. */
async function fail(driver: Driver, specs: { name: string; queue?: string; message: string }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const spec of specs) {
    const envelope = makeEnvelope({ name: spec.name, queue: spec.queue ?? 'default' });
    await driver.jobPush([envelope]);
    const [job] = await driver.jobReserve({ queues: [envelope.queue], workerId: 'w', leaseMs: 60_000 });
    await driver.jobFail({ id: envelope.id, token: job!.token, error: { message: spec.message } });
    ids.push(envelope.id);
  }
  return ids;
}

describe('time bounds and error patterns', () => {
  it('reads durations as "that long ago" and ISO-8601 as a time; rejects anything else', () => {
    expect(parseTimeBound('1h')).toEqual({ agoMs: 3_600_000 });
    expect(parseTimeBound('90m')).toEqual({ agoMs: 5_400_000 });
    expect(parseTimeBound('2026-01-31T09:00:00Z')).toEqual({ at: Date.UTC(2026, 0, 31, 9) });
    expect(parseTimeBound('2026-01-31')).toEqual({ at: Date.UTC(2026, 0, 31) });
    expect(() => parseTimeBound('yesterday')).toThrow(/neither a duration .* nor an ISO-8601 time/);
    expect(() => parseTimeBound('2026-13-45')).toThrow(RangeError);
  });

  it('takes a bare pattern or /pattern/flags, dropping the stateful g and y', () => {
    expect(parseErrorPattern('^time').test('timeout')).toBe(true);
    const insensitive = parseErrorPattern('/TIMEOUT/gi');
    expect(insensitive.flags).toBe('i');
    expect([insensitive.test('a timeout'), insensitive.test('a timeout')]).toEqual([true, true]);
    expect(() => parseErrorPattern('(')).toThrow(SyntaxError);
  });
});

describe('bulkFailed', () => {
  let driver: Driver;
  beforeEach(() => {
    driver = createMemoryDriver();
  });
  afterEach(() => driver.close());

  it('matches job, queue and error, and counts without changing anything', async () => {
    await fail(driver, [
      { name: 'A', message: 'timeout' },
      { name: 'A', message: 'bad input' },
      { name: 'B', queue: 'mail', message: 'timeout' },
    ]);
    const count = await bulkFailed(driver, { error: /timeout/ }, { action: 'count', sample: 1 });
    expect(count).toMatchObject({ scanned: 3, matched: 2, done: 0, batches: 0 });
    expect(count.sample.map((r) => r.name)).toEqual(['A']);
    expect(await bulkFailed(driver, { job: 'A', queue: 'mail' }, { action: 'count' })).toMatchObject({ matched: 0 });
    expect((await driver.failedList({ limit: 10 })).length).toBe(3);
    const forgot = await bulkFailed(driver, { queue: 'mail' }, { action: 'forget' });
    expect(forgot).toMatchObject({ matched: 1, done: 1, batches: 1 });
    expect((await listFailed(driver, { job: 'A' }, { limit: 1, offset: 1 })).map((r) => r.error.message)).toEqual([
      'timeout',
    ]);
  });

  it('streams: pages and batches stay within the batch size and alternate, so memory stays flat', async () => {
    await fail(
      driver,
      Array.from({ length: 250 }, (_, i) => ({ name: i % 5 === 0 ? 'Other' : 'Hit', message: 'x' })),
    );
    const calls: { op: string; size: number }[] = [];
    const watched: Driver = Object.create(driver);
    watched.failedScan = async (options) => {
      const page = await driver.failedScan(options);
      calls.push({ op: 'scan', size: page.records.length });
      return page;
    };
    watched.failedRetry = async (options) => {
      calls.push({ op: 'retry', size: options.ids!.length });
      return driver.failedRetry(options);
    };
    const result = await bulkFailed(watched, { job: 'Hit' }, { action: 'retry', batchSize: 40 });
    expect(result).toMatchObject({ scanned: 250, matched: 200, done: 200, batches: 5 });
    expect(Math.max(...calls.map((c) => c.size))).toBeLessThanOrEqual(40);
    // Retries start long before the scan ends: no list of every match is built first.
    const firstRetry = calls.findIndex((c) => c.op === 'retry');
    expect(firstRetry).toBeLessThan(3);
    expect(calls.slice(firstRetry).some((c) => c.op === 'scan')).toBe(true);
    expect((await driver.failedList({ limit: 100 })).map((r) => r.name)).toEqual(Array(50).fill('Other'));
  });

  it('leaves alone jobs that fail again after the scan started', async () => {
    await fail(driver, [
      { name: 'A', message: 'x' },
      { name: 'A', message: 'x' },
    ]);
    await sleep(2);
    const refailing: Driver = Object.create(driver);
    let retries = 0;
    refailing.failedRetry = async (options) => {
      retries += 1;
      const done = await driver.failedRetry(options);
      await sleep(2);
      // A worker picks the retried jobs up at once and they fail again.
      for (const job of await driver.jobReserve({ queues: ['default'], workerId: 'w', leaseMs: 1000, limit: 10 }))
        await driver.jobFail({ id: job.envelope.id, token: job.token, error: { message: 'x' } });
      return done;
    };
    const result = await bulkFailed(refailing, {}, { action: 'retry', batchSize: 1 });
    expect(result).toMatchObject({ matched: 2, done: 2 });
    expect(retries).toBe(2);
    expect((await driver.failedList({ limit: 10 })).length).toBe(2);
  });
});
