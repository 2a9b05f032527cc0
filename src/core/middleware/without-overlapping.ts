import { parseDurationSeconds } from '../duration.js';
import type { MiddlewareSpec } from '../envelope.js';
import type { RunningJob } from '../running-job.js';
import type { MiddlewareDeps } from './deps.js';
import type { Middleware } from './types.js';

type Options = Extract<MiddlewareSpec, { withoutOverlapping: unknown }>['withoutOverlapping'];

/**
 * Laravel's WithoutOverlapping: one attempt at a time per key. Busy: released after
 * `releaseAfter` as a lock wait (which, unlike Laravel, does not use a try), or dropped with
 * `dontRelease`. The lock carries an owner token and is released when the attempt ends.
 */
export class WithoutOverlapping implements Middleware {
  readonly name = 'withoutOverlapping';
  private options: Options;

  constructor(
    key: string | number,
    private readonly deps?: MiddlewareDeps,
  ) {
    this.options = { key: String(key) };
  }

  static fromSpec(spec: Options, deps: MiddlewareDeps): WithoutOverlapping {
    const middleware = new WithoutOverlapping(spec.key, deps);
    middleware.options = { ...spec };
    return middleware;
  }

  releaseAfter(delay: number | string): this {
    this.options.releaseAfter = parseDurationSeconds(delay);
    return this;
  }
  dontRelease(): this {
    this.options.dontRelease = true;
    return this;
  }
  expireAfter(ttl: number | string): this {
    this.options.expireAfter = parseDurationSeconds(ttl);
    return this;
  }
  shared(): this {
    this.options.shared = true;
    return this;
  }

  lockKey(jobName: string): string {
    return this.options.shared ? `overlap:${this.options.key}` : `overlap:${jobName}:${this.options.key}`;
  }

  toSpec(): MiddlewareSpec {
    return { withoutOverlapping: { ...this.options } };
  }

  withDeps(deps: MiddlewareDeps): WithoutOverlapping {
    return WithoutOverlapping.fromSpec(this.options, deps);
  }

  async handle(job: RunningJob, next: () => Promise<void>): Promise<void> {
    const driver = this.deps!.driver;
    const key = this.lockKey(job.name);
    const owner = `${job.workerId}/${job.id}/${job.token}`;
    const ttl = this.options.expireAfter;
    const acquired = await driver.lockAcquire({
      key,
      owner,
      ttlMs: ttl ? Math.round(ttl * 1000) : null,
      jobId: job.id,
      workerId: job.workerId,
    });
    const event = (name: string) =>
      driver.eventsAppend([
        {
          name,
          queue: job.envelope.queue,
          jobId: job.id,
          jobName: job.name,
          attempt: job.attempt,
          workerId: job.workerId,
          details: { key },
        },
      ]);
    await event(acquired ? 'lock.acquired' : 'lock.busy');
    if (!acquired) {
      const reason = `overlap lock ${key} is held`;
      if (this.options.dontRelease) job.delete(reason);
      else job.release(lockWaitDelay(this.options.releaseAfter ?? 0), 'lockWait', reason, key);
      return;
    }
    try {
      await next();
    } finally {
      if (await driver.lockRelease({ key, owner })) await event('lock.released');
    }
  }
}

/**
 * Seconds before a job that found the lock busy is tried again. A lock wait uses no try, so with
 * Laravel's default of 0 it would spin at full speed while the lock is held: wait 100-200 ms
 * (jittered, so waiting jobs do not stampede) instead.
 */
export function lockWaitDelay(releaseAfter: number): number {
  return releaseAfter > 0 ? releaseAfter : 0.1 + Math.random() * 0.1;
}

export function withoutOverlapping(key: string | number): WithoutOverlapping {
  return new WithoutOverlapping(key);
}
