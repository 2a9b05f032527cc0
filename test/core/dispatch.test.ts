import { describe, expect, it } from 'vitest';
import { dispatchJobs } from '../../src/core/dispatch.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';
import type { Driver, PushOptions } from '../../src/drivers/types.js';

/** A memory store that claims pipelinedPush, stores each push at once and answers after a delay of our choosing. */
function slowPipelinedDriver(delayFor: (call: number) => number) {
  const inner = createMemoryDriver();
  let inFlight = 0;
  const seen = { maxInFlight: 0, calls: 0, fences: new Set<string | undefined>() };
  const driver = new Proxy(inner, {
    get(target, property) {
      if (property === 'capabilities') return { ...target.capabilities, pipelinedPush: true };
      if (property === 'jobPush')
        return async (envelopes: Parameters<Driver['jobPush']>[0], options: PushOptions) => {
          const call = seen.calls++;
          seen.fences.add(options.fence);
          seen.maxInFlight = Math.max(seen.maxInFlight, ++inFlight);
          const stored = await target.jobPush(envelopes, options); // stored in the order sent, as on Redis
          await new Promise((r) => setTimeout(r, delayFor(call)));
          inFlight--;
          return stored;
        };
      return Reflect.get(target, property);
    },
  }) as Driver;
  return { driver, seen };
}

describe('dispatchJobs on a driver that takes pipelined pushes', () => {
  it('keeps up to three batches in flight under one fence, and answers in input order', async () => {
    // Later batches answer first: results and progress must still follow the input.
    const { driver, seen } = slowPipelinedDriver((call) => 40 - call * 5);
    const inputs = Array.from({ length: 25 }, (_, n) => ({ name: 'Job', queue: 'q', data: { n } }));
    const progress: number[] = [];
    const { results } = await dispatchJobs(driver, inputs, { batchSize: 4, onProgress: (done) => progress.push(done) });
    expect(seen.calls).toBe(7);
    expect(seen.maxInFlight).toBe(3);
    expect(seen.fences.size).toBe(1);
    expect([...seen.fences][0]).toMatch(/\S{10,}/);
    expect(progress).toEqual([4, 8, 12, 16, 20, 24, 25]);
    const stored = await driver.jobList({ queue: 'q', state: 'pending', limit: 100 });
    expect(results.map((r) => r.id)).toEqual(stored.map((r) => r.envelope.id));
    expect(stored.map((r) => (r.envelope.data as { n: number }).n)).toEqual(inputs.map((_, n) => n));
  });

  it('pushes a dispatch of one batch alone, without a fence', async () => {
    const { driver, seen } = slowPipelinedDriver(() => 1);
    await dispatchJobs(driver, [{ name: 'Job', queue: 'q' }], { batchSize: 4 });
    expect([...seen.fences]).toEqual([undefined]);
  });

  it('measures data in UTF-8 bytes: multi-byte text at the limit passes, one byte over is refused', async () => {
    const { driver } = slowPipelinedDriver(() => 1);
    // JSON of a string adds its two quotes: 'é' is 2 bytes, '😀' 4 (two UTF-16 units).
    const at = [
      { name: 'Job', data: 'é'.repeat(511) },
      { name: 'Job', data: '😀'.repeat(255) + 'ab' },
    ];
    for (const input of at) {
      expect(Buffer.byteLength(JSON.stringify(input.data))).toBe(1024);
      await expect(dispatchJobs(driver, [input], { maxJobBytes: 1024 })).resolves.toBeDefined();
    }
    const over = { name: 'Job', data: `${'é'.repeat(511)}x` };
    await expect(dispatchJobs(driver, [over], { maxJobBytes: 1024 })).rejects.toThrow(/over the 1KB job size limit/);
  });

  it('checks every job before the first push: a bad one in a late batch dispatches none', async () => {
    const { driver, seen } = slowPipelinedDriver(() => 1);
    const inputs = Array.from({ length: 30 }, (_, n) => ({ name: 'Job', queue: 'q', data: { n } }));
    const oversized = [
      ...inputs.slice(0, 25),
      { name: 'Job', queue: 'q', data: 'x'.repeat(2048) },
      ...inputs.slice(25),
    ];
    await expect(dispatchJobs(driver, oversized, { batchSize: 4, maxJobBytes: 1024 })).rejects.toThrow(
      /job at index 25 \(Job\) has [\d.]+KB of data, over the 1KB job size limit/,
    );
    const keyOf = (data: unknown) => {
      if ((data as { n: number }).n === 27) throw new Error('no key for job 27');
      return `k${(data as { n: number }).n}`;
    };
    const jobs = { Job: { handle() {}, unique: { key: keyOf } } };
    await expect(dispatchJobs(driver, inputs, { batchSize: 4, jobs })).rejects.toThrow('no key for job 27');
    expect(seen.calls).toBe(0);
    expect(await driver.jobList({ queue: 'q', state: 'pending', limit: 100 })).toEqual([]);
  });

  it("builds each envelope with its definition's queue and unique key, and pushes the data as given", async () => {
    const { driver } = slowPipelinedDriver(() => 1);
    const jobs = {
      Job: { handle() {}, queue: 'defined', unique: { key: (data: unknown) => `k${(data as { n: number }).n}` } },
    };
    const inputs = Array.from({ length: 9 }, (_, n) => ({ name: 'Job', data: { n } }));
    await dispatchJobs(driver, inputs, { batchSize: 4, jobs });
    const stored = await driver.jobList({ queue: 'defined', state: 'pending', limit: 100 });
    expect(stored.map((r) => [r.envelope.unique?.key, r.envelope.data])).toEqual(
      inputs.map((i) => [`k${i.data.n}`, i.data]),
    );
  });
});
