import type { Driver, ReservedJob } from '../drivers/types.js';
import { errorMessage } from './errors.js';
import { MetricsAggregator } from './metrics.js';
import type { AttemptResult } from './runner.js';

const FLUSH_MS = 2000;

/** A worker's attempt outcomes, aggregated in memory and stored every few seconds. */
export class WorkerMetrics {
  private readonly aggregator = new MetricsAggregator();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly driver: Driver,
    private readonly onWarning?: (message: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** Stop the timer and store what is left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(job: ReservedJob, result: AttemptResult): void {
    if (result.status === 'lost') return;
    const outcome = result.status === 'failed' ? 'failed' : result.status === 'released' ? 'released' : 'processed';
    // Wait (available to start) is known exactly for a first attempt: later ones were made available by a release.
    const waitMs = job.envelope.attempts === 1 ? Math.max(0, job.reservedAt - job.envelope.availableAt) : undefined;
    this.aggregator.record({
      at: Date.now(),
      queue: job.envelope.queue,
      job: job.envelope.name,
      outcome,
      runtimeMs: result.durationMs,
      waitMs,
    });
  }

  private async flush(): Promise<void> {
    const rows = this.aggregator.drain();
    if (rows.length === 0) return;
    try {
      await this.driver.metricsAdd(rows);
    } catch (error) {
      this.onWarning?.(`cannot store metrics: ${errorMessage(error)}`);
    }
  }
}
