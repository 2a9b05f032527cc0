import { type MetricRow, MINUTE_MS, summarize } from '../core/metrics.js';
import type { QueueStats } from '../drivers/types.js';

/** Minutes of history in the queues pane sparkline. */
export const SPARK_MINUTES = 30;
const WINDOW_MS = 60_000;

/**
 * Jobs per minute from the processed + failed totals of successive refreshes, over the last
 * minute of samples: live, and needs nothing but the counts every refresh reads anyway.
 */
export class RateTracker {
  private samples: { at: number; totals: Map<string, number> }[] = [];

  sample(at: number, stats: QueueStats[]): Map<string, number | null> {
    const totals = new Map(stats.map((q) => [q.queue, q.processedTotal + q.failedTotal]));
    this.samples.push({ at, totals });
    while (this.samples.length > 2 && this.samples[1]!.at <= at - WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const elapsed = at - first.at;
    const rates = new Map<string, number | null>();
    for (const [queue, total] of totals) {
      const before = first.totals.get(queue);
      const usable = elapsed >= 1000 && before !== undefined && total >= before;
      rates.set(queue, usable ? ((total - before) * MINUTE_MS) / elapsed : null);
    }
    return rates;
  }
}

export interface QueueMetrics {
  perMinute: number[];
  waitMs: number | null;
}

/** Per queue: finished jobs per minute over SPARK_MINUTES and the average wait over 5 minutes. */
export function queueMetrics(rows: MetricRow[], now: number): Map<string, QueueMetrics> {
  const result = new Map<string, QueueMetrics>();
  for (const s of summarize(rows, now, SPARK_MINUTES)) result.set(s.queue, { perMinute: s.perMinute, waitMs: null });
  for (const s of summarize(rows, now, 5)) {
    const entry = result.get(s.queue);
    if (entry) entry.waitMs = s.avgWaitMs;
  }
  return result;
}

/** Failures recorded in metrics over the last hour, all queues. */
export function failedLastHour(rows: MetricRow[], now: number): number {
  return rows.filter((r) => r.minute > now - 60 * MINUTE_MS).reduce((n, r) => n + r.failed, 0);
}
