import type { AttemptRecord, JobEnvelope } from '../../core/envelope.js';
import { newToken } from '../../core/ids.js';
import { DriverError } from '../errors.js';
import { failedJobRecord } from '../records.js';
import type {
  AckOptions,
  Driver,
  EventInput,
  FailOptions,
  JobRecord,
  LiveJobState,
  PushOptions,
  PushResult,
  QueueStats,
  ReleaseOptions,
  ReservedJob,
  ReserveOptions,
} from '../types.js';
import { openDatabase } from './connection.js';
import { SqliteFailedStore } from './failed-store.js';
import { HeldLeases } from './held-leases.js';
import { pushEnvelopes } from './push.js';
import type { CountDelta, QueueRow } from './queue-counts.js';
import { CLEAR_STEP, type JobRow, PREV_LATER, PREV_READY, PREV_WAITING, rowToEnvelope } from './statements.js';

const HISTORY_CAP = 20;
/** Rows due since a queue's mark that a stats read counts before it moves the mark up instead. */
const STATS_RANGE_CAP = 2000;
/** Longest wait between store checks while blocked, in case a file-watch event is missed. */
const SAFETY_POLL_MS = 500;

export interface SqliteDriverOptions {
  path: string;
  busyTimeoutMs?: number;
}

/**
 * The embedded default store on better-sqlite3: WAL mode, each state change one synchronous
 * BEGIN IMMEDIATE transaction, reservations checked by token (compare-and-swap).
 */
export class SqliteDriver extends SqliteFailedStore implements Driver {
  readonly kind = 'sqlite';
  readonly description: string;
  readonly capabilities = { crossProcess: true, blockingReserve: true, inline: false, cluster: false };
  /** Jobs whose completion is deferred to this connection's next transaction (see jobComplete). */
  private readonly completing = new Set<string>();
  private readonly held = new HeldLeases();

  constructor(options: SqliteDriverOptions) {
    const { db, watcher } = openDatabase(options.path, options.busyTimeoutMs ?? 5000);
    super(db, watcher);
    this.description = `sqlite:${options.path}`;
  }

  async jobPush(envelopes: JobEnvelope[], options: PushOptions = {}): Promise<PushResult[]> {
    return this.write(() => {
      const { results, events, dispatched } = pushEnvelopes(this.q, envelopes, options, (queue, delta) =>
        this.counts.add(queue, delta),
      );
      const now = this.clock();
      this.insertEvents(events, now);
      this.insertDispatchedEvents(dispatched, now);
      return results;
    });
  }

  async jobReserve(options: ReserveOptions): Promise<ReservedJob[]> {
    const deadline = this.clock() + (options.blockMs ?? 0);
    for (;;) {
      const taken = this.take(options);
      if (taken.length > 0 || options.signal?.aborted) return taken;
      const now = this.clock();
      if (now >= deadline) return [];
      const next = this.nextDue(options.queues);
      const untilDue = next === null ? SAFETY_POLL_MS : Math.max(1, next - now);
      await this.watcher.wait(Math.min(deadline - now, untilDue, SAFETY_POLL_MS), options.signal);
    }
  }

  private take(options: ReserveOptions): ReservedJob[] {
    const taken = this.reserveRows(options);
    for (const job of taken) this.held.add(job.envelope.id, job.token, job.leaseUntil, job.reservedAt);
    return taken;
  }

  private reserveRows(options: ReserveOptions): ReservedJob[] {
    return this.write(() => {
      const q = this.q;
      const now = this.clock();
      const info = new Map(
        (q.queueMarks.all() as { name: string; paused: number; mark: number }[]).map((r) => [r.name, r]),
      );
      const token = newToken();
      const leaseUntil = now + options.leaseMs;
      let room = options.limit ?? 1;
      const taken: ReservedJob[] = [];
      for (const queue of options.queues) {
        const row = info.get(queue);
        if (!row || row.paused) continue; // no row: nothing was ever pushed there
        const params = { token, worker: options.workerId, now, lease: leaseUntil, queue, mark: row.mark };
        // One row per statement, oldest first (see statements.ts, reserve).
        const rows: JobRow[] = [];
        while (rows.length < room) {
          const next = q.reserve.get(params) as JobRow | undefined;
          if (!next) break;
          rows.push(next);
        }
        if (rows.length > 0) this.counts.add(queue, reservedDelta(rows));
        const events: EventInput[] = [];
        for (const row of rows) {
          const { envelope, rejected } = rowToEnvelope(row);
          taken.push({ envelope, token, reservedAt: now, leaseUntil, ...(rejected ? { rejected } : {}) });
          if (options.emitEvents) {
            events.push({
              name: 'job.processing',
              queue,
              jobId: row.id,
              jobName: row.name,
              attempt: row.attempts,
              workerId: options.workerId,
            });
          }
        }
        this.insertEvents(events, now);
        room -= rows.length;
        if (room <= 0) break;
      }
      return taken;
    });
  }

  private nextDue(queues: string[]): number | null {
    let next: number | null = null;
    for (const queue of queues) {
      const row = this.q.nextDue.get({ queue }) as { at: number | null } | undefined;
      if (row?.at !== null && row?.at !== undefined && (next === null || row.at < next)) next = row.at;
    }
    return next;
  }

  /**
   * The token is checked now; the delete joins the next transaction of this connection (usually
   * the worker's next reserve), so a job costs one commit instead of two. If the process dies in
   * between, the job's lease runs out and it runs again: at-least-once, as after any crash.
   */
  async jobComplete(options: AckOptions): Promise<boolean> {
    // A completion already waiting to be written holds the row until then: a second one is late.
    if (this.completing.has(options.id)) return false;
    const at = this.clock();
    const held =
      this.held.surelyHeld(options.id, options.token, at) ||
      this.peek(() => this.q.jobHeld.get(options.id, options.token)) !== undefined;
    this.held.settle(options.id, options.token);
    if (!held) return false;
    this.completing.add(options.id);
    this.defer(() => {
      this.completing.delete(options.id);
      const row = this.q.jobDeleteHeld.get(options.id, options.token) as
        | { queue: string; unique_key: string | null }
        | undefined;
      if (!row) return; // the lease ran out meanwhile and another worker holds the job
      this.counts.add(row.queue, { processed: 1, reserved: -1 });
      if (row.unique_key) this.q.uniqueRelease.run(row.unique_key, options.id);
      this.insertEvents(options.events, at);
    });
    return true;
  }

  async jobRelease(options: ReleaseOptions): Promise<boolean> {
    this.held.settle(options.id, options.token);
    return this.write(() => {
      const row = this.q.jobHistoryHeld.get(options.id, options.token) as
        | { queue: string; history: string | null }
        | undefined;
      if (!row) return false;
      const now = this.clock();
      const at = now + Math.max(0, options.delayMs);
      const { mark } = this.q.queueMark.get(row.queue) as { mark: number };
      this.counts.add(row.queue, {
        reserved: -1,
        ready: 1,
        waiting: options.waitingOn ? 1 : 0,
        later: at > mark ? 1 : 0,
      });
      this.q.jobRelease.run(
        at,
        options.kind === 'exception' ? 1 : 0,
        options.kind === 'lockWait' ? 1 : 0,
        options.kind === 'lockWait' ? 1 : 0,
        appendHistory(row.history, options.attempt),
        options.waitingOn ?? null,
        options.id,
        options.token,
      );
      this.insertEvents(options.events, now);
      return true;
    });
  }

  async jobFail(options: FailOptions): Promise<boolean> {
    this.held.settle(options.id, options.token);
    return this.write(() => {
      const row = this.q.jobDeleteHeldFull.get(options.id, options.token) as JobRow | undefined;
      if (!row) return false;
      const now = this.clock();
      // The counters live in columns; an undecodable payload is kept as it was, for inspection.
      const { envelope, rejected } = rowToEnvelope(row);
      this.q.failedInsert.run(
        row.id,
        row.queue,
        row.name,
        rejected ? row.payload : this.q.payload(envelope),
        JSON.stringify(options.error),
        now,
        appendHistory(row.history, options.attempt),
      );
      this.counts.add(row.queue, { failed: 1, failedTotal: 1, reserved: -1 });
      if (row.unique_key) this.q.uniqueRelease.run(row.unique_key, options.id);
      this.insertEvents(options.events, now);
      return true;
    });
  }

  async jobExtendLease(options: { id: string; token: string; leaseMs: number }): Promise<boolean> {
    const until = this.clock() + options.leaseMs;
    const extended = this.write(() => this.q.jobExtend.run(until, options.id, options.token).changes === 1);
    if (extended) this.held.renew(options.id, options.token, until);
    else this.held.settle(options.id, options.token);
    return extended;
  }

  async jobGet(id: string): Promise<JobRecord | null> {
    return this.read(() => {
      const row = this.q.jobGet.get(id) as JobRow | undefined;
      if (row) return rowToRecord(row, this.clock());
      const failed = this.failedById(id);
      return failed ? failedJobRecord(failed) : null;
    });
  }

  async jobList(options: { queue: string; state: LiveJobState; limit: number; offset?: number }): Promise<JobRecord[]> {
    return this.read(() => {
      const now = this.clock();
      const statement = { pending: this.q.listPending, delayed: this.q.listDelayed, reserved: this.q.listReserved }[
        options.state
      ];
      if (!statement) throw new DriverError('INVALID', `unknown job state "${options.state}"`);
      const args = options.state === 'reserved' ? [options.queue] : [options.queue, now];
      return (statement.all(...args, options.limit, options.offset ?? 0) as JobRow[]).map((row) =>
        rowToRecord(row, now),
      );
    });
  }

  async jobDelete(id: string): Promise<boolean> {
    this.held.settle(id);
    return this.write(() => {
      const row = this.q.jobDeleteAny.get(id) as
        | { queue: string; unique_key: string | null; state: number; available_at: number; waiting: number }
        | undefined;
      if (!row) return false;
      this.q.queueRemoved.run({ queue: row.queue, reserved: row.state, waiting: row.waiting, at: row.available_at });
      if (row.unique_key) this.q.uniqueRelease.run(row.unique_key, id);
      return true;
    });
  }

  /**
   * Counts from the queue rows every step keeps (see schema.ts), plus per queue one short index range
   * (rows due since its mark). A queue whose range is long (many rows came due with no push since)
   * gets its mark moved up first, so the next reads are short again.
   */
  async queueStats(): Promise<QueueStats[]> {
    const now = this.clock();
    const stats = this.read(() => this.statsSnapshot(now, STATS_RANGE_CAP));
    const behind = stats.filter((s): s is { queue: string; stats: null } => s.stats === null).map((s) => s.queue);
    if (behind.length === 0) return stats.map((s) => s.stats!);
    try {
      this.write(() => {
        for (const queue of behind) this.q.queueMarkAdvance.run({ queue, now, ready: 0, later: 0 });
      });
    } catch {
      // A read-only file or a busy store: the uncapped read below is exact, only slower.
    }
    return this.read(() => this.statsSnapshot(now, -1)).map((s) => s.stats!);
  }

  private statsSnapshot(now: number, cap: number): { queue: string; stats: QueueStats | null }[] {
    return this.snapshot(() =>
      this.counts.withPending(this.q.queuesAll.all() as QueueRow[]).map((row) => ({
        queue: row.name,
        stats: this.queueRowStats(row, now, cap),
      })),
    );
  }

  /** Several reads from one snapshot (a deferred transaction), so counts of one refresh agree. */
  private snapshot<T>(body: () => T): T {
    return this.db.transaction(body).deferred();
  }

  /** pending = ready − delayed; delayed = `later` moved from `mark` to now by the rows due in between. */
  private queueRowStats(row: QueueRow, now: number, cap: number): QueueStats | null {
    const [lo, hi] = row.mark <= now ? [row.mark, now] : [now, row.mark];
    const ready = (this.q.queueDueBetween.get({ queue: row.name, lo, hi, cap }) as { rows: number }).rows;
    if (cap >= 0 && ready >= cap) return null;
    const delayed = row.mark <= now ? row.later - ready : row.later + ready;
    return {
      queue: row.name,
      pending: row.ready - delayed,
      delayed,
      reserved: row.reserved,
      waiting: row.waiting,
      failed: row.failed,
      paused: row.paused === 1,
      processedTotal: row.processed_total,
      failedTotal: row.failed_total,
    };
  }

  async queueClear(queue: string, options: { onProgress?: (cleared: number) => void } = {}): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = this.write(() => {
        const rows = this.q.queueClear.all(queue) as {
          id: string;
          unique_key: string | null;
          available_at: number;
          waiting: number;
        }[];
        for (const row of rows) if (row.unique_key) this.q.uniqueRelease.run(row.unique_key, row.id);
        if (rows.length === 0) return 0;
        const mark = (this.q.queueMark.get(queue) as { mark: number }).mark;
        this.counts.add(queue, {
          ready: -rows.length,
          later: -rows.filter((r) => r.available_at > mark).length,
          waiting: -rows.filter((r) => r.waiting).length,
        });
        return rows.length;
      });
      total += removed;
      if (removed > 0) options.onProgress?.(total);
      if (removed < CLEAR_STEP) return total;
    }
  }

  async queuePause(queue: string): Promise<void> {
    this.write(() => this.q.queuePause.run(queue, 1, 1));
  }

  async queueResume(queue: string): Promise<void> {
    this.write(() => this.q.queuePause.run(queue, 0, 0));
  }
}

function rowToRecord(row: JobRow, now: number): JobRecord {
  const reserved = row.state === 1;
  return {
    envelope: rowToEnvelope(row).envelope,
    state: reserved ? 'reserved' : row.available_at > now ? 'delayed' : 'pending',
    availableAt: row.available_at,
    reservedBy: reserved ? row.worker_id : null,
    reservedAt: reserved ? row.reserved_at : null,
    leaseUntil: reserved ? row.available_at : null,
    history: row.history ? JSON.parse(row.history) : [],
    failedAt: null,
    error: null,
    waitingOn: reserved ? null : row.waiting_on,
  };
}

/** What rows just reserved leave behind: ready ones become reserved (expired leases stay reserved). */
function reservedDelta(rows: JobRow[]): CountDelta {
  const had = (bit: number) => rows.filter((r) => ((r.prev ?? 0) & bit) !== 0).length;
  const ready = had(PREV_READY);
  return { ready: -ready, reserved: ready, waiting: -had(PREV_WAITING), later: -had(PREV_LATER) };
}

function appendHistory(history: string | null, attempt: AttemptRecord | undefined): string | null {
  if (!attempt) return history;
  const list = history ? (JSON.parse(history) as AttemptRecord[]) : [];
  list.push(attempt);
  return JSON.stringify(list.length > HISTORY_CAP ? list.slice(list.length - HISTORY_CAP) : list);
}

export function createSqliteDriver(options: SqliteDriverOptions): Driver {
  return new SqliteDriver(options);
}
