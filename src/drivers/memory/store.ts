import type { AttemptRecord, JobEnvelope, JobError } from '../../core/envelope.js';
import type { MetricRow } from '../../core/metrics.js';
import type { BatchState, CounterMeta, EventInput, StoredEvent, WorkerRecord } from '../types.js';
import { Waiters } from '../waiters.js';

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
  readonly jobs = new Map<string, MemoryJob>();
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

  /** Earliest time a job of these queues becomes due (delayed or an expiring lease), or null. */
  nextDue(queues: string[]): number | null {
    let next: number | null = null;
    for (const job of this.jobs.values()) {
      if (!queues.includes(job.envelope.queue)) continue;
      if (next === null || job.availableAt < next) next = job.availableAt;
    }
    return next;
  }
}

export function pushHistory(history: AttemptRecord[], attempt: AttemptRecord | undefined): AttemptRecord[] {
  if (!attempt) return history;
  const next = [...history, attempt];
  return next.length > HISTORY_CAP ? next.slice(next.length - HISTORY_CAP) : next;
}
