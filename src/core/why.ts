import type { Driver, JobRecord } from '../drivers/types.js';
import { formatDuration } from './duration.js';
import { firstLine } from './errors.js';

/** A worker whose heartbeat is older than this is taken for dead (three missed 5 s beats). */
export const LOST_AFTER_MS = 15_000;

export interface WhyAnswer {
  id: string;
  state: JobRecord['state'] | 'unknown';
  /** Machine-readable cause. */
  cause:
    | 'not-found'
    | 'failed'
    | 'running'
    | 'lost-worker'
    | 'delayed'
    | 'paused'
    | 'pending'
    | 'no-worker'
    | 'overlap-lock'
    | 'throttled'
    | 'rate-limited';
  /** One plain sentence. */
  answer: string;
  /** The facts behind it: keys, holders, times. */
  evidence: Record<string, unknown>;
}

const since = (ms: number) => formatDuration(Math.max(0, ms));
const at = (time: number) => new Date(time).toISOString();

/** The one reason a job is not running (or what it is doing), with the blocking key or job. */
export async function explainJob(driver: Driver, id: string): Promise<WhyAnswer> {
  const record = await driver.jobGet(id);
  return explainRecord(driver, id, record, await driver.now());
}

/** The same answer for a job record read already (the dashboard's job detail reads it anyway). */
export async function explainRecord(
  driver: Driver,
  id: string,
  record: JobRecord | null,
  now: number,
): Promise<WhyAnswer> {
  if (!record) {
    return {
      id,
      state: 'unknown',
      cause: 'not-found',
      answer: `no job ${id}: it completed (completed jobs are not kept) or never existed`,
      evidence: {},
    };
  }
  const e = record.envelope;
  const base = { id, state: record.state };
  if (record.state === 'failed') {
    return {
      ...base,
      cause: 'failed',
      answer: `failed ${since(now - (record.failedAt ?? now))} ago after ${e.attempts} attempt(s): ${firstLine(record.error?.message ?? 'unknown error')}`,
      evidence: {
        failedAt: record.failedAt,
        attempts: e.attempts,
        error: record.error?.message,
        retry: `qtool retry ${id}`,
      },
    };
  }
  if (record.state === 'reserved') {
    const workers = await driver.workerList();
    const worker = workers.find((w) => w.id === record.reservedBy);
    const leaseUntil = record.leaseUntil ?? now;
    if (!worker || now - worker.lastBeatAt > LOST_AFTER_MS) {
      const silent = worker
        ? `whose heartbeat stopped ${since(now - worker.lastBeatAt)} ago`
        : 'that is no longer registered';
      return {
        ...base,
        cause: 'lost-worker',
        answer: `reserved by worker ${record.reservedBy} ${silent}; it will be handed out again ${leaseUntil > now ? `in ${since(leaseUntil - now)} (${at(leaseUntil)})` : 'at the next reserve'}`,
        evidence: { worker: record.reservedBy, lastBeatAt: worker?.lastBeatAt ?? null, leaseUntil },
      };
    }
    return {
      ...base,
      cause: 'running',
      answer: `running on worker ${worker.id} (${worker.host}, pid ${worker.pid}) for ${since(now - (record.reservedAt ?? now))}, attempt ${e.attempts}`,
      evidence: { worker: worker.id, reservedAt: record.reservedAt, leaseUntil },
    };
  }
  if (record.waitingOn) return explainWait(driver, record, now);
  if (record.state === 'delayed') {
    return {
      ...base,
      cause: 'delayed',
      answer: `delayed until ${at(record.availableAt)} (in ${since(record.availableAt - now)})${e.attempts ? `, after attempt ${e.attempts}` : ''}`,
      evidence: { availableAt: record.availableAt, attempts: e.attempts },
    };
  }
  const stats = (await driver.queueStats()).find((q) => q.queue === e.queue);
  const pending = stats?.pending ?? 0;
  if (stats?.paused) {
    return {
      ...base,
      cause: 'paused',
      answer: `pending on queue ${e.queue}, which is paused (${pending} pending); \`qtool resume ${e.queue}\` lets workers take it`,
      evidence: { queue: e.queue, pending, paused: true },
    };
  }
  const listening = (await driver.workerList({ sinceMs: LOST_AFTER_MS })).filter((w) => w.queues.includes(e.queue));
  if (listening.length === 0) {
    return {
      ...base,
      cause: 'no-worker',
      answer: `pending on queue ${e.queue} (${pending} pending), and no live worker listens to it: start one with \`qtool work --queue=${e.queue}\``,
      evidence: { queue: e.queue, pending, workers: 0 },
    };
  }
  return {
    ...base,
    cause: 'pending',
    answer: `pending on queue ${e.queue} with ${pending} pending job(s) and ${listening.length} worker(s) listening: it runs when its turn comes`,
    evidence: { queue: e.queue, pending, workers: listening.map((w) => w.id) },
  };
}

async function explainWait(driver: Driver, record: JobRecord, now: number): Promise<WhyAnswer> {
  const key = record.waitingOn!;
  const base = { id: record.envelope.id, state: record.state, evidence: { key, availableAt: record.availableAt } };
  const next = record.availableAt > now ? `next try in ${since(record.availableAt - now)}` : 'next try now';
  if (key.startsWith('overlap:')) {
    const lock = (await driver.lockList()).find((l) => l.key === key);
    const holder = lock
      ? `held by job ${lock.jobId ?? '?'} on worker ${lock.workerId ?? '?'}, ${lock.expiresAt ? `expires in ${since(lock.expiresAt - now)}` : 'no expiry (`qtool locks release` frees it)'}`
      : 'now free';
    return {
      ...base,
      cause: 'overlap-lock',
      answer: `released because overlap lock ${key} is ${holder}; ${next}`,
      evidence: { ...base.evidence, lock },
    };
  }
  const counter = await driver.counterGet(key);
  const kind = key.startsWith('rate:') ? 'rate-limited' : 'throttled';
  const state = counter
    ? `${counter.count}/${counter.meta?.limit ?? '?'} until ${at(counter.expiresAt)}`
    : 'window over';
  return {
    ...base,
    cause: kind,
    answer: `${kind === 'throttled' ? 'throttled by' : 'over rate limit'} ${key} (${state}); ${next}`,
    evidence: { ...base.evidence, counter },
  };
}
