// The three Redis queues behind one small interface for the bench: enqueue one, enqueue many,
// and a worker that counts no-op jobs and notes dispatch-to-start latency.
import { performance } from 'node:perf_hooks';

const REDIS = { host: '127.0.0.1', port: 6379 };
const now = () => performance.timeOrigin + performance.now();

export async function openLib(kind, prefix) {
  if (kind === 'qtool') {
    const { createRedisDriver } = await import('../dist/drivers/redis/index.js');
    const { dispatchJobs } = await import('../dist/core/dispatch.js');
    const driver = createRedisDriver({ url: 'redis://127.0.0.1:6379/0', prefix: `${prefix}:` });
    return {
      one: (data) => dispatchJobs(driver, [{ name: 'Noop', queue: 'bench', data }]),
      many: (list) =>
        dispatchJobs(
          driver,
          list.map((data) => ({ name: 'Noop', queue: 'bench', data })),
          { batchSize: 1000 },
        ),
      close: () => driver.close(),
    };
  }
  if (kind === 'bullmq') {
    const { Queue } = await import('bullmq');
    const queue = new Queue('bench', { connection: REDIS, prefix });
    return {
      one: (data) => queue.add('Noop', data, { removeOnComplete: true }),
      many: async (list) => {
        for (let i = 0; i < list.length; i += 1000) {
          await queue.addBulk(
            list.slice(i, i + 1000).map((data) => ({ name: 'Noop', data, opts: { removeOnComplete: true } })),
          );
        }
      },
      close: () => queue.close(),
    };
  }
  const { default: BeeQueue } = await import('bee-queue');
  const queue = new BeeQueue('bench', {
    redis: REDIS,
    prefix,
    isWorker: false,
    getEvents: false,
    sendEvents: false,
    storeJobs: false,
  });
  await queue.ready();
  return {
    one: (data) => queue.createJob(data).setId(undefined).save(),
    many: async (list) => {
      for (let i = 0; i < list.length; i += 1000)
        await queue.saveAll(list.slice(i, i + 1000).map((data) => queue.createJob(data)));
    },
    close: () => queue.close(),
  };
}

/** Start a worker; `onJob(data)` runs per job; returns stop(). */
export async function startWorker(kind, prefix, concurrency, onJob) {
  if (kind === 'qtool') {
    const { createRedisDriver } = await import('../dist/drivers/redis/index.js');
    const { noopWorker } = await import('./lib.mjs');
    // As `qtool work` sets up its process (src/core/young-generation.ts).
    const { keepYoungGenerationSmall } = await import('../dist/core/young-generation.js');
    keepYoungGenerationSmall();
    const driver = createRedisDriver({ url: 'redis://127.0.0.1:6379/0', prefix: `${prefix}:`, reconnect: true });
    const worker = noopWorker(driver, concurrency, onJob);
    const running = worker.run();
    return async () => {
      worker.stop();
      await running;
      await driver.close();
    };
  }
  if (kind === 'bullmq') {
    const { Worker } = await import('bullmq');
    const worker = new Worker('bench', async (job) => onJob(job.data), { connection: REDIS, prefix, concurrency });
    return () => worker.close();
  }
  const { default: BeeQueue } = await import('bee-queue');
  const queue = new BeeQueue('bench', {
    redis: REDIS,
    prefix,
    getEvents: false,
    sendEvents: false,
    storeJobs: false,
    removeOnSuccess: true,
  });
  queue.process(concurrency, async (job) => onJob(job.data));
  return () => queue.close();
}

export { now };

/** Start a worker and resolve once it has run `total` jobs; resolves with its stop(). */
export async function drainWorker(kind, prefix, concurrency, total) {
  let count = 0;
  let done;
  const finished = new Promise((resolve) => {
    done = resolve;
  });
  const stop = await startWorker(kind, prefix, concurrency, () => {
    if (++count === total) done();
  });
  await finished;
  return stop;
}
