import type Database from 'better-sqlite3';
import { storeNow } from './clock.js';
import { COUNT_ROW_COLUMNS, COUNTS_IN_EVENTS, FOLDED_KEY } from './queue-counts.js';

export const SCHEMA_VERSION = 9;

/**
 * From version 9 a job's payload leaves out the keys its row holds in columns (id, name, queue; see
 * envelope-codec.ts). Nothing is rewritten: payloads written whole still read as they were. A file
 * open elsewhere in an older qtool, which cannot read such payloads, stays at its version (see
 * migrate) and is written whole.
 */
export const ROW_KEYS_IN_COLUMNS = 9;

/**
 * Per-queue counts, kept exact by each step in its own transaction (one aggregated change per step
 * and queue, none per job: from schema 8 a count row of the events table, folded into the queue row
 * now and then, see queue-counts.ts), so stats cost O(queues) whatever the queue length. Triggers
 * would keep them with less code, but cost about 15% of processing throughput (measured).
 * `ready` counts state-0 rows, `later` those of them due after the queue's `mark` (an instant that
 * pushes move up to their clock, at most once a second): delayed is then `later` less the rows due
 * between `mark` and now, a short index range (what was pushed or came due since the mark). A SQLite B-tree cannot count a
 * key range in less than its length, so this split is what keeps the delayed count from scanning a
 * long backlog. `jobs.prev` is where a reserve notes what each row was (see statements.ts).
 */
const COUNT_COLUMNS = ['ready', 'later', 'mark', 'reserved', 'waiting', 'failed'];

/** Counts from scratch: once, when a version-4 file (kept without counts) is upgraded. */
const ADD_MISSING_QUEUES = `INSERT OR IGNORE INTO queues (name) SELECT queue FROM jobs UNION SELECT queue FROM failed_jobs`;
const RECOUNT = `
UPDATE queues SET
  mark = $now,
  ready = (SELECT COUNT(*) FROM jobs WHERE jobs.queue = queues.name AND jobs.state = 0),
  later = (SELECT COUNT(*) FROM jobs WHERE jobs.queue = queues.name AND jobs.state = 0 AND jobs.available_at > $now),
  reserved = (SELECT COUNT(*) FROM jobs WHERE jobs.queue = queues.name AND jobs.state = 1),
  waiting = (SELECT COUNT(*) FROM jobs WHERE jobs.queue = queues.name AND jobs.waiting_on IS NOT NULL),
  failed = (SELECT COUNT(*) FROM failed_jobs WHERE failed_jobs.queue = queues.name)`;

/**
 * Version 6 dropped AUTOINCREMENT from events: it cost every step that writes an event one page
 * more per commit (its sqlite_sequence row). Event ids still only grow: a new row takes the largest
 * id plus one, and the trim keeps the newest rows, so the largest is never deleted.
 */
const EVENTS_COLUMNS = `
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  name TEXT NOT NULL,
  queue TEXT,
  job_id TEXT,
  job_name TEXT,
  attempt INTEGER,
  worker_id TEXT,
  duration_ms INTEGER,
  details TEXT
`;
const EVENTS_WITHOUT_AUTOINCREMENT = `
CREATE TABLE events_v6 (${EVENTS_COLUMNS});
INSERT INTO events_v6 SELECT id, time, name, queue, job_id, job_name, attempt, worker_id, duration_ms, details FROM events;
DROP TABLE events;
ALTER TABLE events_v6 RENAME TO events;`;

/** The fold point of a file that gets count rows: its events so far carry none (any it has stays unfolded). */
const MARK_EVENTS_FOLDED = `INSERT OR REPLACE INTO meta (key, value)
  SELECT $key, COALESCE((SELECT MIN(id) - 1 FROM events WHERE name = ''), MAX(id), 0) FROM events`;

/**
 * Jobs live in one table whose `available_at` means "due at" for ready rows and "lease expires at"
 * for reserved rows. Each kind has its own partial index on (queue, available_at): a reserve takes
 * the older of the two heads (a due job or an expired lease), and moves the row from the head of
 * one to the tail of the other; the completed job's delete then touches the reserved index only.
 * Version 7 made jobs_due partial (it held reserved rows too): a job's commit wrote one index page
 * less. A secondary index of a WITHOUT ROWID table ends with the key, id, so scans are in FIFO order.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  queue TEXT NOT NULL,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  exceptions INTEGER NOT NULL DEFAULT 0,
  lock_waits INTEGER NOT NULL DEFAULT 0,
  unique_key TEXT,
  token TEXT,
  worker_id TEXT,
  reserved_at INTEGER,
  history TEXT,
  waiting_on TEXT,
  prev INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (queue, available_at) WHERE state = 0;
CREATE INDEX IF NOT EXISTS jobs_reserved ON jobs (queue, available_at) WHERE state = 1;
CREATE INDEX IF NOT EXISTS jobs_waiting ON jobs (queue) WHERE waiting_on IS NOT NULL;
CREATE TABLE IF NOT EXISTS queues (
  name TEXT PRIMARY KEY,
  paused INTEGER NOT NULL DEFAULT 0,
  processed_total INTEGER NOT NULL DEFAULT 0,
  failed_total INTEGER NOT NULL DEFAULT 0,
${COUNT_COLUMNS.map((c) => `  ${c} INTEGER NOT NULL DEFAULT 0`).join(',\n')}
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS failed_jobs (
  id TEXT PRIMARY KEY,
  queue TEXT NOT NULL,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  error TEXT NOT NULL,
  failed_at INTEGER NOT NULL,
  history TEXT
);
CREATE INDEX IF NOT EXISTS failed_by_time ON failed_jobs (failed_at);
CREATE INDEX IF NOT EXISTS failed_by_queue ON failed_jobs (queue, failed_at);
CREATE TABLE IF NOT EXISTS locks (
  key TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  job_id TEXT,
  worker_id TEXT,
  acquired_at INTEGER NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  meta TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unique_keys (
  key TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY,
  job_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (${EVENTS_COLUMNS},
${COUNT_ROW_COLUMNS.map((c) => `  ${c} INTEGER`).join(',\n')}
);
CREATE TABLE IF NOT EXISTS workers (
  id TEXT PRIMARY KEY,
  info TEXT NOT NULL,
  last_beat_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metrics (
  minute INTEGER NOT NULL,
  queue TEXT NOT NULL,
  job TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (minute, queue, job)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batches (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

/**
 * The version whose index change a running older qtool cannot live with: its statements name
 * jobs_due in INDEXED BY with no `state = 0`, which the partial index cannot answer ("no query
 * solution" on its next push or status). A file still open elsewhere stays at 6, which this
 * version also reads and writes (see usesReadyOnlyDueIndex), and is upgraded by the first
 * process that opens it alone.
 */
const READY_ONLY_DUE_INDEX = 7;

/**
 * Create or upgrade the schema; several processes may open a fresh file at once. `alone`: no
 * other process has the file open (it had no -wal or -shm beside it).
 */
export function migrate(db: Database.Database, alone: boolean): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  const target = alone || version() === 0 ? SCHEMA_VERSION : READY_ONLY_DUE_INDEX - 1;
  if (version() >= target) return;
  db.transaction(() => {
    const from = version();
    if (from >= target) return;
    // Version 3 added jobs.waiting_on (the key a held-back job waits for).
    if (from >= 1 && from < 3) db.exec('ALTER TABLE jobs ADD COLUMN waiting_on TEXT');
    // Version 5 added the per-queue counts (COUNT_COLUMNS, and jobs.prev for the reserve's part).
    if (from >= 1 && from < 5) {
      for (const column of COUNT_COLUMNS) db.exec(`ALTER TABLE queues ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0`);
      db.exec('ALTER TABLE jobs ADD COLUMN prev INTEGER');
    }
    if (from >= 1 && from < 6) db.exec(EVENTS_WITHOUT_AUTOINCREMENT);
    // Rebuilt partial by SCHEMA below. Staying at 6, the full one stays (SCHEMA's IF NOT EXISTS).
    if (from >= 1 && from < READY_ONLY_DUE_INDEX && target >= READY_ONLY_DUE_INDEX) db.exec('DROP INDEX jobs_due');
    // Version 8 writes count changes as rows of the events table (see queue-counts.ts).
    const addsCountRows = from >= 1 && from < COUNTS_IN_EVENTS && target >= COUNTS_IN_EVENTS;
    if (addsCountRows) {
      const present = new Set((db.pragma('table_info(events)') as { name: string }[]).map((c) => c.name));
      for (const column of COUNT_ROW_COLUMNS) {
        if (!present.has(column)) db.exec(`ALTER TABLE events ADD COLUMN ${column} INTEGER`);
      }
    }
    db.exec(SCHEMA);
    if (addsCountRows) db.prepare(MARK_EVENTS_FOLDED).run({ key: FOLDED_KEY });
    if (from >= 1 && from < 5) {
      db.exec(ADD_MISSING_QUEUES);
      db.prepare(RECOUNT).run({ now: storeNow(db) });
    }
    db.pragma(`user_version = ${target}`);
  }).immediate();
}

/** Whether jobs_due holds ready rows only (schema 7), or every row as schema 6 made it. */
export function usesReadyOnlyDueIndex(db: Database.Database): boolean {
  const row = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'jobs_due'").get() as
    | { sql: string }
    | undefined;
  return row !== undefined && /\bWHERE\b/i.test(row.sql);
}
