import { comparePositions, pageOf, scanStart } from '../failed-cursor.js';
import type { FailedPage, FailedRecord, FailedScanOptions, QueueStats } from '../types.js';
import { MemoryAuxiliary } from './auxiliary.js';

const clone = <T>(value: T): T => structuredClone(value);

/** The memory driver's queue administration and failed store. */
export abstract class MemoryQueues extends MemoryAuxiliary {
  async queueStats(): Promise<QueueStats[]> {
    this.assertOpen();
    const now = Date.now();
    const stats = new Map<string, QueueStats>();
    for (const [queue, info] of this.store.queues) {
      stats.set(queue, {
        queue,
        pending: 0,
        delayed: 0,
        reserved: 0,
        failed: 0,
        waiting: 0,
        paused: info.paused,
        processedTotal: info.processedTotal,
        failedTotal: info.failedTotal,
      });
    }
    for (const job of this.store.jobs.values()) {
      const entry = stats.get(job.envelope.queue)!;
      if (job.state === 'ready' && job.waitingOn) entry.waiting += 1;
      if (job.state === 'reserved') entry.reserved += 1;
      else if (job.availableAt > now) entry.delayed += 1;
      else entry.pending += 1;
    }
    for (const failed of this.store.failed.values()) {
      const entry = stats.get(failed.envelope.queue);
      if (entry) entry.failed += 1;
    }
    return [...stats.values()];
  }

  async queueClear(queue: string, options: { onProgress?: (cleared: number) => void } = {}): Promise<number> {
    this.assertOpen();
    let count = 0;
    for (const [id, job] of this.store.jobs) {
      if (job.envelope.queue === queue && job.state === 'ready') {
        this.store.jobs.delete(id);
        this.store.releaseUnique(job.envelope);
        count += 1;
      }
    }
    if (count > 0) options.onProgress?.(count);
    return count;
  }

  async queuePause(queue: string): Promise<void> {
    this.assertOpen();
    this.store.queue(queue).paused = true;
  }

  async queueResume(queue: string): Promise<void> {
    this.assertOpen();
    this.store.queue(queue).paused = false;
    this.store.wake();
  }

  async failedList(options: { queue?: string; limit: number; offset?: number }): Promise<FailedRecord[]> {
    this.assertOpen();
    return [...this.store.failed.values()]
      .filter((f) => !options.queue || f.envelope.queue === options.queue)
      .sort((a, b) => b.failedAt - a.failedAt || b.envelope.id.localeCompare(a.envelope.id))
      .slice(options.offset ?? 0, (options.offset ?? 0) + options.limit)
      .map((f) => this.failedRecord(f.envelope.id)!);
  }

  async failedScan(options: FailedScanOptions): Promise<FailedPage> {
    this.assertOpen();
    const start = scanStart(options);
    const position = (f: { envelope: { id: string }; failedAt: number }) => ({ at: f.failedAt, id: f.envelope.id });
    const page = [...this.store.failed.values()]
      .filter((f) => (!options.queue || f.envelope.queue === options.queue) && comparePositions(position(f), start) > 0)
      .sort((a, b) => comparePositions(position(a), position(b)))
      .slice(0, options.limit);
    const last = page.at(-1);
    return pageOf(
      page.map((f) => this.failedRecord(f.envelope.id)!),
      last && position(last),
      page.length,
      options.limit,
    );
  }

  protected failedRecord(id: string): FailedRecord | null {
    const f = this.store.failed.get(id);
    if (!f) return null;
    const e = f.envelope;
    return {
      id,
      name: e.name,
      queue: e.queue,
      connection: e.connection,
      envelope: clone(e),
      error: clone(f.error),
      failedAt: f.failedAt,
      history: clone(f.history),
    };
  }

  async failedGet(id: string): Promise<FailedRecord | null> {
    this.assertOpen();
    return this.failedRecord(id);
  }

  async failedRetry(options: { ids?: string[]; queue?: string; limit?: number }): Promise<string[]> {
    this.assertOpen();
    const s = this.store;
    const candidates = options.ids
      ? options.ids.filter((id) => s.failed.has(id))
      : [...s.failed.values()]
          .filter((f) => !options.queue || f.envelope.queue === options.queue)
          .sort((a, b) => a.failedAt - b.failedAt || a.envelope.id.localeCompare(b.envelope.id))
          .slice(0, options.limit ?? 1000)
          .map((f) => f.envelope.id);
    const now = Date.now();
    for (const id of candidates) {
      const f = s.failed.get(id)!;
      s.failed.delete(id);
      const envelope = { ...f.envelope, attempts: 0, exceptions: 0, lockWaits: 0 };
      s.putJob({
        envelope,
        state: 'ready',
        availableAt: now,
        token: null,
        reservedBy: null,
        reservedAt: null,
        history: f.history,
      });
    }
    s.appendEvents(
      candidates.map((id) => ({
        name: 'job.retried',
        jobId: id,
        queue: s.jobs.get(id)!.envelope.queue,
        jobName: s.jobs.get(id)!.envelope.name,
      })),
      now,
    );
    s.wake();
    return candidates;
  }

  async failedForget(ids: string[]): Promise<string[]> {
    this.assertOpen();
    return ids.filter((id) => this.store.failed.delete(id));
  }

  async failedFlush(options: { queue?: string } = {}): Promise<number> {
    this.assertOpen();
    let count = 0;
    for (const [id, f] of this.store.failed) {
      if (!options.queue || f.envelope.queue === options.queue) {
        this.store.failed.delete(id);
        count += 1;
      }
    }
    return count;
  }

  async failedPrune(options: { before: number }): Promise<number> {
    this.assertOpen();
    let count = 0;
    for (const [id, f] of this.store.failed) {
      if (f.failedAt < options.before) {
        this.store.failed.delete(id);
        count += 1;
      }
    }
    return count;
  }
}
