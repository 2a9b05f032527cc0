import { type MetricRow, mergeRow, rowKey } from '../../core/metrics.js';
import { applyBatchOutcome } from '../batch-record.js';
import { DriverError } from '../errors.js';
import type {
  BatchState,
  CounterState,
  Driver,
  EventInput,
  LockRecord,
  StoredEvent,
  WorkerInfo,
  WorkerRecord,
} from '../types.js';
import type { MemoryStore } from './store.js';

/**
 * The memory driver's non-job steps: locks, counters, unique keys, events, workers and meta.
 * Split from the job steps only to keep files small; the driver class extends it.
 */
export abstract class MemoryAuxiliary {
  private closed = false;

  constructor(protected readonly store: MemoryStore) {}

  protected assertOpen(): void {
    if (this.closed) throw new DriverError('CLOSED', 'the memory driver is closed');
  }

  async lockAcquire(options: {
    key: string;
    owner: string;
    ttlMs: number | null;
    jobId?: string;
    workerId?: string;
  }): Promise<boolean> {
    this.assertOpen();
    const now = Date.now();
    const held = this.store.locks.get(options.key);
    if (held && (held.expiresAt === null || held.expiresAt > now)) return false;
    this.store.locks.set(options.key, {
      owner: options.owner,
      jobId: options.jobId ?? null,
      workerId: options.workerId ?? null,
      acquiredAt: now,
      expiresAt: options.ttlMs === null ? null : now + options.ttlMs,
    });
    return true;
  }

  async lockRelease(options: { key: string; owner: string }): Promise<boolean> {
    this.assertOpen();
    const held = this.store.locks.get(options.key);
    if (!held || held.owner !== options.owner) return false;
    this.store.locks.delete(options.key);
    return true;
  }

  async lockForceRelease(keys: string[]): Promise<string[]> {
    this.assertOpen();
    const now = Date.now();
    return keys.filter((key) => {
      const held = this.store.locks.get(key);
      const live = held && (held.expiresAt === null || held.expiresAt > now);
      this.store.locks.delete(key);
      return Boolean(live);
    });
  }

  async lockList(): Promise<LockRecord[]> {
    this.assertOpen();
    const now = Date.now();
    return [...this.store.locks.entries()]
      .filter(([, l]) => l.expiresAt === null || l.expiresAt > now)
      .map(([key, l]) => ({ key, ...l }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async counterHit(options: Parameters<Driver['counterHit']>[0]): Promise<CounterState> {
    this.assertOpen();
    const now = Date.now();
    let counter = this.store.counters.get(options.key);
    if (!counter || counter.expiresAt <= now) {
      counter = { count: 0, startedAt: now, expiresAt: now + options.decayMs, meta: options.meta ?? null };
      this.store.counters.set(options.key, counter);
    }
    if (options.limit !== undefined && counter.count >= options.limit) {
      return { key: options.key, ...counter, meta: counter.meta, allowed: false };
    }
    counter.count += 1;
    return { key: options.key, ...counter, allowed: true };
  }

  async counterGet(key: string): Promise<CounterState | null> {
    this.assertOpen();
    const counter = this.store.counters.get(key);
    if (!counter || counter.expiresAt <= Date.now()) return null;
    return { key, ...counter, allowed: true };
  }

  async counterClear(key: string): Promise<boolean> {
    this.assertOpen();
    const counter = this.store.counters.get(key);
    this.store.counters.delete(key);
    return Boolean(counter && counter.expiresAt > Date.now());
  }

  async counterList(): Promise<CounterState[]> {
    this.assertOpen();
    const now = Date.now();
    return [...this.store.counters.entries()]
      .filter(([, c]) => c.expiresAt > now)
      .map(([key, c]) => ({ key, ...c, allowed: true }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async uniqueRelease(options: { key: string; owner: string }): Promise<boolean> {
    this.assertOpen();
    if (this.store.uniqueHolder(options.key, Date.now()) !== options.owner) return false;
    this.store.unique.delete(options.key);
    return true;
  }

  async idempotencyGet(options: { key: string; queue: string }): Promise<string | null> {
    this.assertOpen();
    const seen = this.store.idempotency.get(options.key);
    return seen && seen.expiresAt > Date.now() ? seen.id : null;
  }

  async uniqueGet(key: string): Promise<{ key: string; owner: string; expiresAt: number | null } | null> {
    this.assertOpen();
    const owner = this.store.uniqueHolder(key, Date.now());
    return owner ? { key, owner, expiresAt: this.store.unique.get(key)!.expiresAt } : null;
  }

  async eventsRead(options: {
    afterId: string | null;
    limit: number;
    blockMs?: number;
    signal?: AbortSignal;
  }): Promise<StoredEvent[]> {
    const deadline = Date.now() + (options.blockMs ?? 0);
    for (;;) {
      this.assertOpen();
      const after = options.afterId;
      const events = this.store.events.filter((e) => after === null || e.id > after).slice(0, options.limit);
      if (events.length > 0 || options.signal?.aborted || Date.now() >= deadline) return structuredClone(events);
      await this.store.waitForChange(deadline - Date.now(), options.signal);
    }
  }

  async eventsStartAfter(since?: number): Promise<string | null> {
    this.assertOpen();
    const events = this.store.events;
    const first = since === undefined ? -1 : events.findIndex((e) => e.time >= since);
    if (first >= 0) return first === 0 ? null : events[first - 1]!.id;
    return events.at(-1)?.id ?? null;
  }

  async eventsAppend(events: EventInput[]): Promise<void> {
    this.assertOpen();
    this.store.appendEvents(events, Date.now());
  }

  async workerBeat(info: WorkerInfo): Promise<void> {
    this.assertOpen();
    const record: WorkerRecord = { ...structuredClone(info), lastBeatAt: Date.now() };
    this.store.workers.set(info.id, record);
  }

  async workerList(options: { sinceMs?: number } = {}): Promise<WorkerRecord[]> {
    this.assertOpen();
    const now = Date.now();
    return [...this.store.workers.values()]
      .filter((w) => options.sinceMs === undefined || now - w.lastBeatAt <= options.sinceMs)
      .map((w) => structuredClone(w));
  }

  async workerRemove(id: string): Promise<void> {
    this.assertOpen();
    this.store.workers.delete(id);
  }

  async batchCreate(batch: BatchState): Promise<void> {
    this.assertOpen();
    this.store.batches.set(batch.id, structuredClone(batch));
  }

  async batchRecord(options: { id: string; jobId: string; outcome: 'succeeded' | 'failed' }) {
    this.assertOpen();
    const batch = this.store.batches.get(options.id);
    if (!batch) return null;
    const next = applyBatchOutcome(batch, options.jobId, options.outcome);
    const { firstFailure: _first, ...state } = next;
    this.store.batches.set(options.id, state);
    return structuredClone(next);
  }

  async batchGet(id: string): Promise<BatchState | null> {
    this.assertOpen();
    const batch = this.store.batches.get(id);
    return batch ? structuredClone(batch) : null;
  }

  async batchCancel(id: string): Promise<BatchState | null> {
    this.assertOpen();
    const batch = this.store.batches.get(id);
    if (!batch) return null;
    batch.cancelledAt ??= Date.now();
    return structuredClone(batch);
  }

  async batchList(options: { limit: number }): Promise<BatchState[]> {
    this.assertOpen();
    return [...this.store.batches.values()]
      .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id))
      .slice(0, options.limit)
      .map((b) => structuredClone(b));
  }

  async metricsAdd(rows: MetricRow[]): Promise<void> {
    this.assertOpen();
    const horizon = Date.now() - 86_400_000;
    for (const row of rows) {
      const key = rowKey(row);
      const stored = this.store.metrics.get(key);
      if (stored) mergeRow(stored, row);
      else this.store.metrics.set(key, structuredClone(row));
    }
    for (const [key, row] of this.store.metrics) if (row.minute < horizon) this.store.metrics.delete(key);
  }

  async metricsRead(options: { since: number }): Promise<MetricRow[]> {
    this.assertOpen();
    return [...this.store.metrics.values()]
      .filter((row) => row.minute >= options.since)
      .map((row) => structuredClone(row));
  }

  async metaGet(key: string): Promise<string | null> {
    this.assertOpen();
    return this.store.meta.get(key) ?? null;
  }

  async metaSet(key: string, value: string): Promise<void> {
    this.assertOpen();
    this.store.meta.set(key, value);
  }

  async diagnose() {
    return [{ check: 'store', ok: true, detail: 'in-process memory store (jobs live as long as this process)' }];
  }

  async now(): Promise<number> {
    return Date.now();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.store.wake();
  }
}
