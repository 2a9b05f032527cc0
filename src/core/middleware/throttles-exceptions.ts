import { parseDurationSeconds } from '../duration.js';
import type { MiddlewareSpec } from '../envelope.js';
import { type RunningJob, toError } from '../running-job.js';
import type { MiddlewareDeps } from './deps.js';
import type { Middleware } from './types.js';

type ErrorTest = (error: Error) => boolean;
/** Seconds to wait before retrying: a duration, or one computed from the error. */
type Backoff = number | string | ((error: Error) => number | string);

/** Extra wait past the window's end, so a retry does not meet the window still closing. */
const WINDOW_MARGIN_S = 1;

/**
 * Laravel's ThrottlesExceptions: count exceptions per key over a fixed window. At the threshold,
 * attempts are released without running until the window lapses; below it a failing attempt is
 * released after `backoff` and its exception swallowed; a success clears the count.
 */
export class ThrottlesExceptions implements Middleware {
  readonly name = 'throttlesExceptions';
  private maxExceptions: number;
  private decaySeconds: number;
  private backoffValue: Backoff = 0;
  private byKey: string | null = null;
  private perJob = false;
  private whenTest: ErrorTest | null = null;
  private deleteTest: ErrorTest | null = null;
  private failTest: ErrorTest | null = null;

  constructor(
    maxExceptions = 10,
    decay: number | string = '10m',
    private readonly deps?: MiddlewareDeps,
  ) {
    this.maxExceptions = maxExceptions;
    this.decaySeconds = parseDurationSeconds(decay);
  }

  static fromSpec(
    spec: Extract<MiddlewareSpec, { throttlesExceptions: unknown }>['throttlesExceptions'],
    deps: MiddlewareDeps,
  ) {
    const middleware = new ThrottlesExceptions(spec.maxExceptions ?? 10, spec.decay ?? 600, deps);
    if (spec.backoff !== undefined) middleware.backoff(spec.backoff);
    if (spec.by) middleware.by(spec.by);
    if (spec.byJob) middleware.byJob();
    return middleware;
  }

  withDeps(deps: MiddlewareDeps): ThrottlesExceptions {
    const copy = Object.assign(Object.create(ThrottlesExceptions.prototype), this, { deps }) as ThrottlesExceptions;
    return copy;
  }

  backoff(value: Backoff): this {
    this.backoffValue = value;
    return this;
  }
  by(key: string): this {
    this.byKey = key;
    return this;
  }
  byJob(): this {
    this.perJob = true;
    return this;
  }
  when(test: ErrorTest): this {
    this.whenTest = test;
    return this;
  }
  deleteWhen(test: ErrorTest): this {
    this.deleteTest = test;
    return this;
  }
  failWhen(test: ErrorTest): this {
    this.failTest = test;
    return this;
  }

  counterKey(job: RunningJob): string {
    if (this.byKey) return `throttle:${this.byKey}`;
    return this.perJob ? `throttle:${job.name}:${job.id}` : `throttle:${job.name}`;
  }

  async handle(job: RunningJob, next: () => Promise<void>): Promise<void> {
    const driver = this.deps!.driver;
    const key = this.counterKey(job);
    const state = await driver.counterGet(key);
    if (state && state.count >= this.maxExceptions) {
      const now = await driver.now();
      const wait = Math.max(0, (state.expiresAt - now) / 1000) + WINDOW_MARGIN_S;
      job.release(wait, 'release', `throttled by ${key} (${state.count}/${this.maxExceptions})`, key);
      return;
    }
    try {
      await next();
    } catch (thrown) {
      const error = toError(thrown);
      if (this.whenTest && !this.whenTest(error)) throw thrown;
      if (this.deleteTest?.(error)) return job.delete(`deleteWhen: ${error.message}`);
      if (this.failTest?.(error)) return job.fail(error);
      const hit = await driver.counterHit({
        key,
        decayMs: Math.round(this.decaySeconds * 1000),
        meta: { kind: 'throttle', limit: this.maxExceptions, job: job.name },
      });
      if (hit.count === this.maxExceptions) {
        await driver.eventsAppend([
          {
            name: 'throttle.tripped',
            queue: job.envelope.queue,
            jobId: job.id,
            jobName: job.name,
            details: { key, count: hit.count, until: hit.expiresAt },
          },
        ]);
      }
      const backoff = typeof this.backoffValue === 'function' ? this.backoffValue(error) : this.backoffValue;
      job.lastError = error;
      job.release(backoff, 'release', `exception counted by ${key}: ${error.message.split('\n')[0]}`);
      return;
    }
    if (!job.outcome || job.outcome.type === 'delete') await driver.counterClear(key);
  }
}

export function throttlesExceptions(maxExceptions = 10, decay: number | string = '10m'): ThrottlesExceptions {
  return new ThrottlesExceptions(maxExceptions, decay);
}
