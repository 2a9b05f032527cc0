import type Database from 'better-sqlite3';
import { DriverError } from '../errors.js';
import { WalCheckpointer } from './checkpointer.js';
import { storeNow } from './clock.js';
import { COUNTS_IN_EVENTS, QueueCounts } from './queue-counts.js';
import type { WalWatcher } from './wake.js';

/** How long a deferred flush that met a busy or failing store waits before trying again. */
const FLUSH_RETRY_MS = 50;

/**
 * How the SQLite driver touches the file: each state change one BEGIN IMMEDIATE transaction,
 * reads that see this connection's own writes, steps deferred to ride along with the next
 * transaction, and the store's clock. The driver's classes build on it.
 */
export abstract class SqliteTransactions {
  private closed = false;
  private readonly deferred: (() => void)[] = [];
  /** The pending flush of deferred steps, cancelled when a transaction carries them first. */
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly tx;
  /** The queue counts' changes of the transaction under way, written just before it commits. */
  protected readonly counts: QueueCounts;
  private readonly checkpointer: WalCheckpointer;

  constructor(
    protected readonly db: Database.Database,
    protected readonly watcher: WalWatcher,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.tx = { begin: p('BEGIN IMMEDIATE'), commit: p('COMMIT'), rollback: p('ROLLBACK') };
    const version = db.pragma('user_version', { simple: true }) as number;
    this.counts = new QueueCounts(db, version >= COUNTS_IN_EVENTS);
    this.checkpointer = new WalCheckpointer(db);
  }

  /**
   * Run `body` as one BEGIN IMMEDIATE transaction, mapping SQLite failures to DriverError. The
   * BEGIN/COMMIT statements are prepared once: building a transaction wrapper per call costs more
   * than the statements of a typical step.
   */
  protected write<T>(body: () => T): T {
    this.assertOpen();
    try {
      this.tx.begin.run();
    } catch (error) {
      throw mapError(error);
    }
    const deferred = this.deferred.splice(0);
    try {
      for (const step of deferred) step();
      const result = body();
      this.counts.flush(this.clock());
      this.tx.commit.run();
      this.checkpointer.noteCommit();
      // Nothing left to flush: a flush still pending would only commit the next job's steps on
      // their own, a transaction more for each job completed while it waits (measured ~9%).
      if (this.deferred.length === 0) this.cancelFlush();
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.tx.rollback.run();
      this.counts.discard();
      this.deferred.unshift(...deferred); // rolled back with the rest: they run with the next write
      throw mapError(error);
    }
  }

  /**
   * Steps that may ride along with the next transaction instead of paying a commit of their own
   * (a completed job's delete joins the worker's next reserve). A flush on the next timer turn
   * bounds the delay, and reads flush first, so this connection always reads its own writes. The
   * flush is a timer rather than setImmediate so that the worker's next reserve, asked for with
   * setImmediate after the job (see JobFetcher), comes first and carries the steps.
   */
  protected defer(step: () => void): void {
    this.deferred.push(step);
    this.scheduleFlush(0);
  }

  private scheduleFlush(ms: number): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushDeferred();
    }, ms);
    if (ms > 0) this.flushTimer.unref();
  }

  private cancelFlush(): void {
    if (!this.flushTimer) return;
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private flushDeferred(): void {
    if (this.deferred.length === 0 || this.closed) return;
    try {
      this.write(() => undefined);
    } catch {
      // Busy or failing store: the steps stay queued for the next write or the next flush.
      this.scheduleFlush(FLUSH_RETRY_MS);
    }
  }

  /**
   * A read that leaves the deferred steps queued: only for a read those steps cannot change (a
   * job's own reservation, which no other job's deferred delete touches), so that at concurrency
   * N a batch of completions still shares one commit.
   */
  protected peek<T>(body: () => T): T {
    this.assertOpen();
    try {
      return body();
    } catch (error) {
      throw mapError(error);
    }
  }

  /** A read that first writes the deferred steps, so it sees everything this connection did. */
  protected read<T>(body: () => T): T {
    this.assertOpen();
    if (this.deferred.length) this.write(() => undefined);
    return this.peek(body);
  }

  private assertOpen(): void {
    if (this.closed) throw new DriverError('CLOSED', 'the SQLite driver is closed');
  }

  async now(): Promise<number> {
    return this.clock();
  }

  /** The store's clock (see clock.ts): every time written or compared in the store comes from here. */
  protected clock(): number {
    return storeNow(this.db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flushDeferred();
    this.cancelFlush();
    this.closed = true;
    this.watcher.close();
    await this.checkpointer.stop();
    this.db.close();
  }
}

function mapError(error: unknown): unknown {
  if (error instanceof DriverError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_BUSY'))
    return new DriverError('BUSY', 'the SQLite store stayed locked past the busy timeout', { cause: error });
  if (error instanceof TypeError && /not open/.test(error.message))
    return new DriverError('CLOSED', 'the SQLite driver is closed', { cause: error });
  return error;
}
