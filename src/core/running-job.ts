import { AttemptAbort } from './attempt-abort.js';
import type { JobContext } from './define.js';
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
    const abort = this.abort;
    return {
      id: this.id,
      name: this.name,
      queue: this.envelope.queue,
      attempt: this.attempt,
      data: this.envelope.data,
      workerId: this.workerId,
      get signal() {
        return abort.signal;
      },
      log: (...args: unknown[]) => {
        if (this.logs.length < 200)
          this.logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      },
      release: (delay) => this.release(delay ?? 0),
      fail: (error) => this.fail(error),
      delete: () => this.delete(),
    };
  }
}

export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
