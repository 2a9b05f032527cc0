import type { AttemptRecord, ChainLink, JobEnvelope, JobError } from '../core/envelope.js';

/** What the stores hold and hand back: jobs, failed jobs, counts, batches, locks, counters, events, workers. */

export type LiveJobState = 'pending' | 'delayed' | 'reserved';
export type JobState = LiveJobState | 'failed';

export interface JobRecord {
  envelope: JobEnvelope;
  state: JobState;
  availableAt: number;
  reservedBy: string | null;
  reservedAt: number | null;
  leaseUntil: number | null;
  /** Earlier attempts of this job, oldest first (capped). */
  history: AttemptRecord[];
  failedAt: number | null;
  error: JobError | null;
  /** The lock, throttle or rate-limit key a held-back job waits for (null otherwise). */
  waitingOn?: string | null;
}

export interface FailedRecord {
  id: string;
  name: string;
  queue: string;
  connection: string | null;
  envelope: JobEnvelope;
  error: JobError;
  failedAt: number;
  history: AttemptRecord[];
}

export interface FailedScanOptions {
  queue?: string;
  after?: string | null;
  since?: number;
  limit: number;
}

export interface FailedPage {
  records: FailedRecord[];
  next: string | null;
}

export interface QueueStats {
  queue: string;
  pending: number;
  delayed: number;
  reserved: number;
  failed: number;
  /** Pending or delayed jobs released because a lock, throttle or rate limit held them back. */
  waiting: number;
  paused: boolean;
  /** Totals since the store was created. */
  processedTotal: number;
  failedTotal: number;
}

export interface BatchState {
  id: string;
  name: string | null;
  total: number;
  pending: number;
  failed: number;
  failedIds: string[];
  allowFailures: boolean;
  createdAt: number;
  cancelledAt: number | null;
  /** Jobs dispatched as the batch progresses (Laravel's then / catch / finally callbacks). */
  onSuccess: ChainLink | null;
  onFailure: ChainLink | null;
  onFinish: ChainLink | null;
  queue: string | null;
}

export interface LockRecord {
  key: string;
  owner: string;
  jobId: string | null;
  workerId: string | null;
  acquiredAt: number;
  expiresAt: number | null;
}

export interface CounterMeta {
  kind: 'throttle' | 'rate';
  /** Threshold (throttle) or max per window (rate). */
  limit: number;
  job?: string;
}

export interface CounterState {
  key: string;
  count: number;
  startedAt: number;
  expiresAt: number;
  /** false when a hit with `limit` was refused. */
  allowed: boolean;
  meta: CounterMeta | null;
}

export interface EventInput {
  name: string;
  queue?: string | null;
  jobId?: string | null;
  jobName?: string | null;
  attempt?: number | null;
  workerId?: string | null;
  durationMs?: number | null;
  details?: Record<string, unknown>;
}

export interface StoredEvent extends EventInput {
  id: string;
  time: number;
}

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  startedAt: number;
  concurrency: number;
  current: { jobId: string; name: string; queue: string; startedAt: number }[];
  processed: number;
  failed: number;
  status: 'running' | 'stopping';
}

export interface WorkerRecord extends WorkerInfo {
  lastBeatAt: number;
}
