import { performance } from 'node:perf_hooks';

const { createRedisDriver } = await import('../dist/drivers/redis/index.js');
const { dispatchJobs } = await import('../dist/core/dispatch.js');
const { dropRedisPrefix } = await import('./lib.mjs');
const driver = createRedisDriver({ url: 'redis://127.0.0.1:6379/0', prefix: 'pushlat:' });
const call = driver.call.bind(driver);
let tCall, tBack;
driver.call = async (...a) => {
  tCall = performance.now();
  const r = await call(...a);
  tBack = performance.now();
  return r;
};
await dispatchJobs(driver, [{ name: 'Noop', queue: 'bench', data: {} }]);
const pre = [],
  rt = [],
  post = [],
  all = [];
for (let i = 0; i < 300; i++) {
  const t0 = performance.now();
  await dispatchJobs(driver, [{ name: 'Noop', queue: 'bench', data: { i } }]);
  const t1 = performance.now();
  pre.push(tCall - t0);
  rt.push(tBack - tCall);
  post.push(t1 - tBack);
  all.push(t1 - t0);
  await new Promise((r) => setTimeout(r, 5));
}
const p = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1].toFixed(3);
console.log('pre', p(pre), 'call', p(rt), 'post', p(post), 'all', p(all));
await driver.close();
await dropRedisPrefix('pushlat:');
