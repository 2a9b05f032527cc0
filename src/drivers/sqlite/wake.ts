import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Waiters } from '../waiters.js';

/** After a change to the WAL, the waits that follow end early at these delays (see wait). */
const RECHECKS_MS = [1, 4, 16];

/**
 * Cross-process wake-ups without a busy poll: every commit by any process appends to the WAL
 * file, which the directory watch sees at once. Waiters also wake at their own deadline (the
 * next due job) and on a slow safety poll, in case a watch event is missed.
 */
export class WalWatcher {
  private watcher: FSWatcher | null = null;
  private readonly waiters = new Waiters();
  /** How many of RECHECKS_MS are still to come since the last change. */
  private rechecks = 0;

  constructor(private readonly dbPath: string) {}

  private ensureWatching(): void {
    if (this.watcher) return;
    const prefix = basename(this.dbPath);
    try {
      this.watcher = watch(dirname(this.dbPath), { persistent: false }, (_event, file) => {
        if (!file || String(file).startsWith(prefix)) {
          this.rechecks = RECHECKS_MS.length;
          this.wakeAll();
        }
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      this.watcher = null; // no watch support: the waits below still end by timer
    }
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  wakeAll(): void {
    this.waiters.wakeAll();
  }

  /**
   * The watch stays open once started (it does not keep the process alive), so no commit is missed
   * between waits. A commit writes its WAL frames (the watch fires) before it updates the WAL index
   * in shared memory (no file event), so a reader woken by the write can look too early and see
   * nothing, with no event to come: a `qtool tail` saw a one-off dispatch half a second late, at
   * the safety poll. So the first few waits after a change (a caller waits only when its read
   * found nothing) end after 1, 4 and 16 ms: three more looks, not a poll.
   */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.ensureWatching();
    if (this.rechecks === 0) return this.waiters.wait(ms, signal);
    const recheck = RECHECKS_MS[RECHECKS_MS.length - this.rechecks--]!;
    return this.waiters.wait(Math.min(ms, recheck), signal);
  }

  close(): void {
    this.wakeAll();
    this.stopWatching();
  }
}
