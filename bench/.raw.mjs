import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';

const r = new Redis();
const N = 20000;
const script = "return {'queued','',''}";
const sha = await r.script('LOAD', script);
const keys = Array.from({ length: 10 }, (_, i) => `rawbench:{bench}:key${i}`);
const args = [
  '86400000',
  '10000',
  '1',
  '1',
  'bench',
  '',
  '1',
  '01M8ABCDEFGHJKMNPQRSTVWXYZ',
  '1764070000000',
  '{"id":"01M8ABCDEFGHJKMNPQRSTVWXYZ","name":"Noop","queue":"bench","data":{"n":1},"dispatchedAt":1764070000000}',
  '',
  '-1',
  '',
  '1',
  '{"name":"job.dispatched","queue":"bench","jobId":"01M8ABCDEFGHJKMNPQRSTVWXYZ","jobName":"Noop","details":{"availableAt":1764070000000}}',
];
async function run(label, fn) {
  for (let i = 0; i < 2000; i++) await fn();
  const c0 = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const ms = performance.now() - t;
  const c = process.cpuUsage(c0);
  console.log(
    label,
    Math.round((N / ms) * 1000),
    '/s',
    ((c.user + c.system) / N).toFixed(1),
    'µs cpu',
    (c.user / N).toFixed(1),
    'user',
  );
}
await run('ping', () => r.ping());
await run('evalsha 10 keys + 15 args', () => r.evalsha(sha, 10, ...keys, ...args));
await run('evalsha 0 keys 2 args', () => r.evalsha(sha, 0, 'a', 'b'));
r.disconnect();
