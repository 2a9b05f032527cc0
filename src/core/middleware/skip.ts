import type { RunningJob } from '../running-job.js';
import type { Middleware } from './types.js';

type Condition = boolean | ((data: unknown) => boolean | Promise<boolean>);

/** Laravel's Skip::when / Skip::unless: the job is dropped as done without running. */
export class Skip implements Middleware {
  readonly name = 'skip';
  constructor(
    private readonly condition: Condition,
    private readonly skipWhen: boolean,
  ) {}

  async handle(job: RunningJob, next: () => Promise<void>): Promise<void> {
    const value = typeof this.condition === 'function' ? await this.condition(job.envelope.data) : this.condition;
    if (Boolean(value) === this.skipWhen) {
      job.delete(this.skipWhen ? 'skipIf matched' : 'skipUnless did not match');
      return;
    }
    await next();
  }
}

export const skipIf = (condition: Condition): Skip => new Skip(condition, true);
export const skipUnless = (condition: Condition): Skip => new Skip(condition, false);
