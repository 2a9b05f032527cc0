import type { ChainSpec, JobEnvelope, MiddlewareSpec, UniqueSpec } from './envelope.js';
import { newJobId } from './ids.js';
import type { JobFileEntry } from './schema.js';

/** What a caller asks for when dispatching one job (all durations in seconds, instants in epoch ms). */
export interface DispatchInput {
  /** Preassigned id (a transaction promises ids before it pushes); new otherwise. */
  id?: string;
  name: string;
  data?: unknown;
  queue?: string;
  connection?: string | null;
  delaySeconds?: number;
  at?: number;
  tries?: number | null;
  maxExceptions?: number | null;
  backoff?: number | number[] | null;
  timeout?: number | null;
  failOnTimeout?: boolean;
  /** Epoch ms. */
  retryUntil?: number | null;
  middleware?: MiddlewareSpec[];
  unique?: UniqueSpec | null;
  idempotencyKey?: string | null;
  tags?: string[];
  chain?: ChainSpec | null;
  batchId?: string | null;
}

export const DEFAULT_QUEUE = 'default';

/**
 * Turn a dispatch request into a stored envelope; `now` is the dispatching clock in epoch ms.
 * `fallback` fills the queue and connection a request leaves out (the job definition's queue, the
 * dispatching connection). The literal has one fixed shape, with no spread: a bulk dispatch builds
 * hundreds of thousands of these.
 */
export function buildEnvelope(
  input: DispatchInput,
  now: number,
  fallback: { queue?: string; connection?: string | null } = {},
): JobEnvelope {
  const availableAt = input.at ?? now + Math.round((input.delaySeconds ?? 0) * 1000);
  const envelope: JobEnvelope = {
    id: input.id ?? newJobId(),
    name: input.name,
    queue: input.queue ?? fallback.queue ?? DEFAULT_QUEUE,
    connection: input.connection ?? fallback.connection ?? null,
    data: input.data ?? null,
    attempts: 0,
    exceptions: 0,
    lockWaits: 0,
    maxTries: input.tries ?? null,
    maxExceptions: input.maxExceptions ?? null,
    backoff: input.backoff ?? null,
    timeout: input.timeout ?? null,
    failOnTimeout: input.failOnTimeout ?? false,
    retryUntil: input.retryUntil ?? null,
    middleware: input.middleware ?? [],
    unique: input.unique ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    chain: input.chain ?? null,
    tags: input.tags ?? [],
    dispatchedAt: now,
    availableAt: Math.max(availableAt, now),
  };
  if (input.batchId) envelope.batchId = input.batchId;
  return envelope;
}

/**
 * A validated job-file entry as a dispatch request. `retryUntil` given as a duration is relative
 * to now (a date stays as it is): a plain number below 10^11 cannot be an epoch-ms date.
 */
export function entryToInput(entry: JobFileEntry, now: number): DispatchInput {
  const retryUntil =
    entry.retryUntil === undefined
      ? undefined
      : entry.retryUntil < 1e11
        ? now + entry.retryUntil * 1000
        : entry.retryUntil;
  return {
    name: entry.job,
    data: entry.data,
    queue: entry.queue,
    connection: entry.connection,
    delaySeconds: entry.delay,
    at: entry.at,
    tries: entry.tries,
    maxExceptions: entry.maxExceptions,
    backoff: entry.backoff,
    timeout: entry.timeout,
    failOnTimeout: entry.failOnTimeout,
    retryUntil,
    middleware: entry.middleware as MiddlewareSpec[] | undefined,
    unique: entry.unique
      ? { key: entry.unique.key, ttl: entry.unique.for ?? null, untilProcessing: entry.unique.untilProcessing ?? false }
      : undefined,
    idempotencyKey: entry.idempotencyKey,
    tags: entry.tags,
  };
}

/** Fill fields a request leaves out from defaults (command-line flags, a chain's queue). */
export function withDefaults(input: DispatchInput, defaults: Partial<DispatchInput>): DispatchInput {
  const merged: DispatchInput = { ...input };
  for (const [key, value] of Object.entries(defaults) as [keyof DispatchInput, unknown][]) {
    if (value !== undefined && merged[key] === undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}
