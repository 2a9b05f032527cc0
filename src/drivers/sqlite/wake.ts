import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Cross-process wake-ups without a busy poll: every commit by any process appends to the WAL
 * file, which the directory watch sees at once. Waiters also wake at their own deadline (the
 * next due job) and on a slow safety poll, in case a watch event is missed.
 */
export class WalWatcher {
  private watcher: FSWatcher | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly dbPath: string) {}

  private ensureWatching(): void {
    if (this.watcher) return;
    const prefix = basename(this.dbPath);
    try {
      this.watcher = watch(dirname(this.dbPath), { persistent: false }, (_event, file) => {
        if (!file || String(file).startsWith(prefix)) this.wakeAll();
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
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter();
  }

  /** Resolve on a change to the store, after `ms`, or on abort. */
  /** The watch stays open once started (it does not keep the process alive), so no commit is missed between waits. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.ensureWatching();
    return new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    this.wakeAll();
    this.stopWatching();
  }
}
