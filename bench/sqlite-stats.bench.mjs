// queueStats on SQLite with 10 jobs and with 1,000,000 (pending, then delayed), beside the COUNT(*)
// scan the version-4 schema ran, on the same file; then qtool's own enqueue and processing
// throughput, to compare with a run of an older build. `node bench/sqlite-stats.bench.mjs`
// (`npm run build` first). Sizes: BENCH_BIG, BENCH_SINGLE, BENCH_BATCHED, BENCH_PROCESS.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { dispatchJobs } from '../dist/core/dispatch.js';
import { createSqliteDriver } from '../dist/drivers/sqlite/index.js';
import { fmt, percentile, rate, removeDir, runChild, table, tempDir } from './lib.mjs';

const BIG = Number(process.env.BENCH_BIG ?? 1_000_000);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 10_000);
const BATCHED = Number(process.env.BENCH_BATCHED ?? 100_000);
const PROCESS = Number(process.env.BENCH_PROCESS ?? 30_000);
const STATS_RUNS = 200;
const worker = fileURLToPath(new URL('./sqlite-worker.mjs', import.meta.url));
const only = process.argv[2]; // 'stats' or 'throughput' runs one half

/** The version-4 per-queue counts: index range COUNT(*)s whose cost is the queue's length. */
const SCAN_V4 = `SELECT
  (SELECT COUNT(*) FROM jobs INDEXED BY jobs_due WHERE queue = $queue AND available_at <= $now) AS due,
  (SELECT COUNT(*) FROM jobs INDEXED BY jobs_due WHERE queue = $queue AND available_at > $now) AS future,
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

async function throughput() {
  const dir = tempDir('qtool-stats-');
  const path = join(dir, 'q.db');
  const driver = createSqliteDriver({ path });
  let t = performance.now();
  for (let i = 0; i < SINGLE; i++) await dispatchJobs(driver, [{ name: 'Noop', queue: 'bench', data: { n: i } }]);
  const single = rate(SINGLE, performance.now() - t);
  const list = Array.from({ length: BATCHED }, (_, n) => ({ name: 'Noop', queue: 'bench', data: { n } }));
  t = performance.now();
  await dispatchJobs(driver, list, { batchSize: 1000 });
  const batched = rate(BATCHED, performance.now() - t);
  await driver.close();
  removeDir(dir);

  const dir2 = tempDir('qtool-stats-');
  const db = join(dir2, 'q.db');
  const filler = createSqliteDriver({ path: db });
  await dispatchJobs(
    filler,
    Array.from({ length: PROCESS }, (_, n) => ({ name: 'Noop', queue: 'bench', data: { n } })),
    { batchSize: 1000 },
  );
  await filler.close();
  const [line] = (await runChild(worker, ['qtool', db, 'drain'])).slice(-1);
  const result = JSON.parse(line);
  removeDir(dir2);
  if (result.count !== PROCESS) throw new Error(`processed ${result.count} of ${PROCESS}`);
  return { single, batched, processed: rate(result.count, result.end - result.start) };
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
    ['throughput (qtool only)', 'jobs/s'],
    [`enqueue one by one (${fmt(SINGLE)})`, fmt(r.single)],
    [`enqueue batched x1000 (${fmt(BATCHED)})`, fmt(r.batched)],
    [`process no-op, 1 worker process (${fmt(PROCESS)})`, fmt(r.processed)],
  ]);
}
