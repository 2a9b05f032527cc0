import { describe, expect, it } from 'vitest';
import { dispatchJobs } from '../../src/core/dispatch.js';
import { Worker } from '../../src/core/worker.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';
import type { Driver } from '../../src/drivers/types.js';

const defaults = { tries: 1, backoff: 0, timeout: 0 };

/** `count` jobs named `name` on queue q, with data { n } numbering them from 0. */
function dispatchNumbered(driver: Driver, name: string, count: number) {
  return dispatchJobs(
    driver,
    Array.from({ length: count }, (_, n) => ({ name, queue: 'q', data: { n } })),
  );
}

describe('Worker slots', () => {
  it('with --max-jobs below its concurrency, takes no more jobs than it may run', async () => {
    const driver = createMemoryDriver();
    await dispatchNumbered(driver, 'Slow', 10);
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

  it('with --max-jobs, counts the jobs of a large reserve that start a turn later as taken', async () => {
    const driver = createMemoryDriver();
    // As on Redis: a reserve for more than 16 slots hands its second half over a turn later.
    Object.assign(driver.capabilities, { pipelinedReserve: true });
    await dispatchNumbered(driver, 'Quick', 1000);
    const ran: number[] = [];
    const worker = new Worker({
      driver,
      queues: ['q'],
      concurrency: 50,
      maxJobs: 130,
      sleepMs: 50,
      defaults,
      jobs: { Quick: { handle: (data) => void ran.push((data as { n: number }).n) } },
    });
    expect(await worker.run()).toBe('max_jobs');
    expect(ran).toHaveLength(130);
    const [stats] = await driver.queueStats();
    expect(stats).toMatchObject({ queue: 'q', pending: 870, reserved: 0 });
  });

  it('at concurrency 8 runs every job once, the slots sharing their reserves', async () => {
    const driver = createMemoryDriver();
    await dispatchNumbered(driver, 'Count', 200);
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

  it('asks for the next job while the last acknowledgement is still on its way to the store', async () => {
    const driver = createMemoryDriver();
    await dispatchNumbered(driver, 'Quick', 3);
    const steps: string[] = [];
    const complete = driver.jobComplete.bind(driver);
    driver.jobComplete = async (options) => {
      steps.push('ack sent');
      await new Promise((r) => setTimeout(r, 30));
      const ok = await complete(options);
      steps.push('ack stored');
      return ok;
    };
    const reserve = driver.jobReserve.bind(driver);
    driver.jobReserve = (options) => {
      steps.push('reserve');
      return reserve(options);
    };
    const results: string[] = [];
    const worker = new Worker({
      driver,
      queues: ['q'],
      stopWhenEmpty: true,
      sleepMs: 5000,
      defaults,
      onResult: (result) => results.push(result.status),
      jobs: { Quick: { handle() {} } },
    });
    const started = Date.now();
    expect(await worker.run()).toBe('empty');
    // The slot's next reserve goes out before the previous acknowledgement is stored ...
    expect(steps.slice(0, 4)).toEqual(['reserve', 'ack sent', 'reserve', 'ack sent']);
    // ... every outcome is still recorded before run() returns, and an empty queue stops the
    // worker as soon as the last one lands, not after a --sleep.
    expect(results).toEqual(['completed', 'completed', 'completed']);
    expect(steps.filter((s) => s === 'ack stored')).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await driver.queueStats()).toEqual([expect.objectContaining({ pending: 0, reserved: 0 })]);
  });

  it('sees a failure through (failed() hook, failed store) before the slot starts its next job', async () => {
    const driver = createMemoryDriver();
    await dispatchJobs(driver, [
      { name: 'Breaks', queue: 'q', data: {} },
      { name: 'Next', queue: 'q', data: {} },
    ]);
    const order: string[] = [];
    const worker = new Worker({
      driver,
      queues: ['q'],
      stopWhenEmpty: true,
      sleepMs: 50,
      defaults,
      jobs: {
        Breaks: {
          handle() {
            throw new Error('broken');
          },
          async failed() {
            await new Promise((r) => setTimeout(r, 30));
            order.push('failed hook done');
          },
        },
        Next: {
          handle() {
            order.push('next job runs');
          },
        },
      },
    });
    expect(await worker.run()).toBe('empty');
    expect(order).toEqual(['failed hook done', 'next job runs']);
  });

  it('a forced stop aborts a running handler through ctx.signal, and the job goes back unharmed', async () => {
    const driver = createMemoryDriver();
    await dispatchJobs(driver, [{ name: 'Waits', queue: 'q', data: {} }]);
    let reason: unknown;
    const worker = new Worker({
      driver,
      queues: ['q'],
      sleepMs: 50,
      defaults,
      jobs: {
        Waits: {
          handle: (_data, ctx) =>
            new Promise<void>((resolve) => {
              ctx.signal.addEventListener('abort', () => {
                reason = ctx.signal.reason;
                resolve();
              });
              setTimeout(() => worker.stop('interrupted', true), 20);
            }),
        },
      },
    });
    expect(await worker.run()).toBe('forced');
    expect(reason).toBe('worker shutting down');
    const [stats] = await driver.queueStats();
    expect(stats).toMatchObject({ pending: 1, reserved: 0, failed: 0 });
  });

  it('--max-time stops a worker whose reserve is still waiting on the store', async () => {
    const driver = createMemoryDriver();
    // A store that never answers a reserve until the worker gives up waiting (a stalled connection).
    driver.jobReserve = (options) =>
      new Promise((resolve) => options.signal?.addEventListener('abort', () => resolve([]), { once: true }));
    const worker = new Worker({ driver, queues: ['q'], sleepMs: 60_000, maxTimeMs: 100, defaults, jobs: {} });
    const started = performance.now();
    expect(await worker.run()).toBe('max_time');
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
