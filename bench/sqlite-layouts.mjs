// What a one-by-one push could cost on SQLite with no qtool code around it: `node bench/sqlite-layouts.mjs [N]`.
// Raw better-sqlite3, one BEGIN IMMEDIATE transaction per job, WAL and synchronous NORMAL as the
// driver sets them, for the jobs table as qtool lays it out and two rowid alternatives, each with
// the per-push event row and the queue counts' change as qtool writes it (a count row beside the
// event, schema 8) or as schema 7 did (an update of the queue row), and with less. Prints pushes/s
// per layout (median of three rounds), so a layout change can be judged before it is made.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { monotonicFactory } from 'ulidx';
import { median, removeDir, tempDir } from './lib.mjs';

const count = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const newId = monotonicFactory();
const COLUMNS = `queue TEXT NOT NULL, name TEXT NOT NULL, payload TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, exceptions INTEGER NOT NULL DEFAULT 0,
  lock_waits INTEGER NOT NULL DEFAULT 0, unique_key TEXT, token TEXT, worker_id TEXT, reserved_at INTEGER,
  history TEXT, waiting_on TEXT, prev INTEGER`;
const INDEXES = `CREATE INDEX jobs_due ON jobs (queue, available_at) WHERE state = 0;
  CREATE INDEX jobs_reserved ON jobs (queue, available_at) WHERE state = 1;`;
const LAYOUTS = {
  'text key, WITHOUT ROWID (qtool today)': `CREATE TABLE jobs (id TEXT PRIMARY KEY, ${COLUMNS}) WITHOUT ROWID; ${INDEXES}
    CREATE INDEX jobs_waiting ON jobs (queue) WHERE waiting_on IS NOT NULL;`,
  'rowid table, unique index on id': `CREATE TABLE jobs (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ${COLUMNS}); ${INDEXES}`,
  'rowid table, no index on id': `CREATE TABLE jobs (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, ${COLUMNS}); ${INDEXES}`,
};
const SIDE_TABLES = `CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, name TEXT NOT NULL, queue TEXT,
    job_id TEXT, job_name TEXT, attempt INTEGER, worker_id TEXT, duration_ms INTEGER, details TEXT, d_ready INTEGER,
    d_later INTEGER, d_reserved INTEGER, d_waiting INTEGER, d_failed INTEGER, d_processed INTEGER, d_failed_total INTEGER);
  CREATE TABLE queues (name TEXT PRIMARY KEY, ready INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
  INSERT INTO queues (name) VALUES ('bench');`;
const EXTRAS = {
  'event + count row (schema 8)': [true, 'row'],
  'event + queue row update (schema 7)': [true, 'update'],
  event: [true, null],
  'job row only': [false, null],
};
const payload = JSON.stringify({ id: newId(), name: 'Noop', queue: 'bench', data: { n: 1 }, dispatchedAt: Date.now() });

function pushesPerSecond(schema, withEvent, withCounts) {
  const dir = tempDir('qtool-layouts-');
  const db = new Database(join(dir, 'q.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(schema);
  db.exec(SIDE_TABLES);
  const job = db.prepare('INSERT INTO jobs (id, queue, name, payload, available_at) VALUES (?, ?, ?, ?, ?)');
  const event = db.prepare('INSERT INTO events (time, name, queue, job_id, job_name) VALUES (?, ?, ?, ?, ?)');
  const counts = {
    update: db.prepare('UPDATE queues SET ready = ready + 1 WHERE name = ?'),
    row: db.prepare("INSERT INTO events (time, name, queue, d_ready) VALUES (unixepoch(), '', ?, 1)"),
  }[withCounts];
  const push = db.transaction((id, now) => {
    job.run(id, 'bench', 'Noop', payload, now);
    if (withEvent) event.run(now, 'job.dispatched', 'bench', id, 'Noop');
    counts?.run('bench');
  });
  for (let i = 0; i < 2000; i++) push.immediate(newId(), Date.now()); // past the first pages
  const started = performance.now();
  for (let i = 0; i < count; i++) push.immediate(newId(), Date.now());
  const rate = Math.round((count / (performance.now() - started)) * 1000);
  db.close();
  removeDir(dir);
  return rate;
}

// Rounds go across every cell in turn, so a machine whose speed drifts over minutes (a shared
// VM) spreads the drift over all cells instead of favouring the ones measured in a fast spell.
const cells = Object.entries(LAYOUTS).flatMap(([layout, schema]) =>
  Object.entries(EXTRAS).map(([extra, [withEvent, withCounts]]) => ({ layout, extra, schema, withEvent, withCounts })),
);
const rates = cells.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, c] of cells.entries()) rates[i].push(pushesPerSecond(c.schema, c.withEvent, c.withCounts));
}
console.table(
  cells.map((c, i) => ({
    layout: c.layout,
    'per push also': c.extra,
    'pushes/s': median(rates[i]),
    range: `${Math.min(...rates[i])}-${Math.max(...rates[i])}`,
  })),
);
