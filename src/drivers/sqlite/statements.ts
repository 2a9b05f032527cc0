import type Database from 'better-sqlite3';
import type { JobEnvelope } from '../../core/envelope.js';
import { type DecodedEnvelope, decodeEnvelope, encodeEnvelope } from '../envelope-codec.js';
import { storeNow } from './clock.js';
import { type CountDelta, queueRowAdder } from './queue-counts.js';
import { RowInserter } from './row-inserter.js';
import { ROW_KEYS_IN_COLUMNS, usesReadyOnlyDueIndex } from './schema.js';

type Statement = Database.Statement;

export interface JobRow {
  id: string;
  queue: string;
  name: string;
  payload: string;
  state: number;
  available_at: number;
  attempts: number;
  exceptions: number;
  lock_waits: number;
  unique_key: string | null;
  token: string | null;
  worker_id: string | null;
  reserved_at: number | null;
  history: string | null;
  waiting_on: string | null;
  /** Set by a reserve: PREV_READY | PREV_WAITING | PREV_LATER, what the row was before it. */
  prev: number | null;
}

/** Jobs deleted per transaction by a queue clear. */
export const CLEAR_STEP = 1000;

/** `jobs.prev` bits: the row was ready (not an expired lease), waiting on a key, counted in `later`. */
export const PREV_READY = 1;
export const PREV_WAITING = 2;
export const PREV_LATER = 4;

/** The stored envelope with the counters that live in their own columns. */
export function rowToEnvelope(row: JobRow): DecodedEnvelope {
  const decoded = decodeEnvelope(row.payload, row);
  decoded.envelope.attempts = row.attempts;
  decoded.envelope.exceptions = row.exceptions;
  decoded.envelope.lockWaits = row.lock_waits;
  return decoded;
}

/** A column of a queue's first ready job due by $now: the head of the due index, which covers it. */
const dueHead = (column: 'id' | 'available_at') => `SELECT ${column} FROM jobs INDEXED BY jobs_due
  WHERE queue = $queue AND state = 0 AND available_at <= $now ORDER BY available_at, id LIMIT 1`;
/**
 * The next job of a queue: the first expired lease if it ran out no later than the first ready
 * job is due (or than now, with none due), else that ready job. Three index probes; a UNION of
 * the two heads sorted in a temporary B-tree cost 40% more (measured 8.4 against 5.8 us).
 */
const NEXT_JOB = `SELECT COALESCE(
  (SELECT id FROM jobs INDEXED BY jobs_reserved
     WHERE queue = $queue AND state = 1 AND available_at <= $now
       AND available_at <= COALESCE((${dueHead('available_at')}), $now)
     ORDER BY available_at, id LIMIT 1),
  (${dueHead('id')}))`;

/**
 * The statements that read jobs_due, for each of its layouts: ready rows only (schema 7), or every
 * row (schema 6, kept while a file is open in an older qtool too; see schema.ts, migrate).
 */
const DUE_INDEX_SQL = {
  readyOnly: {
    nextJob: NEXT_JOB,
    nextDue: `SELECT MIN(at) AS at FROM (
         SELECT MIN(available_at) AS at FROM jobs INDEXED BY jobs_due WHERE queue = $queue AND state = 0
         UNION ALL
         SELECT MIN(available_at) FROM jobs INDEXED BY jobs_reserved WHERE queue = $queue AND state = 1)`,
    readyBetween: `SELECT COUNT(*) AS rows FROM (SELECT 1 FROM jobs INDEXED BY jobs_due
         WHERE queue = $queue AND state = 0 AND available_at > $lo AND available_at <= $hi LIMIT $cap)`,
    readySinceMark: `(SELECT COUNT(*) FROM jobs INDEXED BY jobs_due
               WHERE queue = $queue AND state = 0 AND available_at > queues.mark AND available_at <= $now)`,
  },
  // One range holds due jobs and expired leases; counts subtract the reserved rows in it.
  everyRow: {
    nextJob: 'SELECT id FROM jobs WHERE queue = $queue AND available_at <= $now ORDER BY available_at, id LIMIT 1',
    nextDue: 'SELECT MIN(available_at) AS at FROM jobs WHERE queue = $queue',
    readyBetween: `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM jobs INDEXED BY jobs_due
                WHERE queue = $queue AND available_at > $lo AND available_at <= $hi LIMIT $cap))
              - (SELECT COUNT(*) FROM jobs INDEXED BY jobs_reserved
                WHERE queue = $queue AND state = 1 AND available_at > $lo AND available_at <= $hi) AS rows`,
    readySinceMark: `((SELECT COUNT(*) FROM jobs INDEXED BY jobs_due
               WHERE queue = $queue AND available_at > queues.mark AND available_at <= $now)
           - (SELECT COUNT(*) FROM jobs INDEXED BY jobs_reserved
               WHERE queue = $queue AND state = 1 AND available_at > queues.mark AND available_at <= $now))`,
  },
};

/** Every statement, prepared once per connection. */
export class SqliteStatements {
  readonly idempotencyGet: Statement;
  readonly idempotencyPut: Statement;
  readonly uniqueHolder: Statement;
  readonly uniqueClaim: Statement;
  readonly uniqueRelease: Statement;
  readonly jobRows: RowInserter;
  /** For jobs whose counters are 0 and that hold no unique key (the columns' defaults). */
  readonly jobRowsPlain: RowInserter;
  readonly jobExists: Statement;
  readonly failedAmong: Statement;
  readonly failedBetween: Statement;
  readonly jobInsertRetried: Statement;
  readonly queueMarks: Statement;
  readonly queueMark: Statement;
  /** Add a count change to a queue's row directly (the outbox, in the application's transaction). */
  readonly queueRowAdd: (queue: string, delta: CountDelta) => void;
  readonly queueRemoved: Statement;
  readonly queueRetried: Statement;
  readonly failedZeroAll: Statement;
  readonly failedZeroQueue: Statement;
  readonly reserve: Statement;
  readonly nextDue: Statement;
  readonly jobDeleteHeld: Statement;
  readonly jobDeleteHeldFull: Statement;
  readonly jobHistoryHeld: Statement;
  readonly jobHeld: Statement;
  readonly jobRelease: Statement;
  readonly jobExtend: Statement;
  readonly jobGet: Statement;
  readonly jobDeleteAny: Statement;
  readonly listPending: Statement;
  readonly listDelayed: Statement;
  readonly listReserved: Statement;
  readonly queuesAll: Statement;
  readonly queueDueBetween: Statement;
  readonly queueMarkAdvance: Statement;
  readonly queueClear: Statement;
  readonly queuePause: Statement;
  readonly failedInsert: Statement;
  readonly failedGet: Statement;
  readonly failedListAll: Statement;
  readonly failedListQueue: Statement;
  readonly failedOldestAll: Statement;
  readonly failedOldestQueue: Statement;
  readonly failedScanAll: Statement;
  readonly failedScanQueue: Statement;
  readonly failedDelete: Statement;
  readonly failedFlushAll: Statement;
  readonly failedFlushQueue: Statement;
  readonly failedPruneBatch: Statement;
  readonly eventInsert: Statement;
  /** Whether payloads are written without the keys their row holds (see schema.ts, version 9). */
  private readonly withoutRowKeys: boolean;

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.withoutRowKeys = (db.pragma('user_version', { simple: true }) as number) >= ROW_KEYS_IN_COLUMNS;
    const due = DUE_INDEX_SQL[usesReadyOnlyDueIndex(db) ? 'readyOnly' : 'everyRow'];
    this.idempotencyGet = p('SELECT job_id FROM idempotency_keys WHERE key = ? AND expires_at > ?');
    this.idempotencyPut = p('INSERT OR REPLACE INTO idempotency_keys (key, job_id, expires_at) VALUES (?, ?, ?)');
    this.uniqueHolder = p('SELECT owner FROM unique_keys WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)');
    this.uniqueClaim = p('INSERT OR REPLACE INTO unique_keys (key, owner, expires_at) VALUES (?, ?, ?)');
    this.uniqueRelease = p('DELETE FROM unique_keys WHERE key = ? AND owner = ?');
    this.jobRows = new RowInserter(
      db,
      'INSERT INTO jobs (id, queue, name, payload, available_at, attempts, exceptions, lock_waits, unique_key)',
      9,
    );
    this.jobRowsPlain = new RowInserter(db, 'INSERT INTO jobs (id, queue, name, payload, available_at)', 5);
    this.jobExists = p('SELECT 1 FROM jobs WHERE id = ?');
    this.failedAmong = p('SELECT f.id FROM json_each(?) AS j JOIN failed_jobs AS f ON f.id = j.value LIMIT 1');
    this.failedBetween = p('SELECT id FROM failed_jobs WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ?').pluck();
    this.jobInsertRetried = p(
      'INSERT INTO jobs (id, queue, name, payload, available_at, unique_key, history) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.queueMarks = p('SELECT name, paused, mark FROM queues');
    this.queueMark = p('SELECT mark FROM queues WHERE name = ?');
    // The oldest of the first due job and the first expired lease (each the head of its index), so
    // jobs of a dead worker come back in turn with new ones.
    // SET expressions read the row before the update: `prev` carries that to RETURNING for the counts.
    // One row per statement: the `id IN (SELECT … LIMIT n)` form builds a temporary table of ids
    // and cost three times as much for one row; a reserve of several rows loops (measured equal at 10).
    this.reserve = p(
      `UPDATE jobs SET state = 1, token = $token, worker_id = $worker, reserved_at = $now, available_at = $lease,
         attempts = attempts + 1, waiting_on = NULL,
         prev = (state = 0) * ${PREV_READY} + (waiting_on IS NOT NULL) * ${PREV_WAITING}
           + (state = 0 AND available_at > $mark) * ${PREV_LATER}
       WHERE id = (${due.nextJob})
       RETURNING *`,
    );
    this.queueRowAdd = queueRowAdder(db);
    this.queueRemoved = p(
      `UPDATE queues SET ready = ready - (1 - $reserved), reserved = reserved - $reserved, waiting = waiting - $waiting,
         later = later - ($reserved = 0 AND $at > mark) WHERE name = $queue`,
    );
    this.queueRetried = p(
      'UPDATE queues SET ready = ready + 1, failed = failed - 1, later = later + ($at > mark) WHERE name = $queue',
    );
    this.failedZeroAll = p('UPDATE queues SET failed = 0');
    this.failedZeroQueue = p('UPDATE queues SET failed = 0 WHERE name = ?');
    this.nextDue = p(due.nextDue);
    this.jobDeleteHeld = p('DELETE FROM jobs WHERE id = ? AND token = ? AND state = 1 RETURNING queue, unique_key');
    this.jobDeleteHeldFull = p('DELETE FROM jobs WHERE id = ? AND token = ? AND state = 1 RETURNING *');
    this.jobHistoryHeld = p('SELECT queue, history FROM jobs WHERE id = ? AND token = ? AND state = 1');
    this.jobHeld = p('SELECT 1 AS held FROM jobs WHERE id = ? AND token = ? AND state = 1');
    this.jobRelease = p(
      `UPDATE jobs SET state = 0, token = NULL, worker_id = NULL, reserved_at = NULL, available_at = ?,
         exceptions = exceptions + ?, attempts = MAX(0, attempts - ?), lock_waits = lock_waits + ?, history = ?,
         waiting_on = ?
       WHERE id = ? AND token = ? AND state = 1`,
    );
    this.jobExtend = p('UPDATE jobs SET available_at = ? WHERE id = ? AND token = ? AND state = 1');
    this.jobGet = p('SELECT * FROM jobs WHERE id = ?');
    this.jobDeleteAny = p(
      'DELETE FROM jobs WHERE id = ? RETURNING queue, unique_key, state, available_at, waiting_on IS NOT NULL AS waiting',
    );
    this.listPending = p(
      'SELECT * FROM jobs WHERE queue = ? AND state = 0 AND available_at <= ? ORDER BY available_at, id LIMIT ? OFFSET ?',
    );
    this.listDelayed = p(
      'SELECT * FROM jobs WHERE queue = ? AND state = 0 AND available_at > ? ORDER BY available_at, id LIMIT ? OFFSET ?',
    );
    this.listReserved = p(
      'SELECT * FROM jobs INDEXED BY jobs_reserved WHERE queue = ? AND state = 1 ORDER BY available_at, id LIMIT ? OFFSET ?',
    );
    this.queuesAll = p('SELECT * FROM queues ORDER BY name');
    // Ready rows of a queue due in (lo, hi]. LIMIT $cap bounds the read; a capped answer means the
    // queue's mark fell far behind.
    this.queueDueBetween = p(due.readyBetween);
    // Moves the mark up to $now: `later` loses the rows due in between. A push passes its new rows
    // ($ready, and $later: those due after the mark it read first); those of them due by now are in
    // the range too, so they cancel out.
    this.queueMarkAdvance = p(
      `INSERT INTO queues (name, mark, ready, later) VALUES ($queue, $now, $ready, $later)
       ON CONFLICT (name) DO UPDATE SET
         ready = ready + $ready,
         later = later + $later - CASE WHEN mark < $now THEN ${due.readySinceMark} ELSE 0 END,
         mark = MAX(mark, $now)`,
    );
    this.queueClear = p(
      `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE queue = ? AND state = 0 LIMIT ${CLEAR_STEP})
       RETURNING id, unique_key, available_at, waiting_on IS NOT NULL AS waiting`,
    );
    this.queuePause = p('INSERT INTO queues (name, paused) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET paused = ?');
    this.failedInsert = p(
      'INSERT OR REPLACE INTO failed_jobs (id, queue, name, payload, error, failed_at, history) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.failedGet = p('SELECT * FROM failed_jobs WHERE id = ?');
    this.failedListAll = p('SELECT * FROM failed_jobs ORDER BY failed_at DESC, id DESC LIMIT ? OFFSET ?');
    this.failedListQueue = p(
      'SELECT * FROM failed_jobs WHERE queue = ? ORDER BY failed_at DESC, id DESC LIMIT ? OFFSET ?',
    );
    this.failedOldestAll = p('SELECT * FROM failed_jobs ORDER BY failed_at, id LIMIT ?');
    this.failedOldestQueue = p('SELECT * FROM failed_jobs WHERE queue = ? ORDER BY failed_at, id LIMIT ?');
    // Row-value keyset: the index range starts at the cursor; only ties on failed_at are sorted.
    this.failedScanAll = p('SELECT * FROM failed_jobs WHERE (failed_at, id) > (?, ?) ORDER BY failed_at, id LIMIT ?');
    this.failedScanQueue = p(
      'SELECT * FROM failed_jobs WHERE queue = ? AND (failed_at, id) > (?, ?) ORDER BY failed_at, id LIMIT ?',
    );
    this.failedDelete = p('DELETE FROM failed_jobs WHERE id = ? RETURNING queue');
    this.failedFlushAll = p('DELETE FROM failed_jobs');
    this.failedFlushQueue = p('DELETE FROM failed_jobs WHERE queue = ?');
    this.failedPruneBatch = p(
      'DELETE FROM failed_jobs WHERE id IN (SELECT id FROM failed_jobs WHERE failed_at < ? LIMIT 1000) RETURNING queue',
    );
    this.eventInsert = p(
      'INSERT INTO events (time, name, queue, job_id, job_name, attempt, worker_id, duration_ms, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** An envelope as a job or failed-job row's payload. */
  payload(envelope: JobEnvelope): string {
    return encodeEnvelope(envelope, this.withoutRowKeys);
  }

  /** The store's clock (see clock.ts). */
  now(): number {
    return storeNow(this.db);
  }
}
