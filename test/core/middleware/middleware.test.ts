import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rateLimited } from '../../../src/core/middleware/rate-limited.js';
import { skipIf } from '../../../src/core/middleware/skip.js';
import { throttlesExceptions } from '../../../src/core/middleware/throttles-exceptions.js';
import { withoutOverlapping } from '../../../src/core/middleware/without-overlapping.js';
import { createMemoryDriver } from '../../../src/drivers/memory/index.js';
import type { Driver } from '../../../src/drivers/types.js';
import { dispatch, workUntilEmpty } from '../../helpers/in-process.js';

let driver: Driver;
beforeEach(() => {
  driver = createMemoryDriver();
});
afterEach(() => driver.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withoutOverlapping', () => {
  it('runs jobs with one key strictly one at a time, a busy lock costing no try', async () => {
    const intervals: [number, number][] = [];
    await dispatch(
      driver,
      Array.from({ length: 6 }, () => ({ name: 'Work', tries: 1 })),
    );
    const results = await workUntilEmpty(
      driver,
      {
        Work: {
          middleware: () => [withoutOverlapping('shared-key').releaseAfter(0)],
          async handle() {
            const start = Date.now();
            await sleep(20);
            intervals.push([start, Date.now()]);
          },
        },
      },
      { concurrency: 3 },
    );
    expect(results.filter((r) => r.status === 'completed')).toHaveLength(6);
    expect(
      results
        .filter((r) => r.status === 'released')
        .every((r) => /overlap lock overlap:Work:shared-key/.test(r.reason ?? '')),
    ).toBe(true);
    intervals.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < intervals.length; i++) expect(intervals[i]![0]).toBeGreaterThanOrEqual(intervals[i - 1]![1]);
    expect(await driver.lockList()).toEqual([]);
    const lockEvents = (await driver.eventsRead({ afterId: null, limit: 1000 }))
      .map((e) => e.name)
      .filter((n) => n.startsWith('lock.'));
    expect(lockEvents.filter((n) => n === 'lock.acquired')).toHaveLength(6);
    expect(lockEvents.filter((n) => n === 'lock.released')).toHaveLength(6);
    expect(lockEvents).toContain('lock.busy');
  });

  it('with dontRelease drops the overlapping job as done, and releases the lock after an error', async () => {
    await driver.lockAcquire({ key: 'overlap:Work:k', owner: 'someone-else', ttlMs: null });
    await dispatch(driver, [{ name: 'Work' }]);
    const jobs = { Work: { middleware: () => [withoutOverlapping('k').dontRelease()], handle() {} } };
    expect((await workUntilEmpty(driver, jobs)).map((r) => r.status)).toEqual(['deleted']);
    await driver.lockForceRelease(['overlap:Work:k']);

    await dispatch(driver, [{ name: 'Boom' }]);
    const failing = {
      Boom: {
        middleware: () => [withoutOverlapping('k').shared()],
        handle() {
          throw new Error('x');
        },
      },
    };
    expect((await workUntilEmpty(driver, failing)).map((r) => r.status)).toEqual(['failed']);
    expect(await driver.lockList()).toEqual([]);
  });

  it('an expired lock taken over by another owner is not released by the first', async () => {
    let release: () => void = () => {};
    await dispatch(driver, [{ name: 'Slow' }]);
    const run = workUntilEmpty(driver, {
      Slow: {
        middleware: () => [withoutOverlapping('k').expireAfter(0.05)],
        handle: () =>
          new Promise<void>((r) => {
            release = r;
          }),
      },
    });
    await sleep(120);
    expect(await driver.lockAcquire({ key: 'overlap:Slow:k', owner: 'newcomer', ttlMs: null })).toBe(true);
    release();
    await run;
    expect((await driver.lockList()).map((l) => l.owner)).toEqual(['newcomer']);
  });
});

describe('throttlesExceptions', () => {
  it('trips after maxExceptions and holds later attempts until the window lapses; success clears', async () => {
    let calls = 0;
    let succeed = false;
    const jobs = {
      Api: {
        tries: 0,
        middleware: () => [throttlesExceptions(3, '1s')],
        handle() {
          calls += 1;
          if (!succeed) throw new Error('503 from upstream');
        },
      },
    };
    await dispatch(driver, [{ name: 'Api' }]);
    const results: string[] = [];
    const stopAfter = workUntilEmpty(driver, jobs, {
      onResult: (r) => {
        results.push(r.reason ?? r.status);
        if (results.length === 4) succeed = true;
      },
    });
    await stopAfter;
    expect(results.slice(0, 3).every((r) => /exception counted by throttle:Api/.test(r))).toBe(true);
    expect(results[3]).toMatch(/throttled by throttle:Api \(3\/3\)/);
    expect(calls).toBe(4);
    expect(results.at(-1)).toBe('completed');
    expect(await driver.counterGet('throttle:Api')).toBeNull();
    const tripped = (await driver.eventsRead({ afterId: null, limit: 1000 })).filter(
      (e) => e.name === 'throttle.tripped',
    );
    expect(tripped).toMatchObject([{ details: { key: 'throttle:Api', count: 3 } }]);
  });

  it('rethrows errors that when() rejects, and deleteWhen / failWhen act on the job', async () => {
    await dispatch(driver, [
      { name: 'A', data: 'delete' },
      { name: 'A', data: 'fail' },
      { name: 'A', data: 'other' },
    ]);
    const results = await workUntilEmpty(
      driver,
      {
        A: {
          tries: 5,
          middleware: () => [
            throttlesExceptions(10, '1m')
              .when((e) => e.message !== 'other')
              .deleteWhen((e) => e.message === 'delete')
              .failWhen((e) => e.message === 'fail'),
          ],
          handle(data: string) {
            if (data === 'other') throw new Error('other');
            throw new Error(data);
          },
        },
      },
      { stopWhenEmpty: false, maxJobs: 3 },
    );
    expect(results.map((r) => r.status)).toEqual(['deleted', 'failed', 'released']);
    expect(results[2]!.reason).toBe('other');
  });
});

describe('rateLimited and skip', () => {
  it('lets max jobs per window through and holds the rest without using tries', async () => {
    await dispatch(
      driver,
      Array.from({ length: 3 }, () => ({ name: 'Call' })),
    );
    const started: number[] = [];
    const results = await workUntilEmpty(
      driver,
      {
        Call: {
          middleware: () => [rateLimited('api')],
          handle() {
            started.push(Date.now());
          },
        },
      },
      { limiters: { api: { max: 2, per: '1s' } } },
    );
    expect(started).toHaveLength(3);
    expect(started[2]! - started[0]!).toBeGreaterThanOrEqual(500);
    expect(results.filter((r) => r.status === 'released')[0]?.reason).toMatch(/rate limit rate:api reached/);
  });

  it('keeps a separate window per key when the limiter has `by`', async () => {
    await dispatch(driver, [
      { name: 'Call', data: { tenant: 'a' } },
      { name: 'Call', data: { tenant: 'b' } },
      { name: 'Call', data: { tenant: 'a' } },
    ]);
    const results = await workUntilEmpty(
      driver,
      { Call: { middleware: () => [rateLimited('perTenant')], handle() {} } },
      { limiters: { perTenant: { max: 1, per: '1s', by: (data) => (data as { tenant: string }).tenant } } },
    );
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'released', 'completed']);
    expect(results[2]?.reason).toMatch(/rate:perTenant:a reached/);
  });

  it('skipIf drops the job as done', async () => {
    await dispatch(driver, [
      { name: 'S', data: { skip: true } },
      { name: 'S', data: { skip: false } },
    ]);
    let ran = 0;
    const results = await workUntilEmpty(driver, {
      S: {
        middleware: () => [skipIf((d) => (d as { skip: boolean }).skip)],
        handle() {
          ran += 1;
        },
      },
    });
    expect(results.map((r) => r.status)).toEqual(['deleted', 'completed']);
    expect(ran).toBe(1);
  });
});
