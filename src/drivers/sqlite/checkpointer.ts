import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * Commits a connection makes before it hands checkpoints to a thread. A short command (a status, one
 * dispatch, a retry) makes fewer; a worker's first jobs or a bulk dispatch's first 16,000 jobs make
 * as many. A bulk dispatch of 200,000 ran 1-9% faster starting at 16 than at 256 (5 alternated pairs).
 */
const START_AFTER_COMMITS = 16;
/**
 * WAL pages at which a commit still checkpoints by itself (SQLite's default is 1000): the backstop
 * while the thread runs. Its checkpoints then find most pages copied already.
 */
const BACKSTOP_PAGES = 4000;
/** SQLite's default, back when the thread stops. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/**
 * The thread checkpoints after every this many commits, at most once per MIN_GAP_MS. At a busy
 * connection's pace (20,000 commits a second) that is a few hundred pages a step, far below the
 * backstop; at a trickle it is a pair of fsyncs per 32 commits, where SQLite's default waited for
 * 1,000 pages (cheap either way at that pace).
 */
const COMMITS_PER_CHECKPOINT = 32;
const MIN_GAP_MS = 10;

/** Slots of the shared state: this connection's commit count, and the stop flag. */
const COMMITS = 0;
const STOP = 1;

/**
 * Checkpoints the WAL on a thread of its own. A commit that finds the WAL past SQLite's
 * autocheckpoint size copies every page in it back to the database file and syncs both files before
 * it returns: a quarter of a one-by-one push's time went there (measured with autocheckpoint off).
 * Once this connection is busy, a thread with a connection of its own runs PASSIVE checkpoints
 * (which never wait for, nor block, readers and writers) after every few dozen commits, and the
 * commits' own checkpoints, now at BACKSTOP_PAGES, only copy what the thread has not.
 * If the thread cannot start or stops, commits checkpoint as SQLite does by default.
 */
export class WalCheckpointer {
  private readonly state = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private thread: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private gaveUp = false;
  /** The file, resolved when the connection opens: the process may change directory before the thread starts. */
  private readonly path: string;

  constructor(private readonly db: Database.Database) {
    this.path = resolve(db.name);
  }

  /** After each commit of the connection. */
  noteCommit(): void {
    const commits = Atomics.add(this.state, COMMITS, 1) + 1;
    if (this.thread) {
      // The thread sleeps until a multiple of COMMITS_PER_CHECKPOINT; a wake costs a system call.
      if ((commits & (COMMITS_PER_CHECKPOINT - 1)) === 0) Atomics.notify(this.state, COMMITS);
    } else if (commits === START_AFTER_COMMITS && !this.gaveUp) {
      this.start();
    }
  }

  private start(): void {
    let thread: Worker;
    try {
      thread = new Worker(`(${checkpointLoop.toString()})()`, {
        eval: true,
        workerData: {
          path: this.path,
          sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
          state: this.state,
          slots: { commits: COMMITS, stop: STOP },
          // Commits made while the thread boots count towards its first checkpoint.
          commits: Atomics.load(this.state, COMMITS),
          perCheckpoint: COMMITS_PER_CHECKPOINT,
          gapMs: MIN_GAP_MS,
        },
      });
    } catch {
      this.gaveUp = true;
      return;
    }
    thread.unref();
    thread.on('error', () => undefined); // it exits next: handled there
    this.exited = new Promise((resolve) =>
      thread.once('exit', () => {
        if (this.thread === thread) this.fallBack();
        resolve();
      }),
    );
    this.thread = thread;
    this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  }

  /** The thread stopped by itself (it could not open the file, say): commits checkpoint again. */
  private fallBack(): void {
    this.thread = null;
    this.gaveUp = true;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  }

  /**
   * Stop the thread and close its connection: before the driver's own connection closes, so that
   * one is the last and checkpoints the WAL and removes it, as SQLite does for the last connection.
   */
  async stop(): Promise<void> {
    const thread = this.thread;
    if (!thread) return;
    this.thread = null;
    thread.ref(); // unreferenced, its exit would not keep the process alive for this wait
    Atomics.store(this.state, STOP, 1);
    Atomics.notify(this.state, STOP);
    Atomics.notify(this.state, COMMITS);
    await this.exited;
  }
}

/**
 * The thread's body, run from its source text (so the CLI bundle needs no file of its own for it):
 * it may use only what it requires itself and its workerData.
 */
function checkpointLoop(): void {
  const { workerData } = require('node:worker_threads');
  const Sqlite = require(workerData.sqlite);
  const {
    state,
    path,
    slots,
    commits: startedAt,
    perCheckpoint,
    gapMs,
  } = workerData as {
    state: Int32Array;
    slots: { commits: number; stop: number };
    path: string;
    commits: number;
    perCheckpoint: number;
    gapMs: number;
  };
  const db = new Sqlite(path, { fileMustExist: true, timeout: 0 });
  try {
    let checkpointedAt = startedAt;
    while (Atomics.load(state, slots.stop) === 0) {
      const commits = Atomics.load(state, slots.commits);
      if (((commits - checkpointedAt) | 0) < perCheckpoint) {
        Atomics.wait(state, slots.commits, commits); // until the next multiple of perCheckpoint, or the stop
        continue;
      }
      checkpointedAt = commits;
      try {
        db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // A failing store: the commits' own checkpoints stand in.
      }
      Atomics.wait(state, slots.stop, 0, gapMs);
    }
  } finally {
    db.close();
  }
}
