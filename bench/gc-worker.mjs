// Child of gc.bench.mjs, run with --trace-gc-nvp: drains `total` no-op jobs through the core Worker
// at `concurrency`, on an in-process stub store (`stub`: the core's own allocations only) or on
// Redis (`redis`, jobs pushed first). Prints MARK lines around the drain for the parent to parse.

import { dispatchJobs } from '../dist/core/dispatch.js';
import { decodeEnvelope } from '../dist/drivers/envelope-codec.js';
import { createRedisDriver } from '../dist/drivers/redis/index.js';
import { dropRedisPrefix, noopWorker } from './lib.mjs';

const [store, concurrency, total] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];

/** Hands out fresh jobs and acknowledges them a turn later: no store work to allocate. */
function stubStore() {
  let made = 0;
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const known = {
    kind: 'stub',
    capabilities: { crossProcess: false, blockingReserve: true, inline: false },
    now: async () => Date.now(),
    async jobReserve({ limit }) {
      await turn();
      const taken = [];
      for (let i = 0; i < (limit ?? 1) && made < total; i++, made++) {
        const now = Date.now();
        // The shape a driver hands out: decoded from a stored payload.
        const id = `job-${made}`;
        const payload = `{"id":"${id}","name":"Noop","queue":"bench","data":{"n":${made}},"dispatchedAt":${now},"availableAt":${now}}`;
        const { envelope } = decodeEnvelope(payload, { id, queue: 'bench' });
        envelope.attempts = 1;
        taken.push({ envelope, token: `t${made}`, reservedAt: now, leaseUntil: now + 30_000 });
      }
      return taken;
    },
    async jobComplete() {
      await turn();
      return true;
    },
    jobExtendLease: async () => true,
  };
  // Registry, events, metrics and the rest: accepted and ignored.
  const ignored = async () => null;
  return new Proxy(known, {
    get: (target, key) => (key in target ? target[key] : key === 'then' ? undefined : ignored),
  });
}

const prefix = `qtool-gc-${process.pid}:`;
const driver = store === 'redis' ? createRedisDriver({ prefix, reconnect: true }) : stubStore();
if (store === 'redis')
  await dispatchJobs(
    driver,
    Array.from({ length: total }, (_, n) => ({ name: 'Noop', queue: 'bench', data: { n } })),
    { batchSize: 1000 },
  );
let count = 0;
let finish;
const finished = new Promise((resolve) => {
  finish = resolve;
});
const worker = noopWorker(driver, concurrency, () => (++count === total ? finish() : undefined));
const running = worker.run();
console.log('MARK-START');
await finished;
console.log('MARK-END');
worker.stop();
await running;
await driver.close();
if (store === 'redis') await dropRedisPrefix(prefix);
process.exit(0);
