import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Waiters } from '../waiters.js';

/**
 * Cross-process wake-ups without a busy poll: every commit by any process appends to the WAL
 * file, which the directory watch sees at once. Waiters also wake at their own deadline (the
 * next due job) and on a slow safety poll, in case a watch event is missed.
 */
export class WalWatcher {
  private watcher: FSWatcher | null = null;
  private readonly waiters = new Waiters();

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
    this.waiters.wakeAll();
  }

  /** The watch stays open once started (it does not keep the process alive), so no commit is missed between waits. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.ensureWatching();
    return this.waiters.wait(ms, signal);
  }

  close(): void {
    this.wakeAll();
    this.stopWatching();
  }
}
