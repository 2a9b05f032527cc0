import type { AttemptRecord, JobEnvelope, JobError } from '../core/envelope.js';
import type { MetricRow } from '../core/metrics.js';
import type {
  BatchState,
  CounterMeta,
  CounterState,
  EventInput,
  FailedPage,
  FailedRecord,
  FailedScanOptions,
  JobRecord,
  LiveJobState,
  LockRecord,
  QueueStats,
  StoredEvent,
  WorkerInfo,
  WorkerRecord,
} from './store-records.js';

/**
 * The driver contract. Every method is one atomic step in the driver's store
 * (one Lua script on Redis, one BEGIN IMMEDIATE transaction on SQLite).
 * Times are epoch milliseconds taken from the store's clock, never passed in.
 * Failures throw DriverError (src/drivers/errors.ts); nothing parses driver messages.
 */
export interface Driver {
  /** 'sqlite' | 'memory' | 'sync' | 'redis': for display only; callers check capabilities. */
  readonly kind: string;
  /** Where the store lives, with any password masked: shown in status, top and logs. */
  readonly description: string;
  readonly capabilities: DriverCapabilities;

  // ---- jobs ----
  /**
   * Insert envelopes as given (ids already set). All or none: if one insert fails, none is stored.
   * An envelope with `unique` whose key is held (and not expired) is skipped: result 'duplicate'
   * with the holder's id; otherwise the key is claimed for this job (ttl null: until released).
   * An envelope with `idempotencyKey` already seen within `idempotencyTtlMs` is skipped:
   * result 'existing' with the first job's id. Claims and inserts happen in the same step.
   */
  jobPush(envelopes: JobEnvelope[], options?: PushOptions): Promise<PushResult[]>;
  /**
   * Take up to `limit` (default 1) due jobs, trying `queues` strictly in order, skipping paused
   * queues. Due: available (availableAt <= now) or reserved with an expired lease. Each taken job
   * gets attempts+1, a fresh token, workerId, reservedAt=now, leaseUntil=now+leaseMs.
   * With blockMs > 0 and nothing due, waits up to blockMs for a push/release/due time and retries;
   * returns [] on timeout or when `signal` aborts.
   */
  jobReserve(options: ReserveOptions): Promise<ReservedJob[]>;
  /** Acknowledge success: deletes the job, counts it processed, frees its unique key. False if the token no longer matches. */
  jobComplete(options: AckOptions): Promise<boolean>;
  /**
   * Put a reserved job back, available after delayMs. kind 'exception' also does exceptions+1;
   * 'lockWait' does attempts-1 and lockWaits+1 (a busy lock does not use a try). False on token mismatch.
   */
  jobRelease(options: ReleaseOptions): Promise<boolean>;
  /** Move a reserved job to the failed store (same id), counts it failed, frees its unique key. False on token mismatch. */
  jobFail(options: FailOptions): Promise<boolean>;
  /** Renew the lease of a running job. False when the token no longer matches (the lease was lost). */
  jobExtendLease(options: { id: string; token: string; leaseMs: number }): Promise<boolean>;
  /** A job in any state, failed included; null when unknown (completed jobs are gone). */
  jobGet(id: string): Promise<JobRecord | null>;
  /** Jobs of one queue and state, oldest first (delayed: soonest due first). */
  jobList(options: { queue: string; state: LiveJobState; limit: number; offset?: number }): Promise<JobRecord[]>;
  /** Remove a job that is pending, delayed or reserved (frees its unique key). False when not found. */
  jobDelete(id: string): Promise<boolean>;

  // ---- queues ----
  /** Every queue that has ever held a job or been paused, with live counts. */
  queueStats(): Promise<QueueStats[]>;
  /**
   * Delete pending and delayed jobs of a queue (reserved ones keep running); returns how many.
   * Deletes in steps of at most 1,000 jobs, so workers are never held up for long; each step is
   * atomic, and `onProgress` hears the running total after each.
   */
  queueClear(queue: string, options?: { onProgress?: (cleared: number) => void }): Promise<number>;
  queuePause(queue: string): Promise<void>;
  queueResume(queue: string): Promise<void>;

  // ---- failed store ----
  /** Newest failure first. */
  failedList(options: { queue?: string; limit: number; offset?: number }): Promise<FailedRecord[]>;
  failedGet(id: string): Promise<FailedRecord | null>;
  /**
   * One page of failed records, oldest first (failedAt, then id): `after` is the previous page's
   * `next` (from the start when omitted), `since` skips records that failed before it. Keyset
   * paging, so records removed or added between pages never make the scan skip or repeat one
   * that stays. `next` is null after the last page.
   */
  failedScan(options: FailedScanOptions): Promise<FailedPage>;
  /**
   * Push failed jobs back on their queue at once, with attempts, exceptions and lockWaits reset,
   * keeping their ids; removes the failed records. `ids` selects exactly those; otherwise up to
   * `limit` (default 1000) of the queue's (or all) failures, oldest first. Returns the ids retried.
   */
  failedRetry(options: { ids?: string[]; queue?: string; limit?: number }): Promise<string[]>;
  /** Remove failed records; returns the ids removed. */
  failedForget(ids: string[]): Promise<string[]>;
  /** Remove every failed record (of one queue when given); returns how many. */
  failedFlush(options?: { queue?: string }): Promise<number>;
  /** Remove failed records that failed before `before`; returns how many. */
  failedPrune(options: { before: number }): Promise<number>;

  // ---- locks (WithoutOverlapping) ----
  /** Take the lock if free or expired. ttlMs null: held until released. */
  lockAcquire(options: {
    key: string;
    owner: string;
    ttlMs: number | null;
    jobId?: string;
    workerId?: string;
  }): Promise<boolean>;
  /** Release only when `owner` holds it. */
  lockRelease(options: { key: string; owner: string }): Promise<boolean>;
  /** Release regardless of owner; returns the keys that were held. */
  lockForceRelease(keys: string[]): Promise<string[]>;
  /** Held, unexpired locks. */
  lockList(): Promise<LockRecord[]>;

  // ---- counters (ThrottlesExceptions, rate limits) ----
  /**
   * Fixed window starting at the first hit, lasting decayMs. With `limit`, a hit that would pass
   * it is refused (count unchanged, allowed false). `meta` is stored for display on first hit.
   */
  counterHit(options: { key: string; decayMs: number; limit?: number; meta?: CounterMeta }): Promise<CounterState>;
  /** null when absent or expired. */
  counterGet(key: string): Promise<CounterState | null>;
  counterClear(key: string): Promise<boolean>;
  counterList(): Promise<CounterState[]>;

  // ---- unique keys (outside push) ----
  /** Free a unique key when `owner` (a job id) holds it. */
  uniqueRelease(options: { key: string; owner: string }): Promise<boolean>;
  /** The job an idempotency key points to while its window lasts (queue: where it was dispatched), else null. */
  idempotencyGet(options: { key: string; queue: string }): Promise<string | null>;
  /** Current holder of a unique key, null when free or expired. */
  uniqueGet(key: string): Promise<{ key: string; owner: string; expiresAt: number | null } | null>;

  // ---- events ----
  /**
   * Events after `afterId` (all when null), oldest first, at most `limit`. Ids are cursors, in
   * read order per store: `<stored id>/<n>` names one job's event inside a shared one
   * (shared-events.ts).
   */
  eventsRead(options: {
    afterId: string | null;
    limit: number;
    blockMs?: number;
    signal?: AbortSignal;
  }): Promise<StoredEvent[]>;
  /**
   * Where a reader starts: the id to read after so that it gets the first event stored at or after
   * `since` on, or, with no `since`, only events stored from now on (null: from the oldest).
   */
  eventsStartAfter(since?: number): Promise<string | null>;
  /** Append events that are not part of a job step (worker started, queue paused...). */
  eventsAppend(events: EventInput[]): Promise<void>;

  // ---- batches ----
  /** Store a new batch (total = pending = number of jobs). */
  batchCreate(batch: BatchState): Promise<void>;
  /**
   * Record one job's final outcome atomically: success decrements pending; failure adds the id to
   * failedIds. Returns the state after, with `firstFailure` when this was the batch's first one,
   * or null for an unknown batch.
   */
  batchRecord(options: {
    id: string;
    jobId: string;
    outcome: 'succeeded' | 'failed';
  }): Promise<(BatchState & { firstFailure: boolean }) | null>;
  batchGet(id: string): Promise<BatchState | null>;
  /** Mark cancelled (jobs not yet started are skipped); returns the state, null when unknown. */
  batchCancel(id: string): Promise<BatchState | null>;
  /** Newest first. */
  batchList(options: { limit: number }): Promise<BatchState[]>;

  // ---- metrics ----
  /** Add per-minute rows into the stored ones (counts and sums add up, histograms add per bucket); keeps 24 h. */
  metricsAdd(rows: MetricRow[]): Promise<void>;
  /** Stored rows whose minute is at or after `since`. */
  metricsRead(options: { since: number }): Promise<MetricRow[]>;

  // ---- workers ----
  /** Record a heartbeat (replaces the previous entry of this id). */
  workerBeat(info: WorkerInfo): Promise<void>;
  /** Workers whose last beat is newer than `sinceMs` ago (all when omitted). */
  workerList(options?: { sinceMs?: number }): Promise<WorkerRecord[]>;
  workerRemove(id: string): Promise<void>;

  // ---- signals ----
  /** Small named values (e.g. 'restart' = epoch ms of the last `qtool restart`). */
  metaGet(key: string): Promise<string | null>;
  metaSet(key: string, value: string): Promise<void>;

  /** Store health checks for `qtool doctor` (version, journal mode, integrity, permissions…). */
  diagnose(): Promise<Diagnosis[]>;

  /** Store clock, epoch ms. */
  now(): Promise<number>;
  close(): Promise<void>;
}

export interface Diagnosis {
  check: string;
  ok: boolean;
  detail: string;
  /** What to do about a failed check. */
  fix?: string;
}

export interface DriverCapabilities {
  /** Several processes can share the store. */
  crossProcess: boolean;
  /** jobReserve with blockMs waits server-side or on a wake-up, not a busy poll. */
  blockingReserve: boolean;
  /** Jobs run inline at push (the sync driver). */
  inline: boolean;
  cluster: boolean;
  /**
   * Pushes sent back to back run in order, and a push given `fence` refuses to run once an earlier
   * push with the same fence was refused: a dispatch may keep several pushes in flight.
   */
  pipelinedPush?: boolean;
  /**
   * Calls sent back to back go out on one connection and are answered one after the other, so a
   * worker starts a reserve's jobs in two turns: the first half's acknowledgements and next
   * reserve reach the store while the second half runs (see JobFetcher).
   */
  pipelinedReserve?: boolean;
}

export interface PushOptions {
  /** Window for idempotency keys; default 24 h. */
  idempotencyTtlMs?: number;
  /** Written in the same step, one per stored job. */
  events?: EventInput[];
  /**
   * Also write each stored job's `job.dispatched` event (see dispatched-event.ts), built by the
   * driver from the envelope: the Redis push script puts it together itself, so a dispatch sends
   * no event over the wire.
   */
  dispatchedEvents?: boolean;
  /**
   * Drivers with `capabilities.pipelinedPush`: refuse this push if an earlier push with the same
   * fence was refused, and mark the fence if this one is. Others ignore it (they push one at a time).
   */
  fence?: string;
}

export type PushResult =
  | { id: string; status: 'queued' }
  | { id: string; status: 'duplicate'; uniqueKey: string; heldBy: string }
  | { id: string; status: 'existing'; idempotencyKey: string; existingId: string };

export interface ReserveOptions {
  queues: string[];
  workerId: string;
  leaseMs: number;
  limit?: number;
  blockMs?: number;
  signal?: AbortSignal;
  /** Append a `job.processing` event per reserved job (queue, job id and name, attempt, worker) in the same step. */
  emitEvents?: boolean;
}

export interface ReservedJob {
  /** Envelope with attempts/exceptions/lockWaits as stored after this reserve. */
  envelope: JobEnvelope;
  token: string;
  reservedAt: number;
  leaseUntil: number;
  /**
   * Why this job must not run: its payload could not be decoded, or its signature does not match.
   * The runner fails it at once, without running its handler, hooks, chain or batch callbacks.
   */
  rejected?: string;
}

export interface AckOptions {
  id: string;
  token: string;
  attempt?: AttemptRecord;
  events?: EventInput[];
}

export interface ReleaseOptions extends AckOptions {
  delayMs: number;
  kind: 'release' | 'exception' | 'lockWait';
  /** The lock, throttle or rate-limit key the job now waits for; counted in QueueStats.waiting until it is reserved again. */
  waitingOn?: string | null;
}

export interface FailOptions extends AckOptions {
  error: JobError;
}

// The records the contract passes in and out live in store-records.ts; importers keep using this file.
export type * from './store-records.js';
