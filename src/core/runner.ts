import type { Driver, EventInput, ReservedJob } from '../drivers/types.js';
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

/** Run one reserved job to the end of its attempt and record the outcome in the store. */
export async function runAttempt(
  reserved: ReservedJob,
  deps: RunnerDeps,
  external?: AbortSignal,
): Promise<AttemptResult> {
  const envelope = reserved.envelope;
  const rejected =
    reserved.rejected ??
    (envelope.encrypted ? 'the job data is encrypted and this worker has no key (set QTOOL_KEY)' : undefined);
  if (rejected) return failUnrun(reserved, rejected, deps);
  const job = new RunningJob(envelope, reserved.token, deps.workerId);
  const onExternalAbort = () => job.controller.abort(external?.reason);
  external?.addEventListener('abort', onExternalAbort, { once: true });
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
    external?.removeEventListener('abort', onExternalAbort);
  }
  return finish(job, definition, startedAt, deps);
}

async function runPipeline(
  job: RunningJob,
  definition: JobDefinition,
  policy: ResolvedPolicy,
  deps: RunnerDeps,
  external?: AbortSignal,
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
  external?: AbortSignal,
): Promise<void> {
  const unique = job.envelope.unique;
  // ShouldBeUniqueUntilProcessing: the key frees as the handler starts, so a new dispatch may queue.
  if (unique?.untilProcessing) await deps.driver.uniqueRelease({ key: unique.key, owner: job.id });
  const work = (async () => {
    if (isCodeJob(definition)) await definition.handle(job.envelope.data, job.context());
    else if (isCommandJob(definition)) await runCommandJob(definition, job);
    else if (isHttpJob(definition)) await runHttpJob(definition, job);
    else throw new Error(`job "${job.name}" has no handle(), command or http in its definition`);
  })();

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<typeof TIMEOUT | typeof INTERRUPTED>((resolve) => {
    if (policy.timeout > 0) timer = setTimeout(() => resolve(TIMEOUT), policy.timeout * 1000);
    onAbort = () => resolve(INTERRUPTED);
    if (external?.aborted) onAbort();
    else external?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const winner = await Promise.race([work, stop]);
    if (winner === TIMEOUT || winner === INTERRUPTED) {
      const reason =
        winner === TIMEOUT ? new Error(`${job.name} timed out after ${policy.timeout}s`) : external?.reason;
      job.controller.abort(reason);
      await settleAfterAbort(work, job, deps);
      throw winner;
    }
  } finally {
    clearTimeout(timer);
    if (onAbort) external?.removeEventListener('abort', onAbort);
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
  const base: Omit<AttemptRecord, 'outcome'> = {
    attempt: envelope.attempts,
    workerId: deps.workerId,
    startedAt,
    endedAt,
    ...(job.stdout || job.logs.length ? { stdout: job.stdout ?? job.logs.join('\n') } : {}),
    ...(job.stderr ? { stderr: job.stderr } : {}),
  };
  const event = (name: string, details?: Record<string, unknown>): EventInput[] => [
    {
      name,
      queue: envelope.queue,
      jobId: envelope.id,
      jobName: envelope.name,
      attempt: envelope.attempts,
      workerId: deps.workerId,
      durationMs,
      details,
    },
  ];
  const ids = { id: envelope.id, token: job.token };
  const timeoutEvent = () => (job.timedOut ? event('job.timeout', { timeout: envelope.timeout }) : []);

  if (!outcome || outcome.type === 'delete') {
    const status = outcome ? 'deleted' : 'completed';
    // Laravel dispatches the next link before deleting the current job; a deleted job (dontRelease,
    // skip) does not stop its chain.
    const chainEvents = await continueChain(driver, envelope, endedAt);
    const ok = await driver.jobComplete({
      ...ids,
      attempt: { ...base, outcome: status },
      events: [
        ...event(outcome ? 'job.deleted' : 'job.processed', outcome?.reason ? { reason: outcome.reason } : undefined),
        ...chainEvents,
      ],
    });
    if (ok) await appendBatchEvents(driver, await settleBatch(driver, envelope, 'succeeded'));
    return { job: envelope, status: ok ? status : 'lost', durationMs, reason: outcome?.reason };
  }
  if (outcome.type === 'release') {
    const error = job.lastError ? firstLine(job.lastError.message) : undefined;
    const ok = await driver.jobRelease({
      ...ids,
      delayMs: Math.round(outcome.delaySeconds * 1000),
      kind: outcome.kind,
      waitingOn: outcome.waitingOn ?? null,
      attempt: {
        ...base,
        outcome: outcome.kind === 'exception' ? 'exception' : 'released',
        ...(error ? { error } : {}),
      },
      events: [
        ...timeoutEvent(),
        ...(outcome.kind === 'exception' ? event('job.exception', { error }) : []),
        ...event('job.released', { delay: outcome.delaySeconds, kind: outcome.kind, reason: outcome.reason }),
      ],
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
    ...ids,
    error: { message: error.message, stack: error.stack },
    attempt: { ...base, outcome: 'failed', error: firstLine(error.message) },
    events: [...timeoutEvent(), ...event('job.failed', { error: firstLine(error.message) }), ...chainEvents],
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
