import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { dropRedisPrefix, percentile, startChild } from './lib.mjs';
import { openLib } from './redis-libs.mjs';

const kind = process.argv[2] ?? 'qtool';
const worker = fileURLToPath(new URL('./redis-worker.mjs', import.meta.url));
const prefix = `lat-${kind}-${process.pid}`;
const lib = await openLib(kind, prefix);
const { child, onLine } = startChild(worker, [kind, prefix, '1', 'latency']);
const samples = [];
let ready = false;
onLine((line) => {
  if (line === 'ready') ready = true;
  else if (!line.startsWith('rss')) samples.push(Number(line));
});
while (!ready) await new Promise((r) => setTimeout(r, 50));
await new Promise((r) => setTimeout(r, 1000));
const pushMs = [];
for (let i = 0; i < 300; i++) {
  const t = performance.now();
  await lib.one({ sentAt: performance.timeOrigin + t });
  pushMs.push(performance.now() - t);
  await new Promise((r) => setTimeout(r, 5));
}
await new Promise((r) => setTimeout(r, 500));
child.kill('SIGTERM');
await new Promise((r) => child.on('close', r));
await lib.close();
await dropRedisPrefix(prefix);
console.log(
  kind,
  'p50',
  percentile(samples, 50).toFixed(3),
  'p99',
  percentile(samples, 99).toFixed(3),
  'push p50',
  percentile(pushMs, 50).toFixed(3),
  'n',
  samples.length,
);
process.exit(0);
