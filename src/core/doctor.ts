import type { Diagnosis, Driver } from '../drivers/types.js';
import type { LoadedConfig } from './config.js';
import { formatDuration } from './duration.js';
import { LOST_AFTER_MS } from './why.js';

const SAMPLE = 200;
const HOUR_MS = 3_600_000;

/**
 * Health checks over the store, the config, workers, leases, locks, throttles and queues. Each
 * failed check says what to do. Reads only; samples at most a few hundred jobs per queue.
 */
export async function runDoctor(driver: Driver, loaded: LoadedConfig): Promise<Diagnosis[]> {
  const findings: Diagnosis[] = [];
  try {
    findings.push(...(await driver.diagnose()));
  } catch (error) {
    return [
      {
        check: 'connection',
        ok: false,
        detail: (error as Error).message,
        fix: 'check the connection URL and that the server runs',
      },
    ];
  }
  const jobs = loaded.config.jobs ?? {};
  findings.push({
    check: 'config',
    ok: true,
    detail: loaded.path
      ? `${loaded.path}: ${Object.keys(jobs).length} job(s)`
      : 'no config file (only jobs dispatched elsewhere can run)',
  });

  const now = await driver.now();
  const [stats, workers, locks, counters] = await Promise.all([
    driver.queueStats(),
    driver.workerList(),
    driver.lockList(),
    driver.counterList(),
  ]);
  const live = workers.filter((w) => now - w.lastBeatAt <= LOST_AFTER_MS);
  for (const w of workers.filter((x) => !live.includes(x))) {
    findings.push({
      check: `worker ${w.id}`,
      ok: false,
      detail: `heartbeat stopped ${formatDuration(now - w.lastBeatAt)} ago (${w.host}, pid ${w.pid}): lost`,
      fix: 'its jobs run again when their leases expire; start a replacement with `qtool work`',
    });
  }
  if (live.length) findings.push({ check: 'workers', ok: true, detail: `${live.length} alive` });

  for (const q of stats) {
    const unknown = new Map<string, number>();
    for (const state of ['pending', 'reserved'] as const) {
      for (const job of await driver.jobList({ queue: q.queue, state, limit: SAMPLE })) {
        if (Object.keys(jobs).length && !jobs[job.envelope.name])
          unknown.set(job.envelope.name, (unknown.get(job.envelope.name) ?? 0) + 1);
        if (state === 'reserved' && !live.some((w) => w.id === job.reservedBy)) {
          findings.push({
            check: `lease of ${job.envelope.id}`,
            ok: false,
            detail: `reserved by ${job.reservedBy}, which is not alive; handed out again at ${new Date(job.leaseUntil ?? now).toISOString()}`,
            fix: `nothing to do: the lease expires by itself (qtool why ${job.envelope.id})`,
          });
        }
      }
    }
    for (const [name, count] of unknown) {
      findings.push({
        check: `jobs of ${q.queue}`,
        ok: false,
        detail: `${count}+ job(s) named ${name}, which the config does not define`,
        fix: `define ${name} in the config, or delete them with qtool jobs delete`,
      });
    }
    if (q.pending > 0 && q.paused) {
      findings.push({
        check: `queue ${q.queue}`,
        ok: false,
        detail: `paused with ${q.pending} pending`,
        fix: `qtool resume ${q.queue}`,
      });
    } else if (q.pending > 0 && !live.some((w) => w.queues.includes(q.queue))) {
      findings.push({
        check: `queue ${q.queue}`,
        ok: false,
        detail: `${q.pending} pending and no worker listening`,
        fix: `qtool work --queue=${q.queue}`,
      });
    }
  }

  for (const lock of locks) {
    const job = lock.jobId ? await driver.jobGet(lock.jobId) : null;
    if (job?.state !== 'reserved') {
      findings.push({
        check: `lock ${lock.key}`,
        ok: false,
        detail: `held for ${formatDuration(now - lock.acquiredAt)} by job ${lock.jobId ?? '?'}, which is ${job ? job.state : 'gone'}`,
        fix: `qtool locks release ${lock.key}`,
      });
    }
  }
  for (const c of counters) {
    if (c.meta && c.count >= c.meta.limit && now - c.startedAt > HOUR_MS) {
      findings.push({
        check: `throttle ${c.key}`,
        ok: false,
        detail: `tripped for ${formatDuration(now - c.startedAt)}`,
        fix: `qtool throttle clear ${c.key}`,
      });
    }
  }
  return findings;
}
