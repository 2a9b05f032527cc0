import type { AttemptRecord, JobEnvelope, JobError } from '../../core/envelope.js';
import type { MetricRow } from '../../core/metrics.js';
import type { BatchState, CounterMeta, EventInput, StoredEvent, WorkerRecord } from '../types.js';
import { Waiters } from '../waiters.js';
import { DueIndex } from './due-index.js';

export interface MemoryJob {
  envelope: JobEnvelope;
  state: 'ready' | 'reserved';
  availableAt: number;
  token: string | null;
  reservedBy: string | null;
  reservedAt: number | null;
  history: AttemptRecord[];
  waitingOn?: string | null;
}

export interface MemoryFailed {
  envelope: JobEnvelope;
  error: JobError;
  failedAt: number;
  history: AttemptRecord[];
}

export interface MemoryQueue {
  paused: boolean;
  processedTotal: number;
  failedTotal: number;
}

export const HISTORY_CAP = 20;
export const EVENTS_CAP = 10_000;

/**
 * The state of one in-process store. Several driver views (connections) may share it; every
 * method of the driver changes it synchronously, which is what makes each step atomic here.
 */
export class MemoryStore {
  /** Read freely; write through putJob and setDue, which keep the due index in step. */
  readonly jobs = new Map<string, MemoryJob>();
  private readonly due = new DueIndex();
  readonly failed = new Map<string, MemoryFailed>();
  readonly queues = new Map<string, MemoryQueue>();
  readonly locks = new Map<
    string,
    { owner: string; jobId: string | null; workerId: string | null; acquiredAt: number; expiresAt: number | null }
  >();
  readonly counters = new Map<
    string,
    { count: number; startedAt: number; expiresAt: number; meta: CounterMeta | null }
  >();
  readonly unique = new Map<string, { owner: string; expiresAt: number | null }>();
  readonly idempotency = new Map<string, { id: string; expiresAt: number }>();
  readonly events: StoredEvent[] = [];
  readonly workers = new Map<string, WorkerRecord>();
  readonly meta = new Map<string, string>();
  readonly metrics = new Map<string, MetricRow>();
  readonly batches = new Map<string, BatchState>();
  private eventSeq = 0;
  private readonly waiters = new Waiters();

  queue(name: string): MemoryQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = { paused: false, processedTotal: 0, failedTotal: 0 };
      this.queues.set(name, queue);
    }
    return queue;
  }

  appendEvents(events: EventInput[] | undefined, now: number): void {
    if (!events?.length) return;
    for (const event of events) {
      this.eventSeq += 1;
      this.events.push({ ...event, id: String(this.eventSeq).padStart(16, '0'), time: now });
    }
    if (this.events.length > EVENTS_CAP) this.events.splice(0, this.events.length - EVENTS_CAP);
    this.wake();
  }

  /** Wake every blocked reserve and event read; they re-check their condition. */
  wake(): void {
    this.waiters.wakeAll();
  }

  /** Resolve on the next wake-up, after `ms`, or on abort, whichever comes first. */
  waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    return this.waiters.wait(ms, signal);
  }

  uniqueHolder(key: string, now: number): string | null {
    const claim = this.unique.get(key);
    if (!claim) return null;
    if (claim.expiresAt !== null && claim.expiresAt <= now) {
      this.unique.delete(key);
      return null;
    }
    return claim.owner;
  }

  releaseUnique(envelope: JobEnvelope): void {
    const key = envelope.unique?.key;
    if (key && this.unique.get(key)?.owner === envelope.id) this.unique.delete(key);
  }

  putJob(job: MemoryJob): void {
    this.jobs.set(job.envelope.id, job);
    this.schedule(job);
  }

  /** Move a job's due time (a delay, a lease, a renewal). */
  setDue(job: MemoryJob, at: number): void {
    job.availableAt = at;
    this.schedule(job);
  }

  /** The queue's job due soonest (ready, delayed, or reserved with a lease to expire), or null. */
  firstDue(queue: string): MemoryJob | null {
    const entry = this.due.peek(queue, (id, at) => this.jobs.get(id)?.availableAt === at);
    return entry ? this.jobs.get(entry.id)! : null;
  }

  /** Drop the entry firstDue returned; its job gets a new one when its due time moves. */
  dropFirstDue(queue: string): void {
    this.due.take(queue);
  }

  /** Earliest time a job of these queues becomes due (delayed or an expiring lease), or null. */
  nextDue(queues: string[]): number | null {
    let next: number | null = null;
    for (const queue of queues) {
      const job = this.firstDue(queue);
      if (job && (next === null || job.availableAt < next)) next = job.availableAt;
    }
    return next;
  }

  private schedule(job: MemoryJob): void {
    if (this.due.needsRebuild(this.jobs.size)) {
      this.due.rebuild(
        Array.from(this.jobs.values(), (j) => ({ queue: j.envelope.queue, at: j.availableAt, id: j.envelope.id })),
      );
      return; // the rebuild took this job's current due time
    }
    this.due.schedule(job.envelope.queue, job.availableAt, job.envelope.id);
  }
}

export function pushHistory(history: AttemptRecord[], attempt: AttemptRecord | undefined): AttemptRecord[] {
  if (!attempt) return history;
  const next = [...history, attempt];
  return next.length > HISTORY_CAP ? next.slice(next.length - HISTORY_CAP) : next;
}
