import { AttemptAbort } from './attempt-abort.js';
import type { Duration, JobContext } from './define.js';
import { parseDurationSeconds } from './duration.js';
import type { JobEnvelope } from './envelope.js';

/** How an attempt ended when the handler or a middleware decided it explicitly. */
export type ExplicitOutcome =
  | {
      type: 'release';
      delaySeconds: number;
      kind: 'release' | 'lockWait' | 'exception';
      reason?: string;
      waitingOn?: string;
    }
  | { type: 'delete'; reason?: string }
  | { type: 'fail'; error: Error };

/**
 * One attempt of one job, as the runner, its middleware and the handler see it. The first
 * explicit outcome wins; a handler that returns with none set has completed.
 */
export class RunningJob {
  outcome: ExplicitOutcome | null = null;
  /** Aborted on timeout, lost lease or forced shutdown; handlers see it as `ctx.signal`. */
  readonly abort = new AttemptAbort();
  readonly logs: string[] = [];
  stdout?: string;
  stderr?: string;
  /** The exception behind a release, kept for the attempt record. */
  lastError?: Error;
  /** The attempt ran past its timeout. */
  timedOut = false;

  constructor(
    readonly envelope: JobEnvelope,
    readonly token: string,
    readonly workerId: string,
  ) {}

  get id(): string {
    return this.envelope.id;
  }
  get name(): string {
    return this.envelope.name;
  }
  get attempt(): number {
    return this.envelope.attempts;
  }
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  release(
    delay: number | string = 0,
    kind: 'release' | 'lockWait' | 'exception' = 'release',
    reason?: string,
    waitingOn?: string,
  ): void {
    this.outcome ??= { type: 'release', delaySeconds: parseDurationSeconds(delay), kind, reason, waitingOn };
  }
  delete(reason?: string): void {
    this.outcome ??= { type: 'delete', reason };
  }
  fail(error?: unknown): void {
    this.outcome ??= { type: 'fail', error: toError(error ?? `${this.name} was marked as failed`) };
  }

  context(): JobContext {
    return attemptContext(this);
  }
}

/** Each context's attempt abort, for the shared `signal` getter below. */
const CONTEXT_ABORTS = new WeakMap<object, AttemptAbort>();
const CONTEXT_PROTOTYPE = {
  get signal(): AbortSignal {
    return CONTEXT_ABORTS.get(this)!.signal;
  },
};

/**
 * What a handler gets as `ctx`: one object literal whose prototype holds the `signal` getter (the
 * signal is made only when asked for, see AttemptAbort). A getter in the literal itself cost each
 * context an accessor pair, which V8 allocates in the old generation: until the next full
 * collection that pair kept the getter's closure, and through it the job, its envelope and data,
 * alive through every young-generation collection, so a no-op worker promoted 5.5% of all it
 * allocated (0.3% now; a class assigning fields in its constructor measured 0.5-6%). See
 * bench/gc.bench.mjs. The methods are per-context arrow functions, so `const { release } = ctx`
 * keeps working.
 */
function attemptContext(job: RunningJob): JobContext {
  const context = {
    __proto__: CONTEXT_PROTOTYPE,
    id: job.id,
    name: job.name,
    queue: job.envelope.queue,
    attempt: job.attempt,
    data: job.envelope.data,
    workerId: job.workerId,
    log: (...args: unknown[]) => {
      if (job.logs.length < 200)
        job.logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    },
    release: (delay?: Duration) => job.release(delay ?? 0),
    fail: (error?: unknown) => job.fail(error),
    delete: () => job.delete(),
  };
  CONTEXT_ABORTS.set(context, job.abort);
  return context as unknown as JobContext;
}

export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
