import { describe, expect, it } from 'vitest';
import {
  MetricsAggregator,
  MINUTE_MS,
  percentileFromHistogram,
  RUNTIME_BOUNDS_MS,
  summarize,
} from '../../src/core/metrics.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';

describe('metrics', () => {
  it('aggregates attempts per minute, queue and job, and summarizes throughput, runtime, wait and failures', () => {
    const agg = new MetricsAggregator();
    const base = 10 * MINUTE_MS;
    for (let i = 0; i < 90; i++)
      agg.record({ at: base + 1000, queue: 'q', job: 'A', outcome: 'processed', runtimeMs: 8, waitMs: 100 });
    for (let i = 0; i < 10; i++)
      agg.record({ at: base + MINUTE_MS + 5, queue: 'q', job: 'A', outcome: 'failed', runtimeMs: 400 });
    const rows = agg.drain();
    expect(rows).toHaveLength(2);
    expect(agg.drain()).toEqual([]);
    const [summary] = summarize(rows, base + MINUTE_MS + 10, 2);
    expect(summary).toMatchObject({
      queue: 'q',
      processed: 90,
      failed: 10,
      throughput: 50,
      avgWaitMs: 100,
      failureRate: 0.1,
      perMinute: [90, 10],
    });
    expect(summary!.avgRuntimeMs).toBe(47);
    expect(summary!.p95RuntimeMs).toBe(500);
  });

  it('reads the percentile bound from a histogram', () => {
    const histogram = new Array(RUNTIME_BOUNDS_MS.length + 1).fill(0);
    histogram[3] = 95; // <= 10 ms
    histogram[6] = 5; // <= 100 ms
    expect(percentileFromHistogram(histogram, 0.95)).toBe(10);
    expect(percentileFromHistogram(histogram, 0.99)).toBe(100);
  });

  it('merges rows in the store and reads them back from a minute on', async () => {
    const driver = createMemoryDriver();
    const agg = new MetricsAggregator();
    const now = Date.now();
    agg.record({ at: now, queue: 'q', job: 'A', outcome: 'processed', runtimeMs: 3 });
    await driver.metricsAdd(agg.drain());
    agg.record({ at: now, queue: 'q', job: 'A', outcome: 'processed', runtimeMs: 5 });
    await driver.metricsAdd(agg.drain());
    const rows = await driver.metricsRead({ since: now - MINUTE_MS });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ processed: 2, runtimeSumMs: 8 });
    await driver.close();
  });
});
