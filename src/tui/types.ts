import type { WhyAnswer } from '../core/why.js';
import type {
  CounterState,
  FailedRecord,
  JobRecord,
  JobState,
  LockRecord,
  QueueStats,
  WorkerRecord,
} from '../drivers/types.js';

/** The six panes, in Tab and number-key order. */
export const PANES = ['queues', 'failed', 'workers', 'locks', 'throttles', 'events'] as const;
export type PaneId = (typeof PANES)[number];
export const PANE_LABELS: Record<PaneId, string> = {
  queues: 'Queues',
  failed: 'Failed',
  workers: 'Workers',
  locks: 'Locks',
  throttles: 'Throttles',
  events: 'Events',
};

/** The job states a queue drill-down shows, one tab each. */
export const JOB_TABS = ['pending', 'delayed', 'reserved', 'failed'] as const;
export type JobTab = JobState;

/** A drill-down opened on top of a pane (Enter pushes, Esc pops). */
export type View =
  | { kind: 'queue'; queue: string; tab: JobTab; cursor: number }
  | { kind: 'job'; id: string; scroll: number };

export interface Size {
  columns: number;
  rows: number;
}

/** A worker whose heartbeat is older than this is shown as lost (3 x the 5 s heartbeat). */
export const LOST_AFTER_MS = 15_000;

export interface QueueRow extends QueueStats {
  /** Jobs finished per minute over the last refreshes (processed + failed totals delta). */
  jobsPerMin: number | null;
  /** Finished jobs per minute, oldest first, from stored metrics; empty when there are none. */
  perMinute: number[];
  /** Average wait (available to started) over the last 5 minutes of metrics. */
  waitMs: number | null;
}

export interface WorkerRow extends WorkerRecord {
  lost: boolean;
}

/** One row of a queue drill-down, whatever the state (failed records included). */
export interface JobRow {
  id: string;
  name: string;
  state: JobState;
  attempts: number;
  availableAt: number;
  reservedBy: string | null;
  reservedAt: number | null;
  failedAt: number | null;
  error: string | null;
}

export interface Page<T> {
  offset: number;
  total: number;
  rows: T[];
}

/** Everything one refresh read from the store. Parts not needed by the current view are null. */
export interface Snapshot {
  /** Store clock at the refresh. */
  now: number;
  queues: QueueRow[];
  workers: WorkerRow[];
  /** Stored metrics exist (workers flush them); without, rates come from totals only. */
  metrics: boolean;
  jobsPerMin: number | null;
  failedLastHour: number | null;
  locks: LockRecord[] | null;
  counters: CounterState[] | null;
  failed: (Page<FailedRecord> & { queue: string | null }) | null;
  jobs: (Page<JobRow> & { queue: string; tab: JobTab }) | null;
  /** The open job, and `qtool why`'s answer for it. */
  job: { id: string; record: JobRecord | null; why: WhyAnswer | null } | null;
}
