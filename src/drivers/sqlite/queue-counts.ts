import type Database from 'better-sqlite3';

/** A queue's count changes (absent fields: 0). */
export interface CountDelta {
  ready?: number;
  later?: number;
  reserved?: number;
  waiting?: number;
  failed?: number;
  processed?: number;
  failedTotal?: number;
}

/** The first schema version whose events table carries count rows (see QueueCounts). */
export const COUNTS_IN_EVENTS = 8;

/** The `name` of an events row that carries count changes: no event has an empty name. */
export const COUNTS_ROW_NAME = '';

/** Each field's column in the queue row, and in a count row of the events table. */
const FIELDS = [
  ['ready', 'ready', 'd_ready'],
  ['later', 'later', 'd_later'],
  ['reserved', 'reserved', 'd_reserved'],
  ['waiting', 'waiting', 'd_waiting'],
  ['failed', 'failed', 'd_failed'],
  ['processed', 'processed_total', 'd_processed'],
  ['failedTotal', 'failed_total', 'd_failed_total'],
] as const;

/** The count rows' columns, for the events table's definition. */
export const COUNT_ROW_COLUMNS = FIELDS.map(([, , column]) => column);

/** Ids of events rows (count rows or events) between folds: bounds what a stats read adds up. */
const FOLD_EVERY = 1000;
/** The meta row holding the id of the last events row folded into the queue rows. */
export const FOLDED_KEY = 'counts_folded';

type Totals = Record<(typeof FIELDS)[number][0], number>;

export interface QueueRow {
  name: string;
  paused: number;
  mark: number;
  ready: number;
  later: number;
  reserved: number;
  waiting: number;
  failed: number;
  processed_total: number;
  failed_total: number;
}

/**
 * Per-queue counts (see schema.ts for what each means). A transaction's changes are summed per
 * queue and written once, just before its COMMIT. From schema 8 they are written as a row of the
 * events table (name '', the d_* columns) instead of an update of the queue row: the row lands on
 * the page the step's own events are appended to, so a push or a job's commit writes one page
 * fewer (a fifth of a one-by-one push's pages). A read adds the rows written since the last fold
 * to the queue rows; every FOLD_EVERY ids a writer folds them into the queue rows and deletes them.
 * A file kept at an older version (still open in an older qtool, see migrate) has its queue rows
 * updated directly, as that qtool expects.
 */
/** Add a change to a queue's row directly (older files, and writes outside the driver's steps). */
export function queueRowAdder(db: Database.Database): (queue: string, delta: CountDelta) => void {
  const sets = FIELDS.map(([field, column]) => `${column} = ${column} + $${field}`).join(', ');
  const update = db.prepare(`UPDATE queues SET ${sets} WHERE name = $queue`);
  return (queue, delta) => update.run({ queue, ...totalsOf(delta) });
}

function totalsOf(delta: CountDelta): Totals {
  return {
    ready: delta.ready ?? 0,
    later: delta.later ?? 0,
    reserved: delta.reserved ?? 0,
    waiting: delta.waiting ?? 0,
    failed: delta.failed ?? 0,
    processed: delta.processed ?? 0,
    failedTotal: delta.failedTotal ?? 0,
  };
}

export class QueueCounts {
  private readonly pending = new Map<string, Totals>();
  private readonly queueRowAdd: (queue: string, delta: CountDelta) => void;
  /** The count rows' statements; null on a file at an older schema. */
  private readonly rows: ReturnType<typeof countRowStatements> | null;
  /** The fold point this connection last saw: only decides when to fold, never what. */
  private foldedSeen = 0;

  constructor(db: Database.Database, inEvents: boolean) {
    this.queueRowAdd = queueRowAdder(db);
    this.rows = inEvents ? countRowStatements(db) : null;
  }

  /** Note a change, to be written when the transaction ends. */
  add(queue: string, delta: CountDelta): void {
    const totals = this.pending.get(queue);
    if (!totals) this.pending.set(queue, totalsOf(delta));
    else for (const [field] of FIELDS) totals[field] += delta[field] ?? 0;
  }

  /** Write the transaction's changes: inside it, before its COMMIT. */
  flush(now: number): void {
    if (this.pending.size === 0) return;
    for (const [queue, totals] of this.pending) {
      if (FIELDS.every(([field]) => totals[field] === 0)) continue;
      if (!this.rows) {
        this.queueRowAdd(queue, totals);
        continue;
      }
      const id = Number(this.rows.rowInsert.run(now, queue, ...FIELDS.map(([field]) => totals[field])).lastInsertRowid);
      if (id - this.foldedSeen > FOLD_EVERY) this.fold();
    }
    this.pending.clear();
  }

  /** Forget the changes of a transaction that was rolled back. */
  discard(): void {
    this.pending.clear();
  }

  /**
   * Move the count rows into the queue rows, inside a write transaction: before a step sets a
   * count outright, or trims events. Nothing to do on a file at an older schema.
   */
  fold(): void {
    const s = this.rows;
    if (!s) return;
    const from = (s.foldedGet.get() as number | undefined) ?? 0;
    const to = (s.lastId.get() as number | null) ?? 0;
    this.foldedSeen = to;
    if (to <= from) return;
    s.missingQueues.run({ from, to });
    s.foldInto.run({ from, to });
    s.foldedDelete.run({ from, to });
    s.foldedPut.run({ to });
  }

  /** The queue rows with the changes not folded yet added: call inside one read snapshot. */
  withPending(rows: QueueRow[]): QueueRow[] {
    const s = this.rows;
    if (!s) return rows;
    const from = (s.foldedGet.get() as number | undefined) ?? 0;
    const sums = new Map((s.sums.all({ from }) as ({ queue: string } & Totals)[]).map((r) => [r.queue, r]));
    if (sums.size === 0) return rows;
    return rows.map((row) => {
      const d = sums.get(row.name);
      if (!d) return row;
      const sum = { ...row };
      for (const [field, column] of FIELDS) sum[column] += d[field];
      return sum;
    });
  }
}

/** The statements that write, fold and add up count rows (schema 8). */
function countRowStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const columns = COUNT_ROW_COLUMNS.join(', ');
  const sums = FIELDS.map(([field, , column]) => `COALESCE(SUM(${column}), 0) AS ${field}`).join(', ');
  const sinceFold = `FROM events WHERE id > $from AND id <= $to AND name = '${COUNTS_ROW_NAME}'`;
  return {
    // Positional, values in FIELDS order: named parameters took twice as long to bind (2.1 against
    // 1.0-1.3 µs measured), and every step writes a count row.
    rowInsert: p(
      `INSERT INTO events (time, name, queue, ${columns})
       VALUES (?, '${COUNTS_ROW_NAME}', ?, ${FIELDS.map(() => '?').join(', ')})`,
    ),
    foldedGet: p(`SELECT CAST(value AS INTEGER) FROM meta WHERE key = '${FOLDED_KEY}'`).pluck(),
    foldedPut: p(`INSERT OR REPLACE INTO meta (key, value) VALUES ('${FOLDED_KEY}', $to)`),
    lastId: p('SELECT MAX(id) FROM events').pluck(),
    // A queue row missing (none should be: pushes create them) is created rather than lose sums.
    missingQueues: p(`INSERT INTO queues (name) SELECT DISTINCT queue ${sinceFold} ON CONFLICT (name) DO NOTHING`),
    foldInto: p(
      `UPDATE queues SET ${FIELDS.map(([field, column]) => `${column} = queues.${column} + sums.${field}`).join(', ')}
       FROM (SELECT queue, ${sums} ${sinceFold} GROUP BY queue) AS sums WHERE queues.name = sums.queue`,
    ),
    // The newest row stays: ids only grow while the largest is kept (see schema.ts, events).
    foldedDelete: p(`DELETE FROM events WHERE id > $from AND id < $to AND name = '${COUNTS_ROW_NAME}'`),
    sums: p(`SELECT queue, ${sums} FROM events WHERE id > $from AND name = '${COUNTS_ROW_NAME}' GROUP BY queue`),
  };
}
