import type { BatchState, Driver, EventInput } from '../drivers/types.js';
import { toLink } from './chain.js';
import { type DispatchOptions, dispatchJobs } from './dispatch.js';
import type { ChainLink, JobEnvelope } from './envelope.js';
import { buildEnvelope, type DispatchInput } from './envelope-builder.js';
import { newJobId } from './ids.js';

export interface BatchOptions {
  name?: string | null;
  allowFailures?: boolean;
  onSuccess?: DispatchInput | null;
  onFailure?: DispatchInput | null;
  onFinish?: DispatchInput | null;
  queue?: string | null;
}

/**
 * Dispatch jobs that run in parallel as one batch (Laravel's Bus::batch). The batch record is
 * stored first, so no job can finish before its batch exists; if the push fails the batch is
 * cancelled rather than left waiting for jobs that never came.
 */
export async function dispatchBatch(
  driver: Driver,
  inputs: DispatchInput[],
  options: BatchOptions = {},
  dispatch: DispatchOptions = {},
) {
  const id = newJobId();
  const link = (input: DispatchInput | null | undefined) => (input ? toLink(input) : null);
  const state: BatchState = {
    id,
    name: options.name ?? null,
    total: inputs.length,
    pending: inputs.length,
    failed: 0,
    failedIds: [],
    allowFailures: options.allowFailures ?? false,
    createdAt: await driver.now(),
    cancelledAt: null,
    onSuccess: link(options.onSuccess),
    onFailure: link(options.onFailure),
    onFinish: link(options.onFinish),
    queue: options.queue ?? null,
  };
  await driver.batchCreate(state);
  try {
    const jobs = inputs.map((input) => ({ ...input, queue: input.queue ?? options.queue ?? undefined, batchId: id }));
    const { results } = await dispatchJobs(driver, jobs, dispatch);
    return { batchId: id, results };
  } catch (error) {
    await driver.batchCancel(id);
    throw error;
  }
}

/**
 * After a batch job's final outcome: record it, then dispatch the batch's jobs as Laravel runs its
 * callbacks: `catch` on the first failure (which also cancels the batch unless failures are
 * allowed), `then` when every job succeeded, `finally` once every job has run. Each is pushed with
 * an idempotency key of the batch, so a job re-run after a crash cannot dispatch one twice.
 */
export async function settleBatch(
  driver: Driver,
  envelope: JobEnvelope,
  outcome: 'succeeded' | 'failed',
  error?: string,
): Promise<EventInput[]> {
  if (!envelope.batchId) return [];
  const state = await driver.batchRecord({ id: envelope.batchId, jobId: envelope.id, outcome });
  if (!state) return [];
  const events: EventInput[] = [];
  const now = await driver.now();
  const summary = {
    id: state.id,
    name: state.name,
    total: state.total,
    pending: state.pending,
    failed: state.failed,
    failedIds: state.failedIds,
  };
  const push = async (link: ChainLink, tag: string, extra: Record<string, unknown>) => {
    const base =
      link.data && typeof link.data === 'object' && !Array.isArray(link.data)
        ? (link.data as Record<string, unknown>)
        : {};
    const input: DispatchInput = {
      name: link.name,
      data: { ...base, batch: summary, ...extra },
      queue: link.queue ?? state.queue ?? undefined,
      tries: link.maxTries ?? undefined,
      backoff: link.backoff ?? undefined,
      timeout: link.timeout ?? undefined,
      middleware: link.middleware,
      tags: link.tags,
      idempotencyKey: `batch:${state.id}:${tag}`,
    };
    const job = buildEnvelope(input, now);
    await driver.jobPush([job], {
      events: [
        {
          name: 'job.dispatched',
          queue: job.queue,
          jobId: job.id,
          jobName: job.name,
          details: { batch: state.id, callback: tag },
        },
      ],
    });
  };
  const event = (name: string, details: Record<string, unknown> = {}) =>
    events.push({
      name,
      queue: envelope.queue,
      jobId: envelope.id,
      jobName: envelope.name,
      details: { batch: state.id, ...details },
    });

  if (outcome === 'failed' && state.firstFailure) {
    event('batch.failed', { error });
    if (state.onFailure)
      await push(state.onFailure, 'catch', { failed: { job: envelope.name, id: envelope.id, error } });
    if (!state.allowFailures) await driver.batchCancel(state.id);
  }
  if (state.pending === 0 && state.failed === 0) {
    event('batch.completed');
    if (state.onSuccess) await push(state.onSuccess, 'then', {});
  }
  if (state.pending === state.failed) {
    event('batch.finished', { failed: state.failed });
    if (state.onFinish) await push(state.onFinish, 'finally', {});
  }
  return events;
}
