// A bench worker process: `node sqlite-worker.mjs qtool|plainjob <db> <mode> [concurrency]`.
// plainjob has no concurrency setting: it always runs one job at a time.
// mode 'drain': process until the queue is empty, print {start,end,count}.
// mode 'latency': run until SIGTERM, print one dispatch-to-start latency (ms) per job; on exit, CPU used while idle.
import { performance } from 'node:perf_hooks';

const [kind, db, mode, concurrency = '1'] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
let count = 0;
let start = 0;

if (kind === 'qtool') {
  const { createSqliteDriver } = await import('../dist/drivers/sqlite/index.js');
  const { Worker } = await import('../dist/core/worker.js');
  // As `qtool work` sets up its process (src/core/young-generation.ts).
  const { keepYoungGenerationSmall } = await import('../dist/core/young-generation.js');
  keepYoungGenerationSmall();
  const driver = createSqliteDriver({ path: db });
  const worker = new Worker({
    driver,
    queues: ['bench'],
    concurrency: Number(concurrency),
    defaults: { tries: 1, backoff: 0, timeout: 0 },
    stopWhenEmpty: mode === 'drain',
    sleepMs: mode === 'drain' ? 50 : 5000,
    heartbeatMs: 60_000,
    jobs: {
      Noop: {
        handle(data) {
          if (count === 0) start = now();
          count += 1;
          if (mode === 'latency') process.stdout.write(`${now() - data.sentAt}\n`);
        },
      },
    },
  });
  process.on('SIGTERM', () => worker.stop());
  const cpu = process.cpuUsage();
  await worker.run();
  const used = process.cpuUsage(cpu);
  if (mode === 'drain') console.log(JSON.stringify({ start, end: now(), count }));
  else console.log(`cpu ${(used.user + used.system) / 1000}`);
  await driver.close();
} else {
  const { default: Database } = await import('better-sqlite3');
  const { better, defineQueue, defineWorker } = await import('plainjob');
  const queue = defineQueue({ connection: better(new Database(db)) });
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  const worker = defineWorker(
    'Noop',
    (job) => {
      if (count === 0) start = now();
      count += 1;
      if (mode === 'latency') process.stdout.write(`${now() - JSON.parse(job.data).sentAt}\n`);
    },
    { queue, logger: silent, pollIntervall: mode === 'latency' ? 1 : 10 },
  );
  const cpu = process.cpuUsage();
  if (mode === 'drain') {
    const timer = setInterval(() => {
      if (queue.countJobs({ status: 0 }) === 0) {
        clearInterval(timer);
        void worker.stop();
      }
    }, 20);
  } else process.on('SIGTERM', () => void worker.stop());
  await worker.start();
  const used = process.cpuUsage(cpu);
  if (mode === 'drain') console.log(JSON.stringify({ start, end: now(), count }));
  else console.log(`cpu ${(used.user + used.system) / 1000}`);
  queue.close();
}
