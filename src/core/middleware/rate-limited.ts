import { parseDurationMs } from '../duration.js';
import type { RunningJob } from '../running-job.js';
import type { MiddlewareDeps } from './deps.js';
import type { Middleware } from './types.js';

/**
 * A named limiter from the config (`limiters: { api: { max: 10, per: '1m' } }`). Over the limit
 * the job waits for the window to end: released as a wait that does not use a try (like a busy
 * overlap lock), or dropped with `dontRelease`.
 */
export class RateLimited implements Middleware {
  readonly name = 'rateLimited';
  private drop = false;

  constructor(
    private readonly limiter: string,
    private readonly deps?: MiddlewareDeps,
  ) {}

  static fromSpec(spec: { name: string; dontRelease?: boolean }, deps: MiddlewareDeps): RateLimited {
    const middleware = new RateLimited(spec.name, deps);
    if (spec.dontRelease) middleware.dontRelease();
    return middleware;
  }

  withDeps(deps: MiddlewareDeps): RateLimited {
    return RateLimited.fromSpec({ name: this.limiter, dontRelease: this.drop }, deps);
  }

  dontRelease(): this {
    this.drop = true;
    return this;
  }

  async handle(job: RunningJob, next: () => Promise<void>): Promise<void> {
    const deps = this.deps!;
    const definition = deps.limiters[this.limiter];
    if (!definition) {
      job.fail(new Error(`unknown rate limiter "${this.limiter}": define it under limiters in the config`));
      return;
    }
    const suffix = definition.by ? `:${definition.by(job.envelope.data)}` : '';
    const key = `rate:${this.limiter}${suffix}`;
    const hit = await deps.driver.counterHit({
      key,
      decayMs: parseDurationMs(definition.per),
      limit: definition.max,
      meta: { kind: 'rate', limit: definition.max, job: job.name },
    });
    if (!hit.allowed) {
      const reason = `rate limit ${key} reached (${hit.count}/${definition.max})`;
      if (this.drop) return job.delete(reason);
      const now = await deps.driver.now();
      job.release(Math.max(0, (hit.expiresAt - now) / 1000), 'lockWait', reason, key);
      return;
    }
    await next();
  }
}

export function rateLimited(limiter: string): RateLimited {
  return new RateLimited(limiter);
}
