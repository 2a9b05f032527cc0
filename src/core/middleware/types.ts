import type { RunningJob } from '../running-job.js';

/**
 * Job middleware runs around the handler in the worker, Laravel style: call `next()` to run the
 * rest of the pipeline, or don't (and set the job's outcome through `job`) to hold it back.
 */
export interface Middleware {
  readonly name: string;
  handle(job: RunningJob, next: () => Promise<void>): Promise<void>;
}
