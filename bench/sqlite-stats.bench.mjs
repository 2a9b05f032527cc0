// queueStats on SQLite with 10 jobs and with 1,000,000 (pending, then delayed), beside the COUNT(*)
// scan the version-4 schema ran, on the same file; then qtool's own enqueue and processing
// throughput with CPU time per job, to compare with a run of an older build (copy this file into
// its bench/). `stats` or `throughput` as argument runs one half. `node bench/sqlite-stats.bench.mjs`
// (`npm run build` first). Sizes: BENCH_BIG, BENCH_SINGLE, BENCH_BATCHED, BENCH_PROCESS.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { dispatchJobs } from '../dist/core/dispatch.js';
import { Worker } from '../dist/core/worker.js';
import { createSqliteDriver } from '../dist/drivers/sqlite/index.js';
import { fmt, percentile, rate, removeDir, table, tempDir } from './lib.mjs';

const BIG = Number(process.env.BENCH_BIG ?? 1_000_000);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 10_000);
const BATCHED = Number(process.env.BENCH_BATCHED ?? 100_000);
const PROCESS = Number(process.env.BENCH_PROCESS ?? 30_000);
const STATS_RUNS = 200;
const only = process.argv[2];

/**
 * The version-4 per-queue counts: index range COUNT(*)s whose cost is the queue's length (with
 * `state = 0`, which the partial due index of schema 7 needs to answer them).
 */
const SCAN_V4 = `SELECT
  (SELECT COUNT(*) FROM jobs INDEXED BY jobs_due WHERE queue = $queue AND state = 0 AND available_at <= $now) AS due,
  (SELECT COUNT(*) FROM jobs INDEXED BY jobs_due WHERE queue = $queue AND state = 0 AND available_at > $now) AS future,
  (SELECT COUNT(*) FROM jobs INDEXED BY jobs_reserved WHERE queue = $queue AND state = 1) AS reserved,
  (SELECT COUNT(*) FROM jobs INDEXED BY jobs_waiting WHERE queue = $queue AND waiting_on IS NOT NULL) AS waiting`;

async function median(fn, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return percentile(times, 50);
}

async function statsCase(count, delaySeconds) {
  const dir = tempDir('qtool-stats-');
  const path = join(dir, 'q.db');
  const driver = createSqliteDriver({ path });
  const job = { name: 'Noop', queue: 'bench', data: {}, ...(delaySeconds ? { delaySeconds } : {}) };
  for (let done = 0; done < count; done += 100_000) {
    const n = Math.min(100_000, count - done);
    await dispatchJobs(
      driver,
      Array.from({ length: n }, () => job),
      { batchSize: 1000 },
    );
  }
  const [stats] = await driver.queueStats();
  const expected = delaySeconds ? stats.delayed : stats.pending;
  if (expected !== count) throw new Error(`queueStats says ${JSON.stringify(stats)}, expected ${count}`);
  const ms = await median(() => driver.queueStats(), STATS_RUNS);
  const db = new Database(path, { readonly: true });
  const scan = db.prepare(SCAN_V4);
  const scanMs = await median(() => scan.get({ queue: 'bench', now: Date.now() }), Math.min(STATS_RUNS, 20));
  db.close();
  await driver.close();
  removeDir(dir);
  return { ms, scanMs };
}

/** Wall time and CPU time of `fn` (CPU: this process's user + system, steadier on a busy machine). */
async function timed(fn) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}

const perJob = (count, { ms, cpuMs }) => ({ rate: rate(count, ms), cpuUs: ((cpuMs * 1000) / count).toFixed(1) });

/** Enqueue one by one, batched, then drain with an in-process worker (the bench worker's setup). */
async function throughput() {
  const dir = tempDir('qtool-stats-');
  const path = join(dir, 'q.db');
  const driver = createSqliteDriver({ path });
  const single = await timed(async () => {
    for (let i = 0; i < SINGLE; i++) await dispatchJobs(driver, [{ name: 'Noop', queue: 'bench', data: { n: i } }]);
  });
  const list = Array.from({ length: BATCHED }, (_, n) => ({ name: 'Noop', queue: 'bench', data: { n } }));
  const batched = await timed(() => dispatchJobs(driver, list, { batchSize: 1000 }));
  await driver.close();
  removeDir(dir);

  const dir2 = tempDir('qtool-stats-');
  const db = createSqliteDriver({ path: join(dir2, 'q.db') });
  const jobs = Array.from({ length: PROCESS }, (_, n) => ({ name: 'Noop', queue: 'bench', data: { n } }));
  await dispatchJobs(db, jobs, { batchSize: 1000 });
  let count = 0;
  const worker = new Worker({
    driver: db,
    queues: ['bench'],
    defaults: { tries: 1, backoff: 0, timeout: 0 },
    stopWhenEmpty: true,
    sleepMs: 50,
    heartbeatMs: 60_000,
    jobs: {
      Noop: {
        handle() {
          count += 1;
        },
      },
    },
  });
  const processed = await timed(() => worker.run());
  await db.close();
  removeDir(dir2);
  if (count !== PROCESS) throw new Error(`processed ${count} of ${PROCESS}`);
  return { single: perJob(SINGLE, single), batched: perJob(BATCHED, batched), processed: perJob(PROCESS, processed) };
}

const ms = (n) => `${n.toFixed(3)} ms`;
if (only !== 'throughput') {
  const rows = [['queueStats, one queue', 'qtool (median)', 'v4 COUNT(*) scan (median)']];
  for (const [label, count, delay] of [
    ['10 pending', 10, 0],
    [`${fmt(BIG)} pending`, BIG, 0],
    [`${fmt(BIG)} delayed`, BIG, 3600],
  ]) {
    const r = await statsCase(count, delay);
    rows.push([label, ms(r.ms), ms(r.scanMs)]);
  }
  table(rows);
}
if (only !== 'stats') {
  const r = await throughput();
  console.log('');
  table([
    ['throughput (qtool only, in process)', 'jobs/s', 'CPU µs/job'],
    [`enqueue one by one (${fmt(SINGLE)})`, fmt(r.single.rate), r.single.cpuUs],
    [`enqueue batched x1000 (${fmt(BATCHED)})`, fmt(r.batched.rate), r.batched.cpuUs],
    [`process no-op, 1 in-process worker (${fmt(PROCESS)})`, fmt(r.processed.rate), r.processed.cpuUs],
  ]);
}
