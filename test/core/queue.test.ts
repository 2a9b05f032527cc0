import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineJob } from '../../src/core/define.js';
import { createQueue, OnceScope, once, type Queue } from '../../src/core/queue.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';
import type { Driver } from '../../src/drivers/types.js';

const ran: string[] = [];
const config = {
  jobs: {
    Greet: defineJob<{ name: string }>({
      handle(data) {
        ran.push(`greet ${data.name}`);
      },
    }),
    Step: defineJob<{ n: number }>({
      handle(data) {
        ran.push(`step ${data.n}`);
        if (data.n === 2 && failSecond) throw new Error('step 2 broke');
      },
    }),
    Catch: defineJob<{ failed: { job: string; id: string; error: string } }>({
      handle(data) {
        ran.push(`catch ${data.failed.job} ${data.failed.error}`);
      },
    }),
    Skip: defineJob({
      handle(_data, ctx) {
        ran.push('skip');
        ctx.delete();
      },
    }),
  },
};
let failSecond = false;
let driver: Driver;
let queue: Queue<typeof config>;

beforeEach(() => {
  ran.length = 0;
  failSecond = false;
  driver = createMemoryDriver();
  queue = createQueue({ config, driver });
});
afterEach(() => queue.close());

async function drain(queues = ['default']) {
  const worker = await queue.worker({
    queues,
    stopWhenEmpty: true,
    sleepMs: 20,
    defaults: { tries: 1, backoff: 0, timeout: 0 },
  });
  await worker.run();
}
const pending = async () => (await driver.queueStats()).reduce((n, q) => n + q.pending + q.delayed, 0);

describe('PendingDispatch', () => {
  it('dispatches once when awaited, with its fluent options', async () => {
    const pendingDispatch = queue.dispatch('Greet', { name: 'ann' }).onQueue('mail').delay('10m').tries(3);
    const id = await pendingDispatch;
    expect(await pendingDispatch).toBe(id);
    const job = await driver.jobGet(id);
    expect(job).toMatchObject({ state: 'delayed', envelope: { queue: 'mail', maxTries: 3 } });
    expect(await pending()).toBe(1);
  });

  it('dispatches once when its using scope ends, and once when both scoped and awaited', async () => {
    {
      await using _scoped = queue.dispatch('Greet', { name: 'scoped' });
    }
    expect(await pending()).toBe(1);
    {
      await using both = queue.dispatch('Greet', { name: 'both' });
      await both;
    }
    expect(await pending()).toBe(2);
  });

  it('reports and sends a dispatch that was neither awaited nor scoped when the queue closes', async () => {
    queue.dispatch('Greet', { name: 'forgotten' });
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const other = createQueue({ config, driver: createMemoryDriver() });
      await other.close();
    } finally {
      process.stderr.write = original;
    }
    expect(writes.join('')).toMatch(/never awaited nor scoped/);
  });

  it('dispatchIf / dispatchUnless evaluate the condition first', async () => {
    expect(await queue.dispatchIf(false, 'Greet', { name: 'no' })).toBeNull();
    expect(await queue.dispatchIf(() => true, 'Greet', { name: 'yes' })).toMatch(/^[0-9A-Z]{26}$/);
    expect(await queue.dispatchUnless(true, 'Greet', { name: 'no' })).toBeNull();
    expect(await pending()).toBe(1);
  });

  it('dispatchSync runs inline now and rejects with the job error', async () => {
    const result = await queue.dispatchSync('Greet', { name: 'now' });
    expect(result.status).toBe('completed');
    expect(ran).toEqual(['greet now']);
    failSecond = true;
    await expect(queue.dispatchSync('Step', { n: 2 })).rejects.toThrow(/step 2 broke/);
    expect(await pending()).toBe(0);
  });
});

describe('chains', () => {
  it('run strictly in order', async () => {
    await queue
      .chain([
        { name: 'Step', data: { n: 1 } },
        { name: 'Step', data: { n: 2 } },
        { name: 'Step', data: { n: 3 } },
      ])
      .dispatch();
    expect(await pending()).toBe(1);
    await drain();
    expect(ran).toEqual(['step 1', 'step 2', 'step 3']);
  });

  it('stop at a final failure: the third never runs and catch runs once with the error', async () => {
    failSecond = true;
    const { chainId } = await queue
      .chain([
        { name: 'Step', data: { n: 1 } },
        { name: 'Step', data: { n: 2 } },
        { name: 'Step', data: { n: 3 } },
      ])
      .catch('Catch')
      .dispatch();
    await drain();
    expect(ran).toEqual(['step 1', 'step 2', 'catch Step step 2 broke']);
    const failed = await driver.failedList({ limit: 10 });
    expect(failed).toHaveLength(1);
    expect(failed[0]?.envelope.chain?.id).toBe(chainId);
  });

  it('continue past a link that deletes itself, and the chain queue applies to links naming none', async () => {
    await queue
      .chain([
        { name: 'Skip' },
        { name: 'Step', data: { n: 9 }, queue: 'own' },
        { name: 'Greet', data: { name: 'end' } },
      ])
      .onQueue('chained')
      .dispatch();
    await drain(['chained', 'own']);
    expect(ran).toEqual(['skip', 'step 9', 'greet end']);
  });
});

describe('batches', () => {
  it('run jobs in parallel and dispatch then and finally once all succeeded', async () => {
    const id = await queue
      .batch([1, 2, 3].map((n) => ({ name: 'Step' as const, data: { n } })))
      .onSuccess('Greet', { name: 'then' })
      .onFinish('Greet', { name: 'finally' })
      .name('steps')
      .dispatch();
    await drain();
    expect(ran.filter((r) => r.startsWith('step')).sort()).toEqual(['step 1', 'step 2', 'step 3']);
    expect(ran.filter((r) => r.startsWith('greet'))).toEqual(['greet then', 'greet finally']);
    expect(await driver.batchGet(id)).toMatchObject({ name: 'steps', total: 3, pending: 0, failed: 0 });
  });
});

describe('transactions', () => {
  it('hold dispatches until commit and drop them on rollback', async () => {
    const id = await queue.transaction(async (tx) => {
      const promised = await tx.dispatch('Greet', { name: 'committed' });
      expect(await pending()).toBe(0);
      return promised;
    });
    expect(await pending()).toBe(1);
    expect((await driver.jobGet(id))?.envelope.data).toEqual({ name: 'committed' });

    await expect(
      queue.transaction(async (tx) => {
        await tx.dispatch('Greet', { name: 'rolled back' });
        await queue.dispatch('Greet', { name: 'also held' }).afterCommit();
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await pending()).toBe(1);
  });

  it('beforeCommit sends at once inside a transaction', async () => {
    await queue.transaction(async (tx) => {
      await tx.dispatch('Greet', { name: 'now' }).beforeCommit();
      expect(await pending()).toBe(1);
    });
  });
});

describe('events', () => {
  it('queue.on delivers matching events with wildcards until unsubscribed', async () => {
    const seen: string[] = [];
    const stop = queue.on(['job.processed', 'chain.*'], (event) => seen.push(`${event.name} ${event.jobName}`));
    await new Promise((r) => setTimeout(r, 50));
    await queue
      .chain([
        { name: 'Greet', data: { name: 'a' } },
        { name: 'Greet', data: { name: 'b' } },
      ])
      .dispatch();
    await drain();
    const deadline = Date.now() + 3000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stop();
    expect(seen).toEqual(['job.processed Greet', 'job.processed Greet', 'chain.completed Greet']);
  });
});

describe('once', () => {
  it('runs a function once per key and scope', () => {
    let calls = 0;
    const scope = new OnceScope();
    expect([1, 2, 3].map(() => once('invoice:7', () => ++calls, scope))).toEqual([1, 1, 1]);
    scope.clear();
    expect(once('invoice:7', () => ++calls, scope)).toBe(2);
  });
});
