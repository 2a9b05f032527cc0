// Server time of the worker's two scripts per job: `node bench/redis-script-cost.mjs [jobs] [batch]`.
// Reserves `jobs` no-op jobs `batch` at a time (with their job.processing events), then completes
// them in groups of `batch` (each with a job.completed event), reading Redis's own per-command
// time (INFO commandstats, evalsha) before and after each phase. Redis at 127.0.0.1:6379, db 0.
import { Redis } from 'ioredis';
import { dispatchJobs } from '../dist/core/dispatch.js';
import { createRedisDriver } from '../dist/drivers/redis/index.js';
import { dropRedisPrefix } from './lib.mjs';

const jobs = Number(process.argv[2] ?? 20_000);
const batch = Number(process.argv[3] ?? 50);
const url = 'redis://127.0.0.1:6379/0';
const prefix = `qtool-script-cost-${process.pid}:`;
const driver = createRedisDriver({ url, prefix });
const redis = new Redis(url);
const evalshaUs = async () => {
  const match = (await redis.info('commandstats')).match(/cmdstat_evalsha:calls=\d+,usec=(\d+)/);
  return match ? Number(match[1]) : 0;
};
try {
  await dispatchJobs(
    driver,
    Array.from({ length: jobs }, (_, n) => ({ name: 'Noop', queue: 'bench', data: { n } })),
    { batchSize: 1000 },
  );
  const taken = [];
  let before = await evalshaUs();
  while (taken.length < jobs) {
    const got = await driver.jobReserve({
      queues: ['bench'],
      workerId: 'w',
      leaseMs: 60_000,
      limit: batch,
      emitEvents: true,
    });
    if (got.length === 0) break;
    taken.push(...got);
  }
  const reserveUs = (await evalshaUs()) - before;
  before = await evalshaUs();
  for (let i = 0; i < taken.length; i += batch) {
    await Promise.all(
      taken.slice(i, i + batch).map((job) =>
        driver.jobComplete({
          id: job.envelope.id,
          token: job.token,
          events: [
            {
              name: 'job.completed',
              queue: 'bench',
              jobId: job.envelope.id,
              jobName: 'Noop',
              attempt: 1,
              workerId: 'w',
              durationMs: 0,
            },
          ],
        }),
      ),
    );
  }
  const completeUs = (await evalshaUs()) - before;
  const per = (us) => (us / taken.length).toFixed(1);
  console.log(
    `${taken.length} jobs, ${batch} a call: reserve ${per(reserveUs)} us/job, complete ${per(completeUs)} us/job (Redis server time)`,
  );
} finally {
  await driver.close();
  redis.disconnect();
  await dropRedisPrefix(prefix, url);
}
