// `npm run bench -- gc`: what a worker allocates per no-op job and how much of it survives into
// V8's old generation (promoted by young-generation collections). Promotion is what grows a
// worker's RSS between full collections; a no-op job should promote next to nothing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, table } from './lib.mjs';

const child = fileURLToPath(new URL('./gc-worker.mjs', import.meta.url));
const TOTAL = Number(process.env.BENCH_GC_JOBS ?? 60_000);

function measure(store, concurrency) {
  const run = spawnSync(process.execPath, ['--trace-gc-nvp', child, store, String(concurrency), String(TOTAL)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`gc-worker ${store} exited ${run.status}: ${run.stderr}`);
  let on = false;
  const sums = { scavenges: 0, allocated: 0, promoted: 0 };
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('MARK-')) on = line === 'MARK-START';
    else if (on && / gc=s /.test(` ${line} `)) {
      sums.scavenges += 1;
      sums.allocated += Number(/\ballocated=(\d+)/.exec(line)?.[1] ?? 0);
      sums.promoted += Number(/\bpromoted=(\d+)/.exec(line)?.[1] ?? 0);
    }
  }
  return [
    `${store}, concurrency ${concurrency}`,
    fmt(Math.round(sums.allocated / TOTAL)),
    fmt(Math.round(sums.promoted / TOTAL)),
    `${((100 * sums.promoted) / Math.max(1, sums.allocated)).toFixed(1)}%`,
  ];
}

console.log(`Worker GC bench: node ${process.version}, ${fmt(TOTAL)} no-op jobs per case`);
const rows = [['case', 'allocated bytes/job', 'promoted bytes/job', 'promoted share']];
for (const [store, concurrency] of [
  ['stub', 1],
  ['stub', 50],
  ['redis', 1],
  ['redis', 50],
])
  rows.push(measure(store, concurrency));
table(rows);
