import formatBytes from 'bytes';
import type { Driver, PushResult } from '../drivers/types.js';
import type { AttemptDefaults } from './attempts.js';
import { rememberDataJson } from './data-json.js';
import type { JobDefinition, QtoolConfig } from './define.js';
import { parseDurationSeconds } from './duration.js';
import type { JobEnvelope, UniqueSpec } from './envelope.js';
import { buildEnvelope, type DispatchInput } from './envelope-builder.js';
import { InputError, QtoolError } from './errors.js';
import { newToken } from './ids.js';
import { jobSizeError, parseJobSize } from './job-size.js';
import { type AttemptResult, runAttempt } from './runner.js';

export const DEFAULT_MAX_JOB_BYTES = 1024 * 1024;
const PUSH_BATCH = 1000;
/** Batches in flight at once on a driver with pipelinedPush (measured: 2 ≈ 1.7x, 3-4 ≈ 2x of 1). */
const PIPELINE_DEPTH = 3;

export interface DispatchOptions {
  /** Registered jobs, when known: their `queue` applies to jobs that name none. */
  jobs?: Record<string, JobDefinition>;
  connectionName?: string;
  maxJobBytes?: number;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** The sync driver runs each job right after its push, with these defaults. */
  inlineDefaults?: AttemptDefaults;
  limiters?: Parameters<typeof runAttempt>[1]['middleware']['limiters'];
}

export interface DispatchOutcome {
  results: PushResult[];
  /** Sync driver only: how each job ran. */
  ran: AttemptResult[];
}

/**
 * Check every input (size, a definition's unique key), then build and push in batches. The checks
 * run before the first push, so a bad job dispatches none; each batch is atomic in the store.
 */
export async function dispatchJobs(
  driver: Driver,
  inputs: DispatchInput[],
  options: DispatchOptions = {},
): Promise<DispatchOutcome> {
  const now = await driver.now();
  const checked = checkInputs(inputs, options);
  // Only the sync driver needs every envelope after its push; elsewhere a batch's envelopes are
  // dropped once stored, so a bulk dispatch's garbage dies young instead of piling up in old space.
  const kept: JobEnvelope[] = [];
  const build = (start: number, end: number) => {
    const batch: JobEnvelope[] = [];
    for (let index = start; index < end; index++) {
      batch.push(envelopeFor(driver, inputs[index]!, checked, index, options, now));
    }
    if (driver.capabilities.inline) kept.push(...batch);
    return batch;
  };
  const results = await pushInBatches(driver, inputs.length, build, options);
  const ran = driver.capabilities.inline ? await runInline(driver, kept, results, options) : [];
  return { results, ran };
}

/**
 * Push in batches, in order; a failed batch stops the dispatch, leaving the batches before it
 * stored. A driver that takes fenced pushes gets up to PIPELINE_DEPTH batches at once, so building
 * one batch (its envelopes are made only then, by `build(start, end)`) overlaps
 * with storing another; the fence keeps the stored batches a prefix. Building every envelope
 * before the first push had left the store idle for a fifth of a bulk dispatch to Redis.
 */
async function pushInBatches(
  driver: Driver,
  total: number,
  build: (start: number, end: number) => JobEnvelope[],
  options: DispatchOptions,
): Promise<PushResult[]> {
  const batch = options.batchSize ?? PUSH_BATCH;
  if (total === 0) return [];
  if (total <= batch) {
    // One batch (most often one job from application code): none of the pipelining below.
    const results = await driver.jobPush(build(0, total), { dispatchedEvents: true });
    options.onProgress?.(total, total);
    return results;
  }
  const results: PushResult[] = [];
  const pipelined = driver.capabilities.pipelinedPush === true;
  const depth = pipelined ? PIPELINE_DEPTH : 1;
  const fence = pipelined ? newToken() : undefined;
  const inFlight: { pushed: Promise<PushResult[]>; end: number }[] = [];
  const settleOldest = async () => {
    const { pushed, end } = inFlight.shift()!;
    for (const result of await pushed) results.push(result);
    options.onProgress?.(end, total);
  };
  try {
    for (let start = 0; start < total; start += batch) {
      const end = Math.min(start + batch, total);
      const pushed = driver.jobPush(build(start, end), { dispatchedEvents: true, fence });
      pushed.catch(() => {}); // seen when its turn comes; meanwhile not an unhandled rejection
      inFlight.push({ pushed, end });
      if (inFlight.length >= depth) await settleOldest();
    }
    while (inFlight.length > 0) await settleOldest();
  } catch (error) {
    // The first refusal in batch order is the cause; the later batches were refused by the fence.
    await Promise.allSettled(inFlight.map((f) => f.pushed));
    throw error;
  }
  return results;
}

/**
 * What checking the inputs found, for building their envelopes later: per input, its data's JSON
 * and the unique key its definition gives when it names none of its own. Two arrays rather than
 * an object per input: a bulk dispatch keeps them until its last batch, and 200,000 small objects
 * outliving the young generation were collector work.
 */
interface CheckedInputs {
  dataJson: (string | undefined)[];
  unique: (UniqueSpec | null)[];
}

/** Every check a job can fail before it is pushed: its data's size, its definition's unique key. */
function checkInputs(inputs: DispatchInput[], options: DispatchOptions): CheckedInputs {
  const maxBytes = options.maxJobBytes ?? DEFAULT_MAX_JOB_BYTES;
  const checked: CheckedInputs = { dataJson: new Array(inputs.length), unique: new Array(inputs.length) };
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index]!;
    const data = input.data ?? null;
    const definition = options.jobs?.[input.name];
    checked.unique[index] = !input.unique && definition?.unique ? uniqueFromDefinition(definition, data) : null;
    const json = JSON.stringify(data);
    checked.dataJson[index] = json;
    // A UTF-16 unit takes at most 3 bytes in UTF-8: most data is under the limit without counting.
    if (json === undefined || json.length * 3 <= maxBytes) continue;
    const size = Buffer.byteLength(json);
    if (size > maxBytes) {
      const where = inputs.length > 1 ? `job at index ${index} ` : '';
      throw new InputError(
        `${where}(${input.name}) has ${formatBytes(size)} of data, over the ${formatBytes(maxBytes)} job size limit (maxJobSize in the config)`,
      );
    }
  }
  return checked;
}

function envelopeFor(
  driver: Driver,
  input: DispatchInput,
  checked: CheckedInputs,
  index: number,
  options: DispatchOptions,
  now: number,
): JobEnvelope {
  const envelope = buildEnvelope(input, now, {
    queue: options.jobs?.[input.name]?.queue,
    connection: options.connectionName ?? null,
  });
  const unique = checked.unique[index];
  if (unique) envelope.unique = unique;
  if (driver.capabilities.inline) envelope.availableAt = now; // sync ignores delays, as Laravel's does
  rememberDataJson(envelope, checked.dataJson[index]);
  return envelope;
}

/** The envelopes a dispatch would push: definition defaults applied, sizes checked. */
export function prepareEnvelopes(
  driver: Driver,
  inputs: DispatchInput[],
  options: DispatchOptions,
  now: number,
): JobEnvelope[] {
  const checked = checkInputs(inputs, options);
  return inputs.map((input, index) => envelopeFor(driver, input, checked, index, options, now));
}

/** The dispatch options a config implies: its jobs' defaults, rate limiters and job size limit. */
export function dispatchOptionsFrom(config: QtoolConfig, connectionName?: string): DispatchOptions {
  return {
    jobs: config.jobs,
    limiters: config.limiters,
    connectionName,
    maxJobBytes: config.maxJobSize === undefined ? undefined : maxJobBytes(config.maxJobSize),
  };
}

function maxJobBytes(value: unknown): number {
  const size = parseJobSize(value);
  if (size === null) throw new InputError(`maxJobSize: ${jobSizeError(value)}`);
  return size;
}

function uniqueFromDefinition(definition: JobDefinition, data: unknown): UniqueSpec {
  const spec = definition.unique!;
  const key = typeof spec.key === 'function' ? (spec.key as (data: unknown) => string)(data) : spec.key;
  return {
    key,
    ttl: spec.for === undefined ? null : parseDurationSeconds(spec.for),
    untilProcessing: spec.untilProcessing ?? false,
  };
}

/** Sync connection: run each queued job now, ignoring delays; the first failure is the caller's error. */
async function runInline(driver: Driver, envelopes: JobEnvelope[], results: PushResult[], options: DispatchOptions) {
  const ran: AttemptResult[] = [];
  const defaults = options.inlineDefaults ?? { tries: 1, backoff: 0, timeout: 0 };
  for (const [index, envelope] of envelopes.entries()) {
    if (results[index]?.status !== 'queued') continue;
    const reserved = await driver.jobReserve({
      queues: [envelope.queue],
      workerId: 'sync',
      leaseMs: 3_600_000,
      limit: 1,
      blockMs: 0,
    });
    const job = reserved[0];
    if (!job) continue;
    const result = await runAttempt(
      { ...job, envelope: { ...job.envelope, maxTries: 1 } },
      {
        driver,
        jobs: options.jobs ?? {},
        defaults,
        workerId: 'sync',
        middleware: { driver, limiters: options.limiters ?? {} },
      },
    );
    ran.push(result);
    if (result.status === 'failed' || result.status === 'released') {
      throw new QtoolError(
        `sync job ${envelope.name} (${envelope.id}) failed: ${result.error ?? result.reason ?? 'released'}`,
      );
    }
  }
  return ran;
}
