import type Database from 'better-sqlite3';
import { type DecodedEnvelope, decodeEnvelope } from '../envelope-codec.js';
import { storeNow } from './clock.js';

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
}

/** The stored envelope with the counters that live in their own columns. */
export function rowToEnvelope(row: JobRow): DecodedEnvelope {
  const decoded = decodeEnvelope(row.payload, row);
  decoded.envelope.attempts = row.attempts;
  decoded.envelope.exceptions = row.exceptions;
  decoded.envelope.lockWaits = row.lock_waits;
  return decoded;
}

/** Every statement, prepared once per connection. */
export class SqliteStatements {
  readonly idempotencyGet: Statement;
  readonly idempotencyPut: Statement;
  readonly uniqueHolder: Statement;
  readonly uniqueClaim: Statement;
  readonly uniqueRelease: Statement;
  readonly jobInsert: Statement;
  readonly jobInsertRetried: Statement;
  readonly pausedQueues: Statement;
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
  readonly queueProcessed: Statement;
  readonly queueFailed: Statement;
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

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.idempotencyGet = p('SELECT job_id FROM idempotency_keys WHERE key = ? AND expires_at > ?');
    this.idempotencyPut = p('INSERT OR REPLACE INTO idempotency_keys (key, job_id, expires_at) VALUES (?, ?, ?)');
    this.uniqueHolder = p('SELECT owner FROM unique_keys WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)');
    this.uniqueClaim = p('INSERT OR REPLACE INTO unique_keys (key, owner, expires_at) VALUES (?, ?, ?)');
    this.uniqueRelease = p('DELETE FROM unique_keys WHERE key = ? AND owner = ?');
    this.jobInsert = p(
      'INSERT INTO jobs (id, queue, name, payload, available_at, attempts, exceptions, lock_waits, unique_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.jobInsertRetried = p(
      'INSERT INTO jobs (id, queue, name, payload, available_at, unique_key, history) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.pausedQueues = p('SELECT name FROM queues WHERE paused = 1');
    this.reserve = p(
      `UPDATE jobs SET state = 1, token = ?, worker_id = ?, reserved_at = ?, available_at = ?, attempts = attempts + 1
       , waiting_on = NULL
       WHERE id IN (SELECT id FROM jobs WHERE queue = ? AND available_at <= ? ORDER BY available_at, id LIMIT ?)
       RETURNING *`,
    );
    this.nextDue = p('SELECT MIN(available_at) AS at FROM jobs WHERE queue = ?');
    this.jobDeleteHeld = p('DELETE FROM jobs WHERE id = ? AND token = ? AND state = 1 RETURNING queue, unique_key');
    this.jobDeleteHeldFull = p('DELETE FROM jobs WHERE id = ? AND token = ? AND state = 1 RETURNING *');
    this.jobHistoryHeld = p('SELECT history FROM jobs WHERE id = ? AND token = ? AND state = 1');
    this.jobHeld = p('SELECT 1 AS held FROM jobs WHERE id = ? AND token = ? AND state = 1');
    this.jobRelease = p(
      `UPDATE jobs SET state = 0, token = NULL, worker_id = NULL, reserved_at = NULL, available_at = ?,
         exceptions = exceptions + ?, attempts = MAX(0, attempts - ?), lock_waits = lock_waits + ?, history = ?,
         waiting_on = ?
       WHERE id = ? AND token = ? AND state = 1`,
    );
    this.jobExtend = p('UPDATE jobs SET available_at = ? WHERE id = ? AND token = ? AND state = 1');
    this.jobGet = p('SELECT * FROM jobs WHERE id = ?');
    this.jobDeleteAny = p('DELETE FROM jobs WHERE id = ? RETURNING unique_key');
    this.listPending = p(
      'SELECT * FROM jobs WHERE queue = ? AND state = 0 AND available_at <= ? ORDER BY available_at, id LIMIT ? OFFSET ?',
    );
    this.listDelayed = p(
      'SELECT * FROM jobs WHERE queue = ? AND state = 0 AND available_at > ? ORDER BY available_at, id LIMIT ? OFFSET ?',
    );
    this.listReserved = p(
      'SELECT * FROM jobs INDEXED BY jobs_reserved WHERE queue = ? AND state = 1 ORDER BY available_at, id LIMIT ? OFFSET ?',
    );
    this.queueProcessed = p('UPDATE queues SET processed_total = processed_total + 1 WHERE name = ?');
    this.queueFailed = p('UPDATE queues SET failed_total = failed_total + 1 WHERE name = ?');
    this.queuesAll = p('SELECT * FROM queues ORDER BY name');
    // Rows of a queue due in (lo, hi]: every row of the range less the reserved ones (expired leases).
    // LIMIT $cap bounds the read; a capped answer means the queue's mark fell far behind.
    this.queueDueBetween = p(
      `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM jobs INDEXED BY jobs_due
                WHERE queue = $queue AND available_at > $lo AND available_at <= $hi LIMIT $cap)) AS rows,
              (SELECT COUNT(*) FROM jobs INDEXED BY jobs_reserved
                WHERE queue = $queue AND state = 1 AND available_at > $lo AND available_at <= $hi) AS reserved`,
    );
    this.queueMarkAdvance = p(
      `UPDATE queues SET mark = $now, later = later
         - (SELECT COUNT(*) FROM jobs INDEXED BY jobs_due
             WHERE queue = $queue AND available_at > queues.mark AND available_at <= $now)
         + (SELECT COUNT(*) FROM jobs INDEXED BY jobs_reserved
             WHERE queue = $queue AND state = 1 AND available_at > queues.mark AND available_at <= $now)
       WHERE name = $queue AND mark < $now`,
    );
    this.queueClear = p('DELETE FROM jobs WHERE queue = ? AND state = 0 RETURNING id, unique_key');
    this.queuePause = p('INSERT INTO queues (name, paused) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET paused = ?');
    // An upsert, not OR REPLACE: a REPLACE deletes without firing the count triggers.
    this.failedInsert = p(
      `INSERT INTO failed_jobs (id, queue, name, payload, error, failed_at, history) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET queue = excluded.queue, name = excluded.name, payload = excluded.payload,
         error = excluded.error, failed_at = excluded.failed_at, history = excluded.history`,
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
    this.failedDelete = p('DELETE FROM failed_jobs WHERE id = ?');
    this.failedFlushAll = p('DELETE FROM failed_jobs');
    this.failedFlushQueue = p('DELETE FROM failed_jobs WHERE queue = ?');
    this.failedPruneBatch = p(
      'DELETE FROM failed_jobs WHERE id IN (SELECT id FROM failed_jobs WHERE failed_at < ? LIMIT 1000)',
    );
    this.eventInsert = p(
      'INSERT INTO events (time, name, queue, job_id, job_name, attempt, worker_id, duration_ms, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** The store's clock (see clock.ts). */
  now(): number {
    return storeNow(this.db);
  }
}
