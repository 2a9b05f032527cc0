import { WORKER_DEFAULTS } from '../../src/core/attempts.js';
import type { JobDefinition, RateLimiterDefinition } from '../../src/core/define.js';
import { dispatchJobs } from '../../src/core/dispatch.js';
import type { DispatchInput } from '../../src/core/envelope-builder.js';
import type { AttemptResult } from '../../src/core/runner.js';
import { Worker, type WorkerOptions } from '../../src/core/worker.js';
import type { Driver } from '../../src/drivers/types.js';

/** Dispatch and work in one process, collecting every attempt's result. */
export async function dispatch(driver: Driver, inputs: DispatchInput[]): Promise<string[]> {
  const { results } = await dispatchJobs(driver, inputs);
  return results.map((r) => r.id);
}

export async function workUntilEmpty(
  driver: Driver,
  jobs: Record<string, JobDefinition>,
  options: Partial<WorkerOptions> & { limiters?: Record<string, RateLimiterDefinition> } = {},
): Promise<AttemptResult[]> {
  const results: AttemptResult[] = [];
  const worker = new Worker({
    driver,
    jobs,
    queues: ['default'],
    defaults: { ...WORKER_DEFAULTS, tries: 1 },
    sleepMs: 50,
    stopWhenEmpty: true,
    heartbeatMs: 60_000,
    ...options,
    onResult: (result) => {
      results.push(result);
      options.onResult?.(result);
    },
  });
  await worker.run();
  return results;
}
