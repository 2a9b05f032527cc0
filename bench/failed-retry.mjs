// `node bench/failed-retry.mjs [sqlite|redis|all]`: a filtered bulk retry through the real CLI,
// `qtool retry --job Hit --error timeout`, on failed stores of several sizes (BENCH_FAILED,
// default 10000,100000), reporting the time and the CLI process's peak RSS. Flat memory means the
// peak barely moves from the small store to the large one. Run `npm run build` first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ulid } from 'ulidx';
import { createRedisDriver } from '../dist/drivers/redis/index.js';
import { createSqliteDriver } from '../dist/drivers/sqlite/index.js';
import { dropRedisPrefix, envelope, fmt, rate, removeDir, table, tempDir } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'qtool.js');
const PROBE = join(here, 'rss-probe.mjs');
const REDIS_URL = process.env.QTOOL_TEST_REDIS ?? 'redis://127.0.0.1:6379/0';
const sizes = (process.env.BENCH_FAILED ?? '10000,100000').split(',').map(Number);
const which = process.argv[2] ?? 'sqlite';
const stores = which === 'all' ? ['sqlite', 'redis'] : [which];

/** Half the failures match (job Hit, a timeout), the rest differ by name or by message. */
async function seed(driver, count) {
  for (let start = 0; start < count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - start) }, (_, i) =>
      envelope(ulid(), 'bench', (start + i) % 4 === 3 ? 'Other' : 'Hit'),
    );
    await driver.jobPush(batch);
    const reserved = await driver.jobReserve({ queues: ['bench'], workerId: 'seed', leaseMs: 600_000, limit: 1000 });
    await Promise.all(
      reserved.map((job, i) =>
        driver.jobFail({
          id: job.envelope.id,
          token: job.token,
          error: { message: (start + i) % 3 === 2 ? 'bad input' : 'gateway timeout' },
        }),
      ),
    );
  }
}

/** Run the CLI with a probe that reports its peak RSS on exit. */
function retry(env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', PROBE, BIN, 'retry', '--job', 'Hit', '--error', 'timeout', '--json'],
      { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('close', (code) => {
      const rss = /qtool-bench-maxrss (\d+)/.exec(err);
      if (code !== 0 || !rss) return reject(new Error(`qtool retry exited ${code}: ${err}`));
      resolve({ result: JSON.parse(out), maxRssMb: Math.round(Number(rss[1]) / 1024) });
    });
  });
}

const rows = [['store', 'failed', 'matched', 'retried', 'batches', 'seconds', 'jobs/s', 'peak RSS (MB)']];
for (const store of stores) {
  for (const size of sizes) {
    const dir = tempDir('qtool-bench-failed-');
    const prefix = `qtool-bench:${randomBytes(4).toString('hex')}:`;
    const url =
      store === 'sqlite' ? `sqlite:${join(dir, 'q.db')}` : `${REDIS_URL}?prefix=${encodeURIComponent(prefix)}`;
    const driver =
      store === 'sqlite'
        ? createSqliteDriver({ path: join(dir, 'q.db') })
        : createRedisDriver({ url: REDIS_URL, prefix });
    try {
      await seed(driver, size);
      const started = performance.now();
      const { result, maxRssMb } = await retry({ QTOOL_CONNECTION: url }, dir);
      const ms = performance.now() - started;
      rows.push([
        store,
        fmt(size),
        fmt(result.matched),
        fmt(result.retried),
        result.batches,
        (ms / 1000).toFixed(1),
        fmt(rate(result.retried, ms)),
        maxRssMb,
      ]);
    } finally {
      await driver.close();
      if (store === 'redis') await dropRedisPrefix(prefix, REDIS_URL);
      removeDir(dir);
    }
  }
}
table(rows);
