import type Database from 'better-sqlite3';
import { decodeEnvelope } from '../envelope-codec.js';
import { pageOf, scanStart } from '../failed-cursor.js';
import type { FailedPage, FailedRecord, FailedScanOptions } from '../types.js';
import { SqliteRecords } from './records.js';
import { SqliteStatements } from './statements.js';
import type { WalWatcher } from './wake.js';

/**
 * The failed store of the SQLite driver (list, scan, retry, forget, flush, prune), each step one
 * transaction that keeps the queue rows' failed counts. The driver class extends it; split only
 * to keep files small.
 */
export abstract class SqliteFailedStore extends SqliteRecords {
  protected readonly q: SqliteStatements;

  constructor(db: Database.Database, watcher: WalWatcher) {
    super(db, watcher);
    this.q = new SqliteStatements(db);
  }

  async failedList(options: { queue?: string; limit: number; offset?: number }): Promise<FailedRecord[]> {
    return this.read(() => {
      const rows = options.queue
        ? this.q.failedListQueue.all(options.queue, options.limit, options.offset ?? 0)
        : this.q.failedListAll.all(options.limit, options.offset ?? 0);
      return (rows as FailedRow[]).map(rowToFailed);
    });
  }

  async failedScan(options: FailedScanOptions): Promise<FailedPage> {
    const start = scanStart(options);
    const rows = this.read(
      () =>
        (options.queue
          ? this.q.failedScanQueue.all(options.queue, start.at, start.id, options.limit)
          : this.q.failedScanAll.all(start.at, start.id, options.limit)) as FailedRow[],
    );
    const last = rows.at(-1);
    return pageOf(rows.map(rowToFailed), last && { at: last.failed_at, id: last.id }, rows.length, options.limit);
  }

  async failedGet(id: string): Promise<FailedRecord | null> {
    return this.read(() => this.failedById(id));
  }

  protected failedById(id: string): FailedRecord | null {
    const row = this.q.failedGet.get(id) as FailedRow | undefined;
    return row ? rowToFailed(row) : null;
  }

  async failedRetry(options: { ids?: string[]; queue?: string; limit?: number }): Promise<string[]> {
    return this.write(() => {
      const rows = (
        options.ids
          ? options.ids.map((id) => this.q.failedGet.get(id)).filter(Boolean)
          : options.queue
            ? this.q.failedOldestQueue.all(options.queue, options.limit ?? 1000)
            : this.q.failedOldestAll.all(options.limit ?? 1000)
      ) as FailedRow[];
      const now = this.clock();
      for (const row of rows) {
        // An undecodable payload goes back as it was: it fails again, with its reason, if reserved.
        const { envelope, rejected } = decodeEnvelope(row.payload, row);
        Object.assign(envelope, { attempts: 0, exceptions: 0, lockWaits: 0 });
        this.q.failedDelete.run(row.id);
        this.q.queueRetried.run({ queue: row.queue, at: now });
        this.q.jobInsertRetried.run(
          row.id,
          row.queue,
          row.name,
          rejected ? row.payload : this.q.payload(envelope),
          now,
          envelope.unique?.key ?? null,
          row.history,
        );
      }
      this.insertEvents(
        rows.map((row) => ({ name: 'job.retried', queue: row.queue, jobId: row.id, jobName: row.name })),
        now,
      );
      return rows.map((row) => row.id);
    });
  }

  async failedForget(ids: string[]): Promise<string[]> {
    return this.write(() =>
      ids.filter((id) => {
        const row = this.q.failedDelete.get(id) as { queue: string } | undefined;
        if (row) this.counts.add(row.queue, { failed: -1 });
        return row !== undefined;
      }),
    );
  }

  async failedFlush(options: { queue?: string } = {}): Promise<number> {
    return this.write(() => {
      this.counts.fold(); // the failed counts are set outright below: no change may be left unfolded
      if (!options.queue) {
        this.q.failedZeroAll.run();
        return this.q.failedFlushAll.run().changes;
      }
      this.q.failedZeroQueue.run(options.queue);
      return this.q.failedFlushQueue.run(options.queue).changes;
    });
  }

  async failedPrune(options: { before: number }): Promise<number> {
    // Batches of 1,000 keep each transaction short so workers are never held up for long.
    let total = 0;
    for (;;) {
      const removed = this.write(() => {
        const rows = this.q.failedPruneBatch.all(options.before) as { queue: string }[];
        const perQueue = new Map<string, number>();
        for (const { queue } of rows) perQueue.set(queue, (perQueue.get(queue) ?? 0) + 1);
        for (const [queue, n] of perQueue) this.counts.add(queue, { failed: -n });
        return rows.length;
      });
      total += removed;
      if (removed < 1000) return total;
    }
  }
}

interface FailedRow {
  id: string;
  queue: string;
  name: string;
  payload: string;
  error: string;
  failed_at: number;
  history: string | null;
}

function rowToFailed(row: FailedRow): FailedRecord {
  const { envelope } = decodeEnvelope(row.payload, row);
  return {
    id: row.id,
    name: row.name,
    queue: row.queue,
    connection: envelope.connection,
    envelope,
    error: JSON.parse(row.error),
    failedAt: row.failed_at,
    history: row.history ? JSON.parse(row.history) : [],
  };
}
