import type { Driver, EventInput, ReservedJob } from '../drivers/types.js';
import type { AttemptAbort } from './attempt-abort.js';
import { type AttemptDefaults, backoffSeconds, exceptionIsFinal, mayRun, type ResolvedPolicy } from './attempts.js';
import { settleBatch } from './batch.js';
import { continueChain, failChain } from './chain.js';
import { isCodeJob, isCommandJob, isHttpJob, type JobDefinition } from './define.js';
import { parseDurationSeconds } from './duration.js';
import type { AttemptRecord, JobEnvelope } from './envelope.js';
import { firstLine } from './errors.js';
import { runCommandJob } from './handlers/command.js';
import { runHttpJob } from './handlers/http.js';
import { buildPipeline, type MiddlewareDeps } from './middleware/pipeline.js';
import { RunningJob, toError } from './running-job.js';

export type AttemptStatus = 'completed' | 'released' | 'failed' | 'deleted' | 'lost';

export interface AttemptResult {
  job: JobEnvelope;
  status: AttemptStatus;
  durationMs: number;
  /** Seconds until the job is available again (released). */
  delaySeconds?: number;
  error?: string;
  /** Why it was released or deleted without running (lock busy, throttled…). */
  reason?: string;
}

export interface RunnerDeps {
  driver: Driver;
  jobs: Record<string, JobDefinition>;
  defaults: AttemptDefaults;
  workerId: string;
  middleware: MiddlewareDeps;
  /** Grace after an abort before a handler that ignores its signal is given up on. */
  abortGraceMs?: number;
  /** Called when a code job ignored its abort past the grace period (the worker should retire). */
  onStuck?: (job: JobEnvelope) => void;
}

const TIMEOUT = Symbol('timeout');
const INTERRUPTED = Symbol('interrupted');

/** Resolve the attempt policy: envelope fields win, then the job definition, then worker defaults. */
export function resolvePolicy(
  envelope: JobEnvelope,
  definition: JobDefinition | undefined,
  defaults: AttemptDefaults,
): ResolvedPolicy {
  const fromDefinition = (value: unknown): number | null =>
    value === undefined || value === null || typeof value === 'function' || value instanceof Date
      ? null
      : parseDurationSeconds(value as string | number);
  let retryUntil = envelope.retryUntil;
  if (retryUntil === null && definition?.retryUntil !== undefined) {
    const value = definition.retryUntil;
    if (value instanceof Date) retryUntil = value.getTime();
    else if (typeof value === 'function') {
      const computed = value();
      retryUntil = computed instanceof Date ? computed.getTime() : computed;
    } else retryUntil = envelope.dispatchedAt + parseDurationSeconds(value) * 1000;
  }
  const definitionBackoff = definition?.backoff;
  return {
    maxTries: envelope.maxTries ?? definition?.tries ?? defaults.tries,
    maxExceptions: envelope.maxExceptions ?? definition?.maxExceptions ?? null,
    backoff:
      envelope.backoff ??
      (Array.isArray(definitionBackoff)
        ? definitionBackoff.map((d) => parseDurationSeconds(d))
        : fromDefinition(definitionBackoff)) ??
      defaults.backoff,
    timeout: envelope.timeout ?? fromDefinition(definition?.timeout) ?? defaults.timeout,
    failOnTimeout: envelope.failOnTimeout || (definition?.failOnTimeout ?? false),
    retryUntil,
  };
}

/**
 * An attempt whose handler has finished (or that was refused before it ran), waiting to be
 * recorded in the store.
 */
export type ExecutedAttempt =
  | { kind: 'rejected'; reserved: ReservedJob; reason: string }
  | { kind: 'ran'; job: RunningJob; definition: JobDefinition | undefined; startedAt: number };

/** Run one reserved job to the end of its attempt and record the outcome in the store. */
export async function runAttempt(
  reserved: ReservedJob,
  deps: RunnerDeps,
  external?: AttemptAbort,
): Promise<AttemptResult> {
  return recordAttempt(await executeAttempt(reserved, deps, external), deps);
}

/**
 * Run the attempt up to its outcome, without recording it. `external` aborts it without using a
 * try (forced shutdown, lost lease).
 */
export async function executeAttempt(
  reserved: ReservedJob,
  deps: RunnerDeps,
  external?: AttemptAbort,
): Promise<ExecutedAttempt> {
  const envelope = reserved.envelope;
  const rejected =
    reserved.rejected ??
    (envelope.encrypted ? 'the job data is encrypted and this worker has no key (set QTOOL_KEY)' : undefined);
  if (rejected) return { kind: 'rejected', reserved, reason: rejected };
  const job = new RunningJob(envelope, reserved.token, deps.workerId);
  const unsubscribe = external?.onAbort(() => job.abort.abort(external.reason));
  const startedAt = Date.now();
  const definition = deps.jobs[envelope.name];
  const policy = resolvePolicy(envelope, definition, deps.defaults);
  try {
    if (!definition) {
      job.fail(new Error(`unknown job "${envelope.name}": no such job in the worker's config`));
    } else if (!mayRun(envelope, policy, startedAt)) {
      job.fail(
        new Error(
          policy.retryUntil !== null
            ? `${envelope.name} has timed out: retryUntil passed`
            : `${envelope.name} has been attempted too many times (${envelope.attempts - 1}/${policy.maxTries})`,
        ),
      );
    } else if (envelope.batchId && (await deps.driver.batchGet(envelope.batchId))?.cancelledAt) {
      job.delete(`batch ${envelope.batchId} was cancelled`);
    } else {
      await runPipeline(job, definition, policy, deps, external);
    }
  } catch (thrown) {
    if (thrown === INTERRUPTED || (external?.aborted && !job.outcome)) {
      // A forced shutdown or a lost lease: hand the job back without using a try.
      job.outcome = {
        type: 'release',
        delaySeconds: 0,
        kind: 'lockWait',
        reason: `interrupted: ${String(external?.reason ?? 'shutdown')}`,
      };
    } else {
      await handleException(job, toError(thrown), policy, thrown === TIMEOUT);
    }
  } finally {
    unsubscribe?.();
  }
  return { kind: 'ran', job, definition, startedAt };
}

/** Record an executed attempt's outcome in the store (and continue its chain or batch). */
export function recordAttempt(executed: ExecutedAttempt, deps: RunnerDeps): Promise<AttemptResult> {
  if (executed.kind === 'rejected') return failUnrun(executed.reserved, executed.reason, deps);
  return finish(executed.job, executed.definition, executed.startedAt, deps);
}

async function runPipeline(
  job: RunningJob,
  definition: JobDefinition,
  policy: ResolvedPolicy,
  deps: RunnerDeps,
  external?: AttemptAbort,
): Promise<void> {
  const handler = () => runHandler(job, definition, policy, deps, external);
  const pipeline = buildPipeline(job, definition, deps.middleware, handler);
  await pipeline();
}

async function runHandler(
  job: RunningJob,
  definition: JobDefinition,
  policy: ResolvedPolicy,
  deps: RunnerDeps,
  external?: AttemptAbort,
): Promise<void> {
  const unique = job.envelope.unique;
  // ShouldBeUniqueUntilProcessing: the key frees as the handler starts, so a new dispatch may queue.
  if (unique?.untilProcessing) await deps.driver.uniqueRelease({ key: unique.key, owner: job.id });
  const work = startHandler(job, definition);
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  try {
    // One promise settles on whichever comes first: the handler, its timeout, or an abort.
    const winner = await new Promise<typeof TIMEOUT | typeof INTERRUPTED | undefined>((resolve, reject) => {
      work.then(() => resolve(undefined), reject);
      if (policy.timeout > 0) timer = setTimeout(() => resolve(TIMEOUT), policy.timeout * 1000);
      unsubscribe = external?.onAbort(() => resolve(INTERRUPTED));
    });
    if (winner === TIMEOUT || winner === INTERRUPTED) {
      const reason =
        winner === TIMEOUT ? new Error(`${job.name} timed out after ${policy.timeout}s`) : external?.reason;
      job.abort.abort(reason);
      await settleAfterAbort(work, job, deps);
      throw winner;
    }
  } finally {
    clearTimeout(timer);
    unsubscribe?.();
  }
}

function startHandler(job: RunningJob, definition: JobDefinition): Promise<unknown> {
  try {
    if (isCodeJob(definition)) return Promise.resolve(definition.handle(job.envelope.data, job.context()));
    if (isCommandJob(definition)) return runCommandJob(definition, job);
    if (isHttpJob(definition)) return runHttpJob(definition, job);
    throw new Error(`job "${job.name}" has no handle(), command or http in its definition`);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Give an aborted handler a grace period to stop; one that ignores its signal retires the worker. */
async function settleAfterAbort(work: Promise<unknown>, job: RunningJob, deps: RunnerDeps): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'stuck'>((resolve) => {
    timer = setTimeout(() => resolve('stuck'), deps.abortGraceMs ?? 10_000);
  });
  const settled = await Promise.race([
    work.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    grace,
  ]);
  clearTimeout(timer);
  if (settled === 'stuck') deps.onStuck?.(job.envelope);
}

async function handleException(
  job: RunningJob,
  error: Error,
  policy: ResolvedPolicy,
  isTimeout: boolean,
): Promise<void> {
  if (job.outcome) return; // the job decided before it threw (e.g. fail() then throw)
  const envelope = job.envelope;
  const reason = isTimeout ? new Error(`${envelope.name} timed out after ${policy.timeout}s`) : error;
  if (isTimeout) job.timedOut = true;
  if (isTimeout && policy.failOnTimeout) return job.fail(reason);
  const final = exceptionIsFinal(envelope, policy, Date.now());
  if (final) return job.fail(reason);
  const delay = backoffSeconds(policy.backoff, envelope.attempts);
  job.outcome = { type: 'release', delaySeconds: delay, kind: 'exception', reason: reason.message };
  job.lastError = reason;
}

async function finish(
  job: RunningJob,
  definition: JobDefinition | undefined,
  startedAt: number,
  deps: RunnerDeps,
): Promise<AttemptResult> {
  const { driver } = deps;
  const envelope = job.envelope;
  const endedAt = Date.now();
  const durationMs = endedAt - startedAt;
  const outcome = job.outcome;
  const stdout = job.stdout || job.logs.length ? (job.stdout ?? job.logs.join('\n')) : undefined;
  const record = (result: AttemptRecord['outcome'], error?: string): AttemptRecord => {
    const attempt: AttemptRecord = {
      attempt: envelope.attempts,
      workerId: deps.workerId,
      startedAt,
      endedAt,
    } as AttemptRecord;
    if (stdout !== undefined) attempt.stdout = stdout;
    if (job.stderr) attempt.stderr = job.stderr;
    attempt.outcome = result;
    if (error) attempt.error = error;
    return attempt;
  };
  const event = (name: string, details?: Record<string, unknown>): EventInput => ({
    name,
    queue: envelope.queue,
    jobId: envelope.id,
    jobName: envelope.name,
    attempt: envelope.attempts,
    workerId: deps.workerId,
    durationMs,
    details,
  });
  const id = envelope.id;
  const token = job.token;
  const timeoutEvents = (): EventInput[] => (job.timedOut ? [event('job.timeout', { timeout: envelope.timeout })] : []);

  if (!outcome || outcome.type === 'delete') {
    const status = outcome ? 'deleted' : 'completed';
    const events = [
      event(outcome ? 'job.deleted' : 'job.processed', outcome?.reason ? { reason: outcome.reason } : undefined),
    ];
    // Laravel dispatches the next link before deleting the current job; a deleted job (dontRelease,
    // skip) does not stop its chain.
    if (envelope.chain) events.push(...(await continueChain(driver, envelope, endedAt)));
    // No attempt record: a completed job leaves no history behind.
    const ok = await driver.jobComplete({ id, token, events });
    if (ok && envelope.batchId) await appendBatchEvents(driver, await settleBatch(driver, envelope, 'succeeded'));
    return { job: envelope, status: ok ? status : 'lost', durationMs, reason: outcome?.reason };
  }
  if (outcome.type === 'release') {
    const error = job.lastError ? firstLine(job.lastError.message) : undefined;
    const events = timeoutEvents();
    if (outcome.kind === 'exception') events.push(event('job.exception', { error }));
    events.push(event('job.released', { delay: outcome.delaySeconds, kind: outcome.kind, reason: outcome.reason }));
    const ok = await driver.jobRelease({
      id,
      token,
      delayMs: Math.round(outcome.delaySeconds * 1000),
      kind: outcome.kind,
      waitingOn: outcome.waitingOn ?? null,
      attempt: record(outcome.kind === 'exception' ? 'exception' : 'released', error),
      events,
    });
    return {
      job: envelope,
      status: ok ? 'released' : 'lost',
      durationMs,
      delaySeconds: outcome.delaySeconds,
      error,
      reason: outcome.reason,
    };
  }
  const error = outcome.error;
  if (definition && isCodeJob(definition) && definition.failed) {
    try {
      await definition.failed(envelope.data, error);
    } catch (hookError) {
      error.message += ` (and failed() threw: ${toError(hookError).message})`;
    }
  }
  const chainEvents = await failChain(driver, envelope, firstLine(error.message), endedAt);
  const ok = await driver.jobFail({
    id,
    token,
    error: { message: error.message, stack: error.stack },
    attempt: record('failed', firstLine(error.message)),
    events: [...timeoutEvents(), event('job.failed', { error: firstLine(error.message) }), ...chainEvents],
  });
  if (ok) await appendBatchEvents(driver, await settleBatch(driver, envelope, 'failed', firstLine(error.message)));
  return { job: envelope, status: ok ? 'failed' : 'lost', durationMs, error: firstLine(error.message) };
}

/**
 * A job that must not run (undecodable, or its signature does not match) goes straight to the
 * failed store. Nothing in it is trusted, so no failed() hook, chain catch or batch callback runs.
 */
async function failUnrun(reserved: ReservedJob, reason: string, deps: RunnerDeps): Promise<AttemptResult> {
  const { envelope, token } = reserved;
  const now = Date.now();
  const ok = await deps.driver.jobFail({
    id: envelope.id,
    token,
    error: { message: reason },
    attempt: {
      attempt: envelope.attempts,
      workerId: deps.workerId,
      startedAt: now,
      endedAt: now,
      outcome: 'failed',
      error: reason,
    },
    events: [
      {
        name: 'job.failed',
        queue: envelope.queue,
        jobId: envelope.id,
        jobName: envelope.name,
        attempt: envelope.attempts,
        workerId: deps.workerId,
        durationMs: 0,
        details: { error: reason, rejected: true },
      },
    ],
  });
  return { job: envelope, status: ok ? 'failed' : 'lost', durationMs: 0, error: reason };
}

async function appendBatchEvents(driver: Driver, events: EventInput[]): Promise<void> {
  if (events.length) await driver.eventsAppend(events);
}
