// A quick Redis processing check (in one process): `node bench/quick-redis.mjs <concurrency> [jobs]`.
import { drainWorker, openLib } from './redis-libs.mjs';

const concurrency = Number(process.argv[2] ?? 10);
const total = Number(process.argv[3] ?? 20_000);
const prefix = `quick-${Date.now().toString(36)}`;
const lib = await openLib('qtool', prefix);
await lib.many(Array.from({ length: total }, (_, n) => ({ n })));
await lib.close();
const started = performance.now();
const stop = await drainWorker('qtool', prefix, concurrency, total);
console.log(`concurrency ${concurrency}: ${Math.round(total / ((performance.now() - started) / 1000))} jobs/s`);
await stop();
const { Redis } = await import('ioredis');
const redis = new Redis();
const keys = await redis.keys(`${prefix}*`);
if (keys.length) await redis.del(...keys);
redis.disconnect();
process.exit(0);
