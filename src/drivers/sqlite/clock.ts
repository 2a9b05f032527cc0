import type Database from 'better-sqlite3';

/** How often the offset between this process's clock and the store's is measured again. */
const REMEASURE_MS = 1000;

interface Offset {
  ms: number;
  measuredAt: number;
  read: Database.Statement;
}

const offsets = new WeakMap<Database.Database, Offset>();

/**
 * The store's clock, in epoch ms: the host's clock as SQLite reads it, not this process's
 * `Date.now()`, which fake timers and patched clocks move. Every process sharing the file then
 * agrees on when a delay ends and a lease runs out, like Redis scripts reading TIME. The offset
 * is measured at most once a second, so this costs one statement per second, not per step.
 */
export function storeNow(db: Database.Database): number {
  const local = Date.now();
  let offset = offsets.get(db);
  if (!offset) {
    offset = { ms: 0, measuredAt: Number.NEGATIVE_INFINITY, read: db.prepare("SELECT unixepoch('subsec') * 1000") };
    offset.read.pluck();
    offsets.set(db, offset);
  }
  if (Math.abs(local - offset.measuredAt) >= REMEASURE_MS) {
    offset.ms = Math.round(offset.read.get() as number) - local;
    offset.measuredAt = local;
  }
  return local + offset.ms;
}
