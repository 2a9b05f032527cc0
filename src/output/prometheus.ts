import type { MetricSummary } from '../core/metrics.js';
import type { QueueStats } from '../drivers/types.js';

const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The Prometheus text exposition format: queue sizes now, and job rates over the window. */
export function prometheusText(stats: QueueStats[], summaries: MetricSummary[], windowMinutes: number): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, rows: [Record<string, string>, number | null][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of rows) {
      if (value === null) continue;
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${label(v)}"`)
        .join(',');
      lines.push(`${name}{${text}} ${value}`);
    }
  };
  for (const state of ['pending', 'delayed', 'reserved', 'failed'] as const) {
    gauge(
      `qtool_queue_${state}_jobs`,
      `Jobs ${state} now`,
      stats.map((s) => [{ queue: s.queue }, s[state]]),
    );
  }
  gauge(
    'qtool_queue_paused',
    '1 when the queue is paused',
    stats.map((s) => [{ queue: s.queue }, s.paused ? 1 : 0]),
  );
  gauge(
    'qtool_queue_processed_total',
    'Jobs processed since the store was created',
    stats.map((s) => [{ queue: s.queue }, s.processedTotal]),
  );
  const byJob = (m: MetricSummary) => ({ queue: m.queue, job: m.job ?? '' });
  gauge(
    `qtool_job_throughput_per_minute`,
    `Jobs finished per minute over the last ${windowMinutes} minutes`,
    summaries.map((m) => [byJob(m), m.throughput]),
  );
  gauge(
    `qtool_job_runtime_avg_ms`,
    `Average runtime over the last ${windowMinutes} minutes`,
    summaries.map((m) => [byJob(m), m.avgRuntimeMs]),
  );
  gauge(
    `qtool_job_runtime_p95_ms`,
    `95th percentile runtime (histogram bucket bound)`,
    summaries.map((m) => [byJob(m), m.p95RuntimeMs]),
  );
  gauge(
    `qtool_job_wait_avg_ms`,
    'Average time from available to started',
    summaries.map((m) => [byJob(m), m.avgWaitMs]),
  );
  gauge(
    `qtool_job_failure_ratio`,
    'Failed / finished over the window',
    summaries.map((m) => [byJob(m), m.failureRate]),
  );
  return `${lines.join('\n')}\n`;
}
