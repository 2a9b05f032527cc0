// A bench worker process: `node redis-worker.mjs <lib> <prefix> <concurrency> <mode> [count]`.
// drain: run until `count` jobs are done, print {start,end,count,rss}; latency: print one latency per job until SIGTERM.
import { now, startWorker } from './redis-libs.mjs';

const [kind, prefix, concurrency, mode, total] = process.argv.slice(2);
let count = 0;
let start = 0;
let finish;
const done = new Promise((resolve) => {
  finish = resolve;
});
const stop = await startWorker(kind, prefix, Number(concurrency), (data) => {
  if (count === 0) start = now();
  count += 1;
  if (mode === 'latency') process.stdout.write(`${now() - data.sentAt}\n`);
  else if (count === Number(total)) finish();
});
if (mode === 'latency') {
  console.log('ready');
  process.on('SIGTERM', () => finish());
}
await done;
const end = now();
const rss = Math.round(process.memoryUsage.rss() / 1024 / 1024);
await stop();
if (mode === 'drain') console.log(JSON.stringify({ start, end, count, rss }));
else console.log(`rss ${rss}`);
process.exit(0);
