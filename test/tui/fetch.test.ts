import { describe, expect, it } from 'vitest';
import { dispatchJobs } from '../../src/core/dispatch.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';
import type { Driver, QueueStats } from '../../src/drivers/types.js';
import { createFetcher, type Query, queryOf } from '../../src/tui/fetch.js';
import { RateTracker } from '../../src/tui/rates.js';
import { initialState } from '../../src/tui/state.js';
import { scene, stateAfter } from './fixture.js';

/** A driver that records every call (method and first argument). */
function recording(driver: Driver) {
  const calls: [string, unknown][] = [];
  const proxy = new Proxy(driver, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push([String(prop), args[0]]);
        return value.apply(target, args);
      };
    },
  });
  return { driver: proxy, calls };
}

const NONE: Query = { jobs: null, job: null, failed: null, locks: false, counters: false };

describe('fetcher', () => {
  it('reads counts, workers (lost ones marked), metrics, and what the view needs', async () => {
    const { driver, failedId } = await scene();
    const fetcher = createFetcher(driver);
    const snap = await fetcher.fetch({
      ...NONE,
      failed: { queue: null, offset: 0, limit: 10 },
      locks: true,
      counters: true,
      job: failedId,
    });
    const podcasts = snap.queues.find((q) => q.queue === 'podcasts')!;
    expect([podcasts.pending, podcasts.reserved, podcasts.failed]).toEqual([10, 1, 1]);
    expect(podcasts.perMinute).toHaveLength(30);
    expect(podcasts.waitMs).toBe(1500);
    expect(snap.queues.find((q) => q.queue === 'emails')?.paused).toBe(true);
    expect(snap.workers.map((w) => [w.host, w.lost])).toEqual([
      ['web-1', false],
      ['web-2', true],
    ]);
    expect(snap.failedLastHour).toBeGreaterThan(0);
    expect(snap.failed?.rows.map((f) => f.id)).toEqual([failedId]);
    expect(snap.locks).toHaveLength(1);
    expect(snap.counters).toHaveLength(2);
    expect(snap.job?.record?.state).toBe('failed');
    expect(snap.jobs).toBeNull();
  });

  it('asks the store for counts and LIMITed pages only, the same calls for 10 jobs or 20,000', async () => {
    const callsFor = async (count: number) => {
      const store = createMemoryDriver();
      await dispatchJobs(
        store,
        Array.from({ length: count }, () => ({ name: 'Noop', queue: 'big' })),
        { batchSize: 5000 },
      );
      const { driver, calls } = recording(store);
      const state = await stateAfter(store, [{ type: 'open' }]);
      const snap = await createFetcher(driver).fetch(queryOf(state));
      expect(snap.jobs?.rows.length).toBe(Math.min(count, 18));
      expect(snap.jobs?.total).toBe(count);
      return calls.map(([method, arg]) => [method, method === 'metricsRead' ? 'since an hour ago' : arg]);
    };
    const small = await callsFor(10);
    const large = await callsFor(20_000);
    expect(large).toEqual(small);
    expect(large.map(([method]) => method).sort()).toEqual([
      'jobList',
      'metricsRead',
      'now',
      'queueStats',
      'workerList',
    ]);
    expect(large.find(([method]) => method === 'jobList')?.[1]).toEqual({
      queue: 'big',
      state: 'pending',
      limit: 18,
      offset: 0,
    });
  });

  it('pages follow the cursor: page 2 of a queue is read with an offset', () => {
    const state = initialState({ columns: 80, rows: 24 });
    const deep = {
      ...state,
      stacks: {
        ...state.stacks,
        queues: [{ kind: 'queue' as const, queue: 'big', tab: 'pending' as const, cursor: 40 }],
      },
    };
    expect(queryOf(deep).jobs).toEqual({ queue: 'big', tab: 'pending', offset: 36, limit: 18 });
  });

  it('re-reads metrics only every few seconds', async () => {
    const { driver, calls } = recording((await scene()).driver);
    const fetcher = createFetcher(driver, { metricsEveryMs: 60_000 });
    await fetcher.fetch(NONE);
    await fetcher.fetch(NONE);
    expect(calls.filter(([m]) => m === 'metricsRead')).toHaveLength(1);
  });
});

describe('rates', () => {
  const stats = (processedTotal: number): QueueStats[] => [
    {
      queue: 'a',
      pending: 0,
      delayed: 0,
      reserved: 0,
      failed: 0,
      waiting: 0,
      paused: false,
      processedTotal,
      failedTotal: 2,
    },
  ];

  it('jobs/min from the totals delta over the last minute of refreshes', () => {
    const tracker = new RateTracker();
    expect(tracker.sample(0, stats(100)).get('a')).toBeNull();
    expect(tracker.sample(30_000, stats(130)).get('a')).toBe(60);
    // Samples older than a minute drop out of the window.
    tracker.sample(90_000, stats(130));
    expect(tracker.sample(100_000, stats(140)).get('a')).toBeCloseTo(10 / (70 / 60));
  });

  it('a store whose totals went down (flushed) shows no rate rather than a negative one', () => {
    const tracker = new RateTracker();
    tracker.sample(0, stats(100));
    expect(tracker.sample(5000, stats(3)).get('a')).toBeNull();
  });
});
