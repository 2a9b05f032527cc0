import type Database from 'better-sqlite3';
import type { JobEnvelope } from '../../core/envelope.js';
import { dispatchedDetailsJson } from '../dispatched-event.js';
import {
  eventsAfterInside,
  expandShared,
  isSharedEvent,
  parseSharedId,
  sharedDispatchedJson,
} from '../shared-events.js';
import type {
  CounterMeta,
  CounterState,
  EventInput,
  LockRecord,
  StoredEvent,
  WorkerInfo,
  WorkerRecord,
} from '../types.js';
import { COUNTS_ROW_NAME } from './queue-counts.js';
import { RowInserter } from './row-inserter.js';
import { SqliteTransactions } from './transactions.js';
import type { WalWatcher } from './wake.js';

/**
 * Ids of the newest events rows kept by a trim. Count rows (see queue-counts.ts) take ids too, up to
 * one per step, and are deleted as they are folded: twice the 100,000 events kept before them.
 */
const EVENTS_KEEP_IDS = 200_000;
const SAFETY_POLL_MS = 500;

interface CounterRow {
  key: string;
  count: number;
  started_at: number;
  expires_at: number;
  meta: string | null;
}

/**
 * The SQLite driver's non-job steps: locks, counters, unique keys, events, workers and meta. The
 * driver class extends it; split only to keep files small.
 */
export abstract class SqliteAuxiliary extends SqliteTransactions {
  private eventsSinceTrim = 0;
  private readonly s;
  private readonly eventRows: RowInserter;
  private readonly eventRowsNarrow: RowInserter;

  constructor(db: Database.Database, watcher: WalWatcher) {
    super(db, watcher);
    const p = (sql: string) => db.prepare(sql);
    this.eventRows = new RowInserter(
      db,
      'INSERT INTO events (time, name, queue, job_id, job_name, attempt, worker_id, duration_ms, details)',
      9,
    );
    this.eventRowsNarrow = new RowInserter(db, 'INSERT INTO events (time, name, queue, job_id, job_name, details)', 6);
    this.s = {
      lockGet: p('SELECT * FROM locks WHERE key = ?'),
      lockPut: p(
        'INSERT OR REPLACE INTO locks (key, owner, job_id, worker_id, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      lockRelease: p('DELETE FROM locks WHERE key = ? AND owner = ?'),
      lockDelete: p('DELETE FROM locks WHERE key = ? RETURNING expires_at'),
      lockList: p('SELECT * FROM locks WHERE expires_at IS NULL OR expires_at > ? ORDER BY key'),
      counterGet: p('SELECT * FROM counters WHERE key = ? AND expires_at > ?'),
      counterPut: p(
        'INSERT OR REPLACE INTO counters (key, count, started_at, expires_at, meta) VALUES (?, ?, ?, ?, ?)',
      ),
      counterBump: p('UPDATE counters SET count = count + 1 WHERE key = ?'),
      counterDelete: p('DELETE FROM counters WHERE key = ? RETURNING expires_at'),
      counterList: p('SELECT * FROM counters WHERE expires_at > ? ORDER BY key'),
      idempotencyGet: p('SELECT job_id FROM idempotency_keys WHERE key = ? AND expires_at > ?'),
      uniqueGet: p('SELECT * FROM unique_keys WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)'),
      uniqueRelease: p(
        'DELETE FROM unique_keys WHERE key = ? AND owner = ? AND (expires_at IS NULL OR expires_at > ?)',
      ),
      eventsAfter: p(`SELECT * FROM events WHERE id > ? AND name <> '${COUNTS_ROW_NAME}' ORDER BY id LIMIT ?`),
      eventsTrim: p('DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?'),
      eventsNewest: p('SELECT MAX(id) FROM events').pluck(),
      // Times follow ids closely (each step stamps its rows as it commits): the first row at or
      // after the time, found by a scan in id order that stops there.
      eventsFirstSince: p(
        `SELECT id FROM events WHERE time >= ? AND name <> '${COUNTS_ROW_NAME}' ORDER BY id LIMIT 1`,
      ).pluck(),
      workerPut: p('INSERT OR REPLACE INTO workers (id, info, last_beat_at) VALUES (?, ?, ?)'),
      workerList: p('SELECT * FROM workers WHERE last_beat_at >= ? ORDER BY id'),
      workerDelete: p('DELETE FROM workers WHERE id = ?'),
      metaGet: p('SELECT value FROM meta WHERE key = ?'),
      metaPut: p('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
  }

  /**
   * Append events inside the caller's transaction; the oldest are trimmed now and then. Events
   * with no attempt, worker or duration (`job.retried`, `queue.paused`) go in without those
   * columns: fewer values to bind per row.
   */
  protected insertEvents(events: EventInput[] | undefined, now: number): void {
    if (!events?.length) return;
    const narrow = events.every((e) => e.attempt == null && e.workerId == null && e.durationMs == null);
    const values: unknown[] = [];
    for (const e of events) {
      values.push(now, e.name, e.queue ?? null, e.jobId ?? null, e.jobName ?? null);
      if (!narrow) values.push(e.attempt ?? null, e.workerId ?? null, e.durationMs ?? null);
      values.push(e.details ? JSON.stringify(e.details) : null);
    }
    (narrow ? this.eventRowsNarrow : this.eventRows).insert(values);
    this.countEvents(events.length);
  }

  /**
   * The `job.dispatched` events of these stored envelopes, written from them directly: one job's as
   * the row `insertEvents` writes for `dispatchedEvent(envelope)`, several jobs' as one shared row
   * (shared-events.ts; a row per job was a fifth of a bulk push's pages).
   */
  protected insertDispatchedEvents(envelopes: JobEnvelope[], now: number): void {
    if (envelopes.length === 0) return;
    const [first] = envelopes as [JobEnvelope];
    const values: unknown[] =
      envelopes.length === 1
        ? [now, 'job.dispatched', first.queue, first.id, first.name, dispatchedDetailsJson(first)]
        : [now, 'job.dispatched', null, null, null, sharedDispatchedJson(envelopes)];
    this.eventRowsNarrow.insert(values);
    this.countEvents(1);
  }

  private countEvents(count: number): void {
    this.eventsSinceTrim += count;
    if (this.eventsSinceTrim >= 5000) {
      this.eventsSinceTrim = 0;
      this.counts.fold(); // no count row is trimmed before it is folded
      this.s.eventsTrim.run(EVENTS_KEEP_IDS);
    }
  }

  async lockAcquire(options: {
    key: string;
    owner: string;
    ttlMs: number | null;
    jobId?: string;
    workerId?: string;
  }): Promise<boolean> {
    return this.write(() => {
      const now = this.clock();
      const held = this.s.lockGet.get(options.key) as { expires_at: number | null } | undefined;
      if (held && (held.expires_at === null || held.expires_at > now)) return false;
      this.s.lockPut.run(
        options.key,
        options.owner,
        options.jobId ?? null,
        options.workerId ?? null,
        now,
        options.ttlMs === null ? null : now + options.ttlMs,
      );
      return true;
    });
  }

  async lockRelease(options: { key: string; owner: string }): Promise<boolean> {
    return this.write(() => this.s.lockRelease.run(options.key, options.owner).changes === 1);
  }

  async lockForceRelease(keys: string[]): Promise<string[]> {
    return this.write(() => {
      const now = this.clock();
      return keys.filter((key) => {
        const row = this.s.lockDelete.get(key) as { expires_at: number | null } | undefined;
        return row !== undefined && (row.expires_at === null || row.expires_at > now);
      });
    });
  }

  async lockList(): Promise<LockRecord[]> {
    return this.read(() =>
      (
        this.s.lockList.all(this.clock()) as {
          key: string;
          owner: string;
          job_id: string | null;
          worker_id: string | null;
          acquired_at: number;
          expires_at: number | null;
        }[]
      ).map((r) => ({
        key: r.key,
        owner: r.owner,
        jobId: r.job_id,
        workerId: r.worker_id,
        acquiredAt: r.acquired_at,
        expiresAt: r.expires_at,
      })),
    );
  }

  async counterHit(options: {
    key: string;
    decayMs: number;
    limit?: number;
    meta?: CounterMeta;
  }): Promise<CounterState> {
    return this.write(() => {
      const now = this.clock();
      let row = this.s.counterGet.get(options.key, now) as CounterRow | undefined;
      if (!row) {
        row = {
          key: options.key,
          count: 0,
          started_at: now,
          expires_at: now + options.decayMs,
          meta: options.meta ? JSON.stringify(options.meta) : null,
        };
        this.s.counterPut.run(row.key, 0, row.started_at, row.expires_at, row.meta);
      }
      if (options.limit !== undefined && row.count >= options.limit) return toCounter(row, false);
      this.s.counterBump.run(options.key);
      return toCounter({ ...row, count: row.count + 1 }, true);
    });
  }

  async counterGet(key: string): Promise<CounterState | null> {
    return this.read(() => {
      const row = this.s.counterGet.get(key, this.clock()) as CounterRow | undefined;
      return row ? toCounter(row, true) : null;
    });
  }

  async counterClear(key: string): Promise<boolean> {
    return this.write(() => {
      const row = this.s.counterDelete.get(key) as { expires_at: number } | undefined;
      return row !== undefined && row.expires_at > this.clock();
    });
  }

  async counterList(): Promise<CounterState[]> {
    return this.read(() => (this.s.counterList.all(this.clock()) as CounterRow[]).map((row) => toCounter(row, true)));
  }

  async uniqueRelease(options: { key: string; owner: string }): Promise<boolean> {
    return this.write(() => this.s.uniqueRelease.run(options.key, options.owner, this.clock()).changes === 1);
  }

  async idempotencyGet(options: { key: string; queue: string }): Promise<string | null> {
    return this.read(
      () => (this.s.idempotencyGet.get(options.key, this.clock()) as { job_id: string } | undefined)?.job_id ?? null,
    );
  }

  async uniqueGet(key: string): Promise<{ key: string; owner: string; expiresAt: number | null } | null> {
    return this.read(() => {
      const row = this.s.uniqueGet.get(key, this.clock()) as
        | { key: string; owner: string; expires_at: number | null }
        | undefined;
      return row ? { key: row.key, owner: row.owner, expiresAt: row.expires_at } : null;
    });
  }

  async eventsRead(options: {
    afterId: string | null;
    limit: number;
    blockMs?: number;
    signal?: AbortSignal;
  }): Promise<StoredEvent[]> {
    const deadline = this.clock() + (options.blockMs ?? 0);
    // An id inside a shared row (shared-events.ts) resumes within it: read it again.
    const inside = options.afterId === null ? null : parseSharedId(options.afterId);
    let after = inside ? Number(inside.storedId) - 1 : options.afterId === null ? 0 : Number(options.afterId);
    for (;;) {
      const rows = this.read(() => this.s.eventsAfter.all(after, options.limit) as EventRow[]);
      const events = eventsAfterInside(rows.map(toEvents), inside, options.limit);
      if (events.length === 0 && rows.length > 0) {
        // Only the row resumed in, already read to its end: go on after it.
        after = rows[rows.length - 1]!.id;
        continue;
      }
      if (events.length > 0 || options.signal?.aborted || this.clock() >= deadline) return events;
      await this.watcher.wait(Math.min(deadline - this.clock(), SAFETY_POLL_MS), options.signal);
    }
  }

  async eventsStartAfter(since?: number): Promise<string | null> {
    return this.read(() => {
      const first = since === undefined ? undefined : (this.s.eventsFirstSince.get(since) as number | undefined);
      if (first !== undefined) return String(first - 1);
      const newest = this.s.eventsNewest.get() as number | null;
      return newest === null ? null : String(newest);
    });
  }

  async eventsAppend(events: EventInput[]): Promise<void> {
    this.write(() => this.insertEvents(events, this.clock()));
  }

  async workerBeat(info: WorkerInfo): Promise<void> {
    this.write(() => this.s.workerPut.run(info.id, JSON.stringify(info), this.clock()));
  }

  async workerList(options: { sinceMs?: number } = {}): Promise<WorkerRecord[]> {
    return this.read(() => {
      const since = options.sinceMs === undefined ? 0 : this.clock() - options.sinceMs;
      return (this.s.workerList.all(since) as { info: string; last_beat_at: number }[]).map((r) => ({
        ...JSON.parse(r.info),
        lastBeatAt: r.last_beat_at,
      }));
    });
  }

  async workerRemove(id: string): Promise<void> {
    this.write(() => this.s.workerDelete.run(id));
  }

  async metaGet(key: string): Promise<string | null> {
    return this.read(() => (this.s.metaGet.get(key) as { value: string } | undefined)?.value ?? null);
  }

  async metaSet(key: string, value: string): Promise<void> {
    this.write(() => this.s.metaPut.run(key, value));
  }
}

interface EventRow {
  id: number;
  time: number;
  name: string;
  queue: string | null;
  job_id: string | null;
  job_name: string | null;
  attempt: number | null;
  worker_id: string | null;
  duration_ms: number | null;
  details: string | null;
}

/** The row's event, or each job's of a shared job.dispatched row. */
function toEvents(row: EventRow): { id: string; events: StoredEvent[] } {
  const id = String(row.id);
  const details = row.details ? JSON.parse(row.details) : undefined;
  // A shared row keeps its jobs in details, under its own name.
  const shared = row.job_id === null && details?.jobs ? { ...details, name: row.name } : null;
  if (isSharedEvent(shared)) return { id, events: expandShared(id, row.time, shared) };
  const event: StoredEvent = {
    id,
    time: row.time,
    name: row.name,
    queue: row.queue,
    jobId: row.job_id,
    jobName: row.job_name,
    attempt: row.attempt,
    workerId: row.worker_id,
    durationMs: row.duration_ms,
    details,
  };
  return { id, events: [event] };
}

function toCounter(row: CounterRow, allowed: boolean): CounterState {
  return {
    key: row.key,
    count: row.count,
    startedAt: row.started_at,
    expiresAt: row.expires_at,
    allowed,
    meta: row.meta ? JSON.parse(row.meta) : null,
  };
}
