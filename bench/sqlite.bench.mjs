// SQLite benchmarks: qtool beside plainjob, in one run. See bench/README.md for recorded figures.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { better, defineQueue } from 'plainjob';
import { dispatchJobs } from '../dist/core/dispatch.js';
import { createSqliteDriver } from '../dist/drivers/sqlite/index.js';
import {
  addEnqueueCases,
  caseList,
  cell,
  measureRounds,
  percentile,
  RUNS,
  rate,
  removeDir,
  runChild,
  startChild,
  table,
  tempDir,
} from './lib.mjs';

const SINGLE = Number(process.env.BENCH_SINGLE ?? 20_000);
const BATCHED = Number(process.env.BENCH_BATCHED ?? 200_000);
const PROCESS = Number(process.env.BENCH_PROCESS ?? 50_000);
const LATENCY = Number(process.env.BENCH_LATENCY ?? 300);
const worker = fileURLToPath(new URL('./sqlite-worker.mjs', import.meta.url));

const impls = {
  qtool: {
    open: (db) => {
      const driver = createSqliteDriver({ path: db });
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
    },
  },
  plainjob: {
    open: (db) => {
      const queue = defineQueue({ connection: better(new Database(db)) });
      return {
        one: async (data) => queue.add('Noop', data),
        many: async (list) => {
          for (let i = 0; i < list.length; i += 1000) queue.addMany('Noop', list.slice(i, i + 1000));
        },
        close: async () => queue.close(),
      };
    },
  },
};

async function enqueue(kind) {
  const dir = tempDir('qtool-bench-');
  const db = join(dir, 'q.db');
  const q = impls[kind].open(db);
  let t = performance.now();
  for (let i = 0; i < SINGLE; i++) await q.one({ n: i });
  const single = rate(SINGLE, performance.now() - t);
  const list = Array.from({ length: BATCHED }, (_, n) => ({ n }));
  t = performance.now();
  await q.many(list);
  const batched = rate(BATCHED, performance.now() - t);
  await q.close();
  removeDir(dir);
  return { single, bulk: batched };
}

async function processing(kind, workers, concurrency = 1) {
  const dir = tempDir('qtool-bench-');
  const db = join(dir, 'q.db');
  const q = impls[kind].open(db);
  await q.many(Array.from({ length: PROCESS }, (_, n) => ({ n })));
  await q.close();
  const results = await Promise.all(
    Array.from({ length: workers }, () => runChild(worker, [kind, db, 'drain', String(concurrency)])),
  );
  const parsed = results.map((lines) => JSON.parse(lines.at(-1)));
  const total = parsed.reduce((n, r) => n + r.count, 0);
  const ms = Math.max(...parsed.map((r) => r.end)) - Math.min(...parsed.filter((r) => r.count).map((r) => r.start));
  removeDir(dir);
  if (total !== PROCESS) throw new Error(`${kind}: processed ${total} of ${PROCESS}`);
  return rate(total, ms);
}

async function latency(kind) {
  const dir = tempDir('qtool-bench-');
  const db = join(dir, 'q.db');
  const q = impls[kind].open(db);
  await q.one({ sentAt: 0, warmup: true });
  const { child, onLine } = startChild(worker, [kind, db, 'latency']);
  const samples = [];
  let cpu = null;
  onLine((line) => {
    if (line.startsWith('cpu ')) cpu = Number(line.slice(4));
    else samples.push(Number(line));
  });
  await new Promise((r) => setTimeout(r, 1500));
  samples.length = 0;
  for (let i = 0; i < LATENCY; i++) {
    await q.one({ sentAt: performance.timeOrigin + performance.now() });
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 500));
  // Idle CPU: a fresh worker left alone for 5 s.
  child.kill('SIGTERM');
  await new Promise((r) => child.on('close', r));
  const idle = startChild(worker, [kind, db, 'latency']);
  let idleCpu = null;
  idle.onLine((line) => {
    if (line.startsWith('cpu ')) idleCpu = Number(line.slice(4));
  });
  await new Promise((r) => setTimeout(r, 1000));
  const before = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, 5000));
  idle.child.kill('SIGTERM');
  await new Promise((r) => idle.child.on('close', r));
  const idleMs = Number(process.hrtime.bigint() - before) / 1e6 + 1000;
  await q.close();
  removeDir(dir);
  void cpu;
  return {
    p50: percentile(samples, 50).toFixed(2),
    p99: percentile(samples, 99).toFixed(2),
    idleCpu: idleCpu === null ? '?' : Number(((idleCpu / idleMs) * 100).toFixed(2)),
  };
}

const kinds = ['qtool', 'plainjob'];
console.log(
  `SQLite bench: node ${process.version}, ${SINGLE} single, ${BATCHED} batched, ${PROCESS} processed, ${LATENCY} latency samples`,
);
const cases = await measureRounds(async () => {
  const { measured, add } = caseList();
  await addEnqueueCases(add, kinds, enqueue, 'enqueue batched x1000 (jobs/s)');
  const one = [];
  for (const k of kinds) one.push(await processing(k, 1));
  add('process no-op, 1 worker process (jobs/s)', one);
  // plainjob runs one job at a time; qtool's slots share reserves and commits (see JobFetcher).
  const slots = [await processing('qtool', 1, 10), one[1]];
  add('process no-op, 1 process, concurrency 10 (jobs/s)', slots);
  const four = [];
  for (const k of kinds) four.push(await processing(k, 4));
  add('process no-op, 4 worker processes (jobs/s)', four);
  const lat = [];
  for (const k of kinds) lat.push(await latency(k));
  add(
    'dispatch-to-start p50 (ms, other process)',
    lat.map((l) => Number(l.p50)),
    false,
  );
  add(
    'dispatch-to-start p99 (ms)',
    lat.map((l) => Number(l.p99)),
    false,
  );
  add(
    'idle worker CPU (share of one core)',
    lat.map((l) => l.idleCpu),
    false,
    '%',
  );
  return measured;
});
if (RUNS > 1) console.log(`median of ${RUNS} runs (lowest-highest)`);
const rows = [['case', 'qtool', 'plainjob', 'qtool/plainjob']];
for (const { name, values, ranges, higherIsBetter, unit } of cases) {
  const [a, b] = values;
  const ratio = typeof a === 'number' && typeof b === 'number' ? (higherIsBetter ? a / b : b / a).toFixed(2) : '';
  rows.push([name, cell(a, ranges[0], unit), cell(b, ranges[1], unit), ratio]);
}
table(rows);
