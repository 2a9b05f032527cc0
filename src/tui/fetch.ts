import type { MetricRow } from '../core/metrics.js';
import { explainRecord } from '../core/why.js';
import type { Driver, FailedRecord, JobRecord } from '../drivers/types.js';
import { listHeight, windowStart } from './layout.js';
import { failedLastHour, queueMetrics, RateTracker } from './rates.js';
import { failedQueue, topView } from './select.js';
import type { State } from './state.js';
import { type JobRow, type JobTab, LOST_AFTER_MS, type Snapshot } from './types.js';

/** What one refresh reads besides the overview (queues, workers, metrics), from the view on screen. */
export interface Query {
  jobs: { queue: string; tab: JobTab; offset: number; limit: number } | null;
  job: string | null;
  failed: { queue: string | null; offset: number; limit: number } | null;
  locks: boolean;
  counters: boolean;
}

export function queryOf(state: State): Query {
  const view = topView(state);
  const limit = listHeight(state.size);
  const atRoot = !view;
  return {
    jobs:
      view?.kind === 'queue'
        ? { queue: view.queue, tab: view.tab, offset: windowStart(view.cursor, limit), limit }
        : null,
    job: view?.kind === 'job' ? view.id : null,
    failed:
      atRoot && state.pane === 'failed'
        ? { queue: failedQueue(state), offset: windowStart(state.cursors.failed, limit), limit }
        : null,
    locks: atRoot && state.pane === 'locks',
    counters: atRoot && state.pane === 'throttles',
  };
}

export interface Fetcher {
  fetch(query: Query): Promise<Snapshot>;
}

const HOUR_MS = 3_600_000;
/** Workers whose last beat is older than this are no longer listed (lost ones show until then). */
const WORKERS_LISTED_MS = HOUR_MS;

/**
 * One snapshot per refresh, through driver queries whose cost does not grow with queue length:
 * counts (queueStats), bounded registries (workers, locks, counters, metrics of the last hour)
 * and LIMITed pages of jobs. Metrics are re-read every `metricsEveryMs` (workers flush them
 * every few seconds anyway).
 */
export function createFetcher(driver: Driver, options: { metricsEveryMs?: number } = {}): Fetcher {
  const rates = new RateTracker();
  const metricsEveryMs = options.metricsEveryMs ?? 5000;
  let metrics: { at: number; rows: MetricRow[] } | null = null;
  return {
    async fetch(query) {
      const local = Date.now();
      const stale = !metrics || local - metrics.at >= metricsEveryMs;
      const [now, stats, workers, rows, locks, counters, failed, jobs, job] = await Promise.all([
        driver.now(),
        driver.queueStats(),
        driver.workerList({ sinceMs: WORKERS_LISTED_MS }),
        stale || !metrics ? driver.metricsRead({ since: local - HOUR_MS }) : metrics.rows,
        query.locks ? driver.lockList() : null,
        query.counters ? driver.counterList() : null,
        query.failed
          ? driver.failedList({
              queue: query.failed.queue ?? undefined,
              limit: query.failed.limit,
              offset: query.failed.offset,
            })
          : null,
        query.jobs ? listJobs(driver, query.jobs) : null,
        query.job ? driver.jobGet(query.job) : null,
      ]);
      if (stale) metrics = { at: local, rows };
      // After the parallel reads: the answer reuses the job record just read.
      const why = query.job ? await explainRecord(driver, query.job, job, now) : null;
      const perQueue = queueMetrics(rows, now);
      const queueRates = rates.sample(local, stats);
      const queues = stats.map((q) => {
        const perMinute = perQueue.get(q.queue)?.perMinute ?? [];
        // Until two refreshes a second apart exist, the last full minute of metrics stands in.
        const lastMinute = rows.length > 0 ? (perMinute.at(-2) ?? 0) : null;
        return {
          ...q,
          jobsPerMin: queueRates.get(q.queue) ?? lastMinute,
          perMinute,
          waitMs: perQueue.get(q.queue)?.waitMs ?? null,
        };
      });
      const known = queues.map((q) => q.jobsPerMin).filter((r): r is number => r !== null);
      const total = (queue: string | null, tab: JobTab) =>
        stats.filter((q) => !queue || q.queue === queue).reduce((n, q) => n + q[tab], 0);
      return {
        now,
        queues,
        workers: workers
          .map((w) => ({ ...w, lost: now - w.lastBeatAt > LOST_AFTER_MS }))
          .sort((a, b) => Number(a.lost) - Number(b.lost) || a.id.localeCompare(b.id)),
        metrics: rows.length > 0,
        jobsPerMin: known.length ? known.reduce((a, b) => a + b, 0) : null,
        failedLastHour: rows.length > 0 ? failedLastHour(rows, now) : null,
        locks,
        counters,
        failed:
          query.failed && failed ? { ...query.failed, total: total(query.failed.queue, 'failed'), rows: failed } : null,
        jobs: query.jobs && jobs ? { ...query.jobs, total: total(query.jobs.queue, query.jobs.tab), rows: jobs } : null,
        job: query.job ? { id: query.job, record: job, why } : null,
      };
    },
  };
}

async function listJobs(driver: Driver, q: NonNullable<Query['jobs']>): Promise<JobRow[]> {
  if (q.tab === 'failed') {
    const rows = await driver.failedList({ queue: q.queue, limit: q.limit, offset: q.offset });
    return rows.map(failedRow);
  }
  const rows = await driver.jobList({ queue: q.queue, state: q.tab, limit: q.limit, offset: q.offset });
  return rows.map(jobRow);
}

function jobRow(r: JobRecord): JobRow {
  return {
    id: r.envelope.id,
    name: r.envelope.name,
    state: r.state,
    attempts: r.envelope.attempts,
    availableAt: r.availableAt,
    reservedBy: r.reservedBy,
    reservedAt: r.reservedAt,
    failedAt: r.failedAt,
    error: r.error?.message ?? null,
  };
}

export function failedRow(r: FailedRecord): JobRow {
  return {
    id: r.id,
    name: r.name,
    state: 'failed',
    attempts: r.envelope.attempts,
    availableAt: r.envelope.availableAt,
    reservedBy: null,
    reservedAt: null,
    failedAt: r.failedAt,
    error: r.error.message,
  };
}
