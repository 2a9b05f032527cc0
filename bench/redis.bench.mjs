// Redis benchmarks: qtool beside BullMQ and bee-queue on the same server, in one run.
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import {
  addEnqueueCases,
  caseList,
  cell,
  dropRedisPrefix,
  measureRounds,
  percentile,
  RUNS,
  rate,
  runChild,
  startChild,
  table,
} from './lib.mjs';
import { openLib } from './redis-libs.mjs';

const SINGLE = Number(process.env.BENCH_SINGLE ?? 10_000);
const BULK = Number(process.env.BENCH_BATCHED ?? 100_000);
const PROCESS = Number(process.env.BENCH_PROCESS ?? 30_000);
const LATENCY = Number(process.env.BENCH_LATENCY ?? 300);
const worker = fileURLToPath(new URL('./redis-worker.mjs', import.meta.url));
const kinds = ['qtool', 'bullmq', 'bee'];
const run = Date.now().toString(36);
const prefixOf = (kind, step) => `bench-${run}-${kind}-${step}`;

const drop = (prefix) => dropRedisPrefix(prefix, 'redis://127.0.0.1:6379/0');

async function enqueue(kind) {
  const prefix = prefixOf(kind, 'enq');
  const lib = await openLib(kind, prefix);
  let t = performance.now();
  for (let i = 0; i < SINGLE; i++) await lib.one({ n: i });
  const single = rate(SINGLE, performance.now() - t);
  const list = Array.from({ length: BULK }, (_, n) => ({ n }));
  t = performance.now();
  await lib.many(list);
  const bulk = rate(BULK, performance.now() - t);
  await lib.close();
  await drop(prefix);
  return { single, bulk };
}

async function processing(kind, concurrency) {
  const prefix = prefixOf(kind, `c${concurrency}`);
  const lib = await openLib(kind, prefix);
  await lib.many(Array.from({ length: PROCESS }, (_, n) => ({ n })));
  await lib.close();
  const [line] = (await runChild(worker, [kind, prefix, String(concurrency), 'drain', String(PROCESS)])).slice(-1);
  const result = JSON.parse(line);
  await drop(prefix);
  return { rate: rate(result.count, result.end - result.start), rss: result.rss };
}

async function latency(kind) {
  const prefix = prefixOf(kind, 'lat');
  const lib = await openLib(kind, prefix);
  const { child, onLine } = startChild(worker, [kind, prefix, '1', 'latency']);
  const samples = [];
  let rss = null;
  let ready = false;
  onLine((line) => {
    if (line === 'ready') ready = true;
    else if (line.startsWith('rss ')) rss = Number(line.slice(4));
    else samples.push(Number(line));
  });
  while (!ready) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1000));
  for (let i = 0; i < LATENCY; i++) {
    await lib.one({ sentAt: performance.timeOrigin + performance.now() });
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 500));
  child.kill('SIGTERM');
  await new Promise((r) => child.on('close', r));
  await lib.close();
  await drop(prefix);
  return { p50: Number(percentile(samples, 50).toFixed(2)), p99: Number(percentile(samples, 99).toFixed(2)), rss };
}

const version = (name) =>
  JSON.parse(
    execFileSync(process.execPath, ['-p', `JSON.stringify(require('${name}/package.json').version)`], {
      encoding: 'utf8',
    }),
  );
const server = (await new Redis().info('server')).match(/redis_version:(\S+)/)?.[1];
console.log(
  `Redis bench: node ${process.version}, Redis ${server}, BullMQ ${version('bullmq')}, bee-queue ${version('bee-queue')}`,
);
const cases = await measureRounds(async () => {
  const { measured, add } = caseList();
  await addEnqueueCases(add, kinds, enqueue, 'enqueue bulk x1000 (jobs/s)');
  for (const c of [1, 10, 50]) {
    const results = [];
    for (const k of kinds) results.push(await processing(k, c));
    add(
      `process no-op, concurrency ${c} (jobs/s)`,
      results.map((r) => r.rate),
    );
    if (c === 50)
      add(
        'worker RSS after 30k jobs at c=50 (MB)',
        results.map((r) => r.rss),
        false,
      );
  }
  const lat = [];
  for (const k of kinds) lat.push(await latency(k));
  add(
    'dispatch-to-start p50 (ms)',
    lat.map((l) => l.p50),
    false,
  );
  add(
    'dispatch-to-start p99 (ms)',
    lat.map((l) => l.p99),
    false,
  );
  return measured;
});
if (RUNS > 1) console.log(`median of ${RUNS} runs (lowest-highest)`);
const rows = [['case', 'qtool', 'BullMQ', 'bee-queue', 'qtool/best peer']];
for (const { name, values, ranges, higherIsBetter } of cases) {
  const [q, ...peers] = values;
  const best = higherIsBetter ? Math.max(...peers) : Math.min(...peers);
  rows.push([name, ...values.map((v, k) => cell(v, ranges[k])), (higherIsBetter ? q / best : best / q).toFixed(2)]);
}
table(rows);
process.exit(0);
