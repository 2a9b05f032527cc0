/**
 * Queue metrics in one-minute buckets per queue and job name: throughput, runtime (average and
 * p95 from a fixed histogram), wait time (available to start) and failures. Workers aggregate in
 * memory and flush every few seconds, so metrics cost no store write per job.
 */
export const RUNTIME_BOUNDS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 300_000,
];
export const MINUTE_MS = 60_000;

export interface MetricRow {
  /** Start of the minute, epoch ms. */
  minute: number;
  queue: string;
  job: string;
  processed: number;
  failed: number;
  released: number;
  runtimeSumMs: number;
  waitSumMs: number;
  waitCount: number;
  /** Counts per RUNTIME_BOUNDS_MS bucket, plus one for longer runs. */
  histogram: number[];
}

export function emptyRow(minute: number, queue: string, job: string): MetricRow {
  return {
    minute,
    queue,
    job,
    processed: 0,
    failed: 0,
    released: 0,
    runtimeSumMs: 0,
    waitSumMs: 0,
    waitCount: 0,
    histogram: new Array(RUNTIME_BOUNDS_MS.length + 1).fill(0),
  };
}

export function mergeRow(into: MetricRow, from: MetricRow): MetricRow {
  into.processed += from.processed;
  into.failed += from.failed;
  into.released += from.released;
  into.runtimeSumMs += from.runtimeSumMs;
  into.waitSumMs += from.waitSumMs;
  into.waitCount += from.waitCount;
  from.histogram.forEach((count, i) => {
    into.histogram[i] = (into.histogram[i] ?? 0) + count;
  });
  return into;
}

export function rowKey(row: Pick<MetricRow, 'minute' | 'queue' | 'job'>): string {
  return `${row.minute}|${row.queue}|${row.job}`;
}

/** Collects attempt outcomes in memory until flushed. */
export class MetricsAggregator {
  private rows = new Map<string, MetricRow>();

  record(sample: {
    at: number;
    queue: string;
    job: string;
    outcome: 'processed' | 'failed' | 'released';
    runtimeMs: number;
    waitMs?: number;
  }): void {
    const minute = Math.floor(sample.at / MINUTE_MS) * MINUTE_MS;
    const key = rowKey({ minute, queue: sample.queue, job: sample.job });
    let row = this.rows.get(key);
    if (!row) {
      row = emptyRow(minute, sample.queue, sample.job);
      this.rows.set(key, row);
    }
    row[sample.outcome] += 1;
    row.runtimeSumMs += sample.runtimeMs;
    const bucket = RUNTIME_BOUNDS_MS.findIndex((bound) => sample.runtimeMs <= bound);
    const index = bucket === -1 ? RUNTIME_BOUNDS_MS.length : bucket;
    row.histogram[index] = (row.histogram[index] ?? 0) + 1;
    if (sample.waitMs !== undefined && sample.waitMs >= 0) {
      row.waitSumMs += sample.waitMs;
      row.waitCount += 1;
    }
  }

  /** Take what was collected since the last drain. */
  drain(): MetricRow[] {
    const rows = [...this.rows.values()];
    this.rows = new Map();
    return rows;
  }
}

export interface MetricSummary {
  queue: string;
  job: string | null;
  processed: number;
  failed: number;
  /** Jobs per minute over the window. */
  throughput: number;
  avgRuntimeMs: number | null;
  p95RuntimeMs: number | null;
  avgWaitMs: number | null;
  failureRate: number;
  /** Processed+failed per minute, oldest first, `minutes` long. */
  perMinute: number[];
}

/** Sum rows into one summary per queue (job null) and per queue+job, over `minutes` up to `now`. */
export function summarize(rows: MetricRow[], now: number, minutes = 60, byJob = false): MetricSummary[] {
  const end = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const start = end - (minutes - 1) * MINUTE_MS;
  const groups = new Map<string, { total: MetricRow; perMinute: number[] }>();
  for (const row of rows) {
    if (row.minute < start || row.minute > end) continue;
    const key = byJob ? `${row.queue}|${row.job}` : row.queue;
    let group = groups.get(key);
    if (!group) {
      group = { total: emptyRow(0, row.queue, byJob ? row.job : ''), perMinute: new Array(minutes).fill(0) };
      groups.set(key, group);
    }
    mergeRow(group.total, row);
    const slot = (row.minute - start) / MINUTE_MS;
    group.perMinute[slot] = (group.perMinute[slot] ?? 0) + row.processed + row.failed;
  }
  return [...groups.values()].map(({ total, perMinute }) => {
    const finished = total.processed + total.failed;
    const runs = finished + total.released;
    return {
      queue: total.queue,
      job: byJob ? total.job : null,
      processed: total.processed,
      failed: total.failed,
      throughput: Math.round((finished / minutes) * 10) / 10,
      avgRuntimeMs: runs ? Math.round(total.runtimeSumMs / runs) : null,
      p95RuntimeMs: runs ? percentileFromHistogram(total.histogram, 0.95) : null,
      avgWaitMs: total.waitCount ? Math.round(total.waitSumMs / total.waitCount) : null,
      failureRate: finished ? Math.round((total.failed / finished) * 1000) / 1000 : 0,
      perMinute,
    };
  });
}

/** The upper bound of the histogram bucket holding the p-th run. */
export function percentileFromHistogram(histogram: number[], p: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (const [i, count] of histogram.entries()) {
    seen += count;
    if (seen >= p * total) return RUNTIME_BOUNDS_MS[i] ?? RUNTIME_BOUNDS_MS[RUNTIME_BOUNDS_MS.length - 1]! * 2;
  }
  return RUNTIME_BOUNDS_MS[RUNTIME_BOUNDS_MS.length - 1]!;
}
