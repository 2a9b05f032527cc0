import type { JobEnvelope } from '../../core/envelope.js';
import { newToken } from '../../core/ids.js';
import { pushEvents } from '../dispatched-event.js';
import { DriverError } from '../errors.js';
import { failedJobRecord } from '../records.js';
import type {
  AckOptions,
  Driver,
  FailOptions,
  JobRecord,
  LiveJobState,
  PushOptions,
  PushResult,
  ReleaseOptions,
  ReservedJob,
  ReserveOptions,
} from '../types.js';
import { MemoryQueues } from './queues.js';
import { type MemoryJob, MemoryStore, pushHistory } from './store.js';

const DAY_MS = 86_400_000;
const clone = <T>(value: T): T => structuredClone(value);

/**
 * The in-process store: for tests, the library and the sync connection. It is the executable
 * spec of the driver contract: every other driver passes the conformance suite it passes.
 */
export class MemoryDriver extends MemoryQueues implements Driver {
  readonly kind = 'memory';
  readonly description = 'memory (in-process)';
  readonly capabilities = { crossProcess: false, blockingReserve: true, inline: false, cluster: false };

  constructor(store: MemoryStore = new MemoryStore()) {
    super(store);
  }

  async jobPush(envelopes: JobEnvelope[], options: PushOptions = {}): Promise<PushResult[]> {
    this.assertOpen();
    const s = this.store;
    const now = Date.now();
    const ids = new Set<string>();
    for (const envelope of envelopes) {
      if (s.jobs.has(envelope.id) || s.failed.has(envelope.id) || ids.has(envelope.id)) {
        throw new DriverError('INVALID', `job id ${envelope.id} already exists`);
      }
      ids.add(envelope.id);
    }
    const ttl = options.idempotencyTtlMs ?? DAY_MS;
    const results: PushResult[] = [];
    const stored = new Set<string>();
    for (const envelope of envelopes) {
      const key = envelope.idempotencyKey;
      const seen = key ? s.idempotency.get(key) : undefined;
      if (key && seen && seen.expiresAt > now) {
        results.push({ id: envelope.id, status: 'existing', idempotencyKey: key, existingId: seen.id });
        continue;
      }
      if (envelope.unique) {
        const holder = s.uniqueHolder(envelope.unique.key, now);
        if (holder) {
          results.push({ id: envelope.id, status: 'duplicate', uniqueKey: envelope.unique.key, heldBy: holder });
          continue;
        }
        s.unique.set(envelope.unique.key, {
          owner: envelope.id,
          expiresAt: envelope.unique.ttl === null ? null : now + envelope.unique.ttl * 1000,
        });
      }
      if (key) s.idempotency.set(key, { id: envelope.id, expiresAt: now + ttl });
      s.putJob({
        envelope: clone(envelope),
        state: 'ready',
        availableAt: envelope.availableAt,
        token: null,
        reservedBy: null,
        reservedAt: null,
        history: [],
      });
      s.queue(envelope.queue);
      stored.add(envelope.id);
      results.push({ id: envelope.id, status: 'queued' });
    }
    s.appendEvents(pushEvents(envelopes, stored, options), now);
    s.wake();
    return results;
  }

  async jobReserve(options: ReserveOptions): Promise<ReservedJob[]> {
    const deadline = Date.now() + (options.blockMs ?? 0);
    for (;;) {
      this.assertOpen();
      const taken = this.take(options);
      if (taken.length > 0 || options.signal?.aborted) return taken;
      const now = Date.now();
      if (now >= deadline) return [];
      const next = this.store.nextDue(options.queues);
      const wait = Math.min(deadline - now, next === null ? Number.POSITIVE_INFINITY : Math.max(1, next - now));
      await this.store.waitForChange(wait, options.signal);
    }
  }

  private take(options: ReserveOptions): ReservedJob[] {
    const s = this.store;
    const now = Date.now();
    const limit = options.limit ?? 1;
    const taken: ReservedJob[] = [];
    const leased = new Set<MemoryJob>();
    for (const queue of options.queues) {
      if (s.queues.get(queue)?.paused) continue;
      for (
        let job = s.firstDue(queue);
        job && job.availableAt <= now && taken.length < limit;
        job = s.firstDue(queue)
      ) {
        s.dropFirstDue(queue);
        if (leased.has(job)) continue;
        leased.add(job);
        job.state = 'reserved';
        job.token = newToken();
        job.reservedBy = options.workerId;
        job.reservedAt = now;
        job.availableAt = now + options.leaseMs; // indexed after the loop: a zero lease cannot hand it out twice
        job.envelope.attempts += 1;
        job.waitingOn = null;
        taken.push({ envelope: clone(job.envelope), token: job.token, reservedAt: now, leaseUntil: job.availableAt });
        if (options.emitEvents) s.appendEvents([processingEvent(job.envelope, options.workerId)], now);
      }
      if (taken.length >= limit) break;
    }
    for (const job of leased) s.setDue(job, job.availableAt);
    return taken;
  }

  private held(id: string, token: string): MemoryJob | null {
    this.assertOpen();
    const job = this.store.jobs.get(id);
    return job && job.state === 'reserved' && job.token === token ? job : null;
  }

  async jobComplete(options: AckOptions): Promise<boolean> {
    const job = this.held(options.id, options.token);
    if (!job) return false;
    const s = this.store;
    s.jobs.delete(options.id);
    s.queue(job.envelope.queue).processedTotal += 1;
    s.releaseUnique(job.envelope);
    s.appendEvents(options.events, Date.now());
    return true;
  }

  async jobRelease(options: ReleaseOptions): Promise<boolean> {
    const job = this.held(options.id, options.token);
    if (!job) return false;
    if (options.kind === 'exception') job.envelope.exceptions += 1;
    if (options.kind === 'lockWait') {
      job.envelope.attempts = Math.max(0, job.envelope.attempts - 1);
      job.envelope.lockWaits += 1;
    }
    job.state = 'ready';
    job.token = null;
    job.reservedBy = null;
    job.reservedAt = null;
    this.store.setDue(job, Date.now() + Math.max(0, options.delayMs));
    job.history = pushHistory(job.history, options.attempt);
    job.waitingOn = options.waitingOn ?? null;
    this.store.appendEvents(options.events, Date.now());
    this.store.wake();
    return true;
  }

  async jobFail(options: FailOptions): Promise<boolean> {
    const job = this.held(options.id, options.token);
    if (!job) return false;
    const s = this.store;
    const now = Date.now();
    s.jobs.delete(options.id);
    s.failed.set(options.id, {
      envelope: job.envelope,
      error: clone(options.error),
      failedAt: now,
      history: pushHistory(job.history, options.attempt),
    });
    s.queue(job.envelope.queue).failedTotal += 1;
    s.releaseUnique(job.envelope);
    s.appendEvents(options.events, now);
    return true;
  }

  async jobExtendLease(options: { id: string; token: string; leaseMs: number }): Promise<boolean> {
    const job = this.held(options.id, options.token);
    if (!job) return false;
    this.store.setDue(job, Date.now() + options.leaseMs);
    return true;
  }

  async jobGet(id: string): Promise<JobRecord | null> {
    this.assertOpen();
    const job = this.store.jobs.get(id);
    if (job) return this.record(job, Date.now());
    const failed = this.failedRecord(id);
    return failed ? failedJobRecord(failed) : null;
  }

  private record(job: MemoryJob, now: number): JobRecord {
    const state: LiveJobState = job.state === 'reserved' ? 'reserved' : job.availableAt > now ? 'delayed' : 'pending';
    return {
      envelope: clone(job.envelope),
      state,
      availableAt: job.availableAt,
      reservedBy: job.reservedBy,
      reservedAt: job.reservedAt,
      leaseUntil: job.state === 'reserved' ? job.availableAt : null,
      history: clone(job.history),
      failedAt: null,
      error: null,
      waitingOn: job.state === 'ready' ? (job.waitingOn ?? null) : null,
    };
  }

  async jobList(options: { queue: string; state: LiveJobState; limit: number; offset?: number }): Promise<JobRecord[]> {
    this.assertOpen();
    const now = Date.now();
    return [...this.store.jobs.values()]
      .filter((job) => job.envelope.queue === options.queue)
      .map((job) => ({ job, record: this.record(job, now) }))
      .filter(({ record }) => record.state === options.state)
      .sort((a, b) =>
        options.state === 'pending'
          ? a.job.envelope.id.localeCompare(b.job.envelope.id)
          : a.job.availableAt - b.job.availableAt,
      )
      .slice(options.offset ?? 0, (options.offset ?? 0) + options.limit)
      .map(({ record }) => record);
  }

  async jobDelete(id: string): Promise<boolean> {
    this.assertOpen();
    const job = this.store.jobs.get(id);
    if (!job) return false;
    this.store.jobs.delete(id);
    this.store.releaseUnique(job.envelope);
    return true;
  }
}

export function processingEvent(envelope: JobEnvelope, workerId: string) {
  return {
    name: 'job.processing',
    queue: envelope.queue,
    jobId: envelope.id,
    jobName: envelope.name,
    attempt: envelope.attempts,
    workerId,
  };
}

/** One in-process store that several driver views share, like connections to a server. */
export function createMemoryStore(): { connect(): Driver } {
  const store = new MemoryStore();
  return { connect: () => new MemoryDriver(store) };
}

export function createMemoryDriver(_options: { name?: string } = {}): Driver {
  return new MemoryDriver();
}
