// CPU cost per job of qtool on Redis, in one process, steadier than wall time on a shared machine:
// `node bench/redis-cpu.mjs [cases] [jobs] [qtool|bullmq|bee]`, cases a comma list of one,bulk,steps,c1,c10,c50 (default all).
// BENCH_STEP_BATCH=n: the steps case reserves and completes n jobs at a time. Reports per job: this process's CPU (user+system), the Redis server's CPU (INFO cpu deltas, so
// other clients of the server count too), commands the server processed, and wall-clock jobs/s.
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { dropRedisPrefix } from './lib.mjs';
import { drainWorker, openLib } from './redis-libs.mjs';

const cases = (process.argv[2] ?? 'one,bulk,steps,c1,c10,c50').split(',');
const total = Number(process.argv[3] ?? 20_000);
const kind = process.argv[4] ?? 'qtool';
const admin = new Redis();

const detail = process.env.BENCH_COMMANDS === '1';

async function serverCounters() {
  const info = await admin.info('everything');
  const num = (name) => Number(info.match(new RegExp(`^${name}:([\\d.]+)`, 'm'))?.[1] ?? 0);
  const commands = {};
  for (const [, name, calls, usec] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm))
    commands[name] = { calls: Number(calls), usec: Number(usec) };
  return { cpu: (num('used_cpu_user') + num('used_cpu_sys')) * 1e6, commands };
}

const callCount = (c) => Object.values(c).reduce((sum, x) => sum + x.calls, 0);

async function measure(name, jobs, body) {
  const server = await serverCounters();
  const cpu = process.cpuUsage();
  const t = performance.now();
  await body();
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const after = await serverCounters();
  const row = {
    case: name,
    'jobs/s': Math.round((jobs / wall) * 1000),
    'client µs/job': ((used.user + used.system) / jobs).toFixed(1),
    'redis µs/job': ((after.cpu - server.cpu) / jobs).toFixed(1),
    'cmds/job': ((callCount(after.commands) - callCount(server.commands) - 2) / jobs).toFixed(2),
  };
  console.log(JSON.stringify(row));
  if (detail) {
    // BENCH_COMMANDS=1: what the server spent per job, by command (commands inside scripts included).
    const delta = Object.entries(after.commands)
      .map(([k, v]) => [
        k,
        (v.calls - (server.commands[k]?.calls ?? 0)) / jobs,
        (v.usec - (server.commands[k]?.usec ?? 0)) / jobs,
      ])
      .filter(([, calls, usec]) => calls > 0.01 || usec > 0.05)
      .sort((a, b) => b[2] - a[2]);
    for (const [k, calls, usec] of delta)
      console.log(`  ${k.padEnd(18)} ${calls.toFixed(2).padStart(6)} calls/job ${usec.toFixed(2).padStart(7)} µs/job`);
  }
  return row;
}

const prefix = `qtoolperf:${Date.now().toString(36)}`;
try {
  if (cases.includes('one')) {
    const lib = await openLib(kind, `${prefix}-one`);
    await lib.one({ n: -1 });
    const n = total;
    await measure('enqueue one by one', n, async () => {
      for (let i = 0; i < n; i++) await lib.one({ n: i });
    });
    await lib.close();
    await dropRedisPrefix(`${prefix}-one`);
  }
  if (cases.includes('bulk')) {
    const lib = await openLib(kind, `${prefix}-bulk`);
    const list = Array.from({ length: total }, (_, n) => ({ n }));
    await measure('enqueue bulk x1000', total, () => lib.many(list));
    await lib.close();
    await dropRedisPrefix(`${prefix}-bulk`);
  }
  if (cases.includes('steps') && kind === 'qtool') {
    // The driver steps alone, one job at a time, as a worker's slot does them (no worker around them).
    const p = `${prefix}-steps`;
    const lib = await openLib(kind, p);
    await lib.many(Array.from({ length: total }, (_, n) => ({ n })));
    await lib.close();
    const { createRedisDriver } = await import('../dist/drivers/redis/index.js');
    const driver = createRedisDriver({ url: 'redis://127.0.0.1:6379/0', prefix: `${p}:` });
    const batch = Number(process.env.BENCH_STEP_BATCH ?? 1);
    await measure(`reserve + complete, ${batch} at a time`, total, async () => {
      for (let i = 0; i < total; i += batch) {
        const jobs = await driver.jobReserve({
          queues: ['bench'],
          workerId: 'w',
          leaseMs: 60_000,
          limit: batch,
          emitEvents: process.env.BENCH_NO_EVENTS !== '1',
        });
        await Promise.all(
          jobs.map(({ envelope, token }) => {
            const { id, name } = envelope;
            const event = { name: 'job.processed', queue: 'bench', jobId: id, jobName: name, attempt: 1 };
            return driver.jobComplete({ id, token, events: process.env.BENCH_NO_EVENTS === '1' ? [] : [event] });
          }),
        );
      }
    });
    await driver.close();
    await dropRedisPrefix(p);
  }
  for (const c of [1, 10, 50]) {
    if (!cases.includes(`c${c}`)) continue;
    const p = `${prefix}-c${c}`;
    const lib = await openLib(kind, p);
    await lib.many(Array.from({ length: total }, (_, n) => ({ n })));
    await lib.close();
    let stop;
    await measure(`process c=${c}`, total, async () => {
      stop = await drainWorker(kind, p, c, total);
    });
    await stop();
    await dropRedisPrefix(p);
  }
} finally {
  admin.disconnect();
}
process.exit(0);
