import { describe, expect, it } from 'vitest';
import { dispatchJobs } from '../../src/core/dispatch.js';
import { Worker } from '../../src/core/worker.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';

const defaults = { tries: 1, backoff: 0, timeout: 0 };

describe('Worker slots', () => {
  it('with --max-jobs below its concurrency, takes no more jobs than it may run', async () => {
    const driver = createMemoryDriver();
    await dispatchJobs(
      driver,
      Array.from({ length: 10 }, (_, n) => ({ name: 'Slow', queue: 'q', data: { n } })),
    );
    const ran: number[] = [];
    const worker = new Worker({
      driver,
      queues: ['q'],
      concurrency: 5,
      maxJobs: 3,
      sleepMs: 50,
      defaults,
      jobs: {
        Slow: {
          async handle(data) {
            ran.push((data as { n: number }).n);
            await new Promise((r) => setTimeout(r, 20));
          },
        },
      },
    });
    expect(await worker.run()).toBe('max_jobs');
    expect(ran).toHaveLength(3);
    const [stats] = await driver.queueStats();
    expect(stats).toMatchObject({ queue: 'q', pending: 7, reserved: 0 });
  });

  it('at concurrency 8 runs every job once, the slots sharing their reserves', async () => {
    const driver = createMemoryDriver();
    await dispatchJobs(
      driver,
      Array.from({ length: 200 }, (_, n) => ({ name: 'Count', queue: 'q', data: { n } })),
    );
    const seen = new Map<number, number>();
    const limits: number[] = [];
    const reserve = driver.jobReserve.bind(driver);
    driver.jobReserve = (options) => {
      limits.push(options.limit ?? 1);
      return reserve(options);
    };
    const worker = new Worker({
      driver,
      queues: ['q'],
      concurrency: 8,
      stopWhenEmpty: true,
      sleepMs: 50,
      defaults,
      jobs: {
        Count: {
          handle(data) {
            const n = (data as { n: number }).n;
            seen.set(n, (seen.get(n) ?? 0) + 1);
          },
        },
      },
    });
    expect(await worker.run()).toBe('empty');
    expect(seen.size).toBe(200);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(Math.max(...limits)).toBeGreaterThan(1);
    expect(limits.length).toBeLessThan(200);
  });
});
