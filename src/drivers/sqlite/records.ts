import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { type MetricRow, mergeRow } from '../../core/metrics.js';
import { applyBatchOutcome } from '../batch-record.js';
import type { BatchState, Diagnosis } from '../types.js';
import { SqliteAuxiliary } from './auxiliary.js';
import type { WalWatcher } from './wake.js';

/** Batches and per-minute metrics (records updated in place, each in one transaction), and health checks. */
export abstract class SqliteRecords extends SqliteAuxiliary {
  private readonly r;

  constructor(db: Database.Database, watcher: WalWatcher) {
    super(db, watcher);
    const p = (sql: string) => db.prepare(sql);
    this.r = {
      batchGet: p('SELECT data FROM batches WHERE id = ?'),
      batchPut: p('INSERT OR REPLACE INTO batches (id, created_at, data) VALUES (?, ?, ?)'),
      batchList: p('SELECT data FROM batches ORDER BY created_at DESC, id DESC LIMIT ?'),
      metricGet: p('SELECT data FROM metrics WHERE minute = ? AND queue = ? AND job = ?'),
      metricPut: p('INSERT OR REPLACE INTO metrics (minute, queue, job, data) VALUES (?, ?, ?, ?)'),
      metricsSince: p('SELECT data FROM metrics WHERE minute >= ? ORDER BY minute'),
      metricsPrune: p('DELETE FROM metrics WHERE minute < ?'),
    };
  }

  async batchCreate(batch: BatchState): Promise<void> {
    this.write(() => this.r.batchPut.run(batch.id, batch.createdAt, JSON.stringify(batch)));
  }

  /** Read, apply and write back inside one BEGIN IMMEDIATE transaction: no other writer interleaves. */
  async batchRecord(options: { id: string; jobId: string; outcome: 'succeeded' | 'failed' }) {
    return this.write(() => {
      const row = this.r.batchGet.get(options.id) as { data: string } | undefined;
      if (!row) return null;
      const next = applyBatchOutcome(JSON.parse(row.data) as BatchState, options.jobId, options.outcome);
      const { firstFailure: _first, ...state } = next;
      this.r.batchPut.run(state.id, state.createdAt, JSON.stringify(state));
      return next;
    });
  }

  async batchGet(id: string): Promise<BatchState | null> {
    return this.read(() => {
      const row = this.r.batchGet.get(id) as { data: string } | undefined;
      return row ? (JSON.parse(row.data) as BatchState) : null;
    });
  }

  async batchCancel(id: string): Promise<BatchState | null> {
    return this.write(() => {
      const row = this.r.batchGet.get(id) as { data: string } | undefined;
      if (!row) return null;
      const state = JSON.parse(row.data) as BatchState;
      state.cancelledAt ??= this.clock();
      this.r.batchPut.run(state.id, state.createdAt, JSON.stringify(state));
      return state;
    });
  }

  async batchList(options: { limit: number }): Promise<BatchState[]> {
    return this.read(() =>
      (this.r.batchList.all(options.limit) as { data: string }[]).map((r) => JSON.parse(r.data) as BatchState),
    );
  }

  async metricsAdd(rows: MetricRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.write(() => {
      for (const row of rows) {
        const stored = this.r.metricGet.get(row.minute, row.queue, row.job) as { data: string } | undefined;
        const merged = stored ? mergeRow(JSON.parse(stored.data) as MetricRow, row) : row;
        this.r.metricPut.run(row.minute, row.queue, row.job, JSON.stringify(merged));
      }
      this.r.metricsPrune.run(this.clock() - 86_400_000);
    });
  }

  async metricsRead(options: { since: number }): Promise<MetricRow[]> {
    return this.read(() =>
      (this.r.metricsSince.all(options.since) as { data: string }[]).map((r) => JSON.parse(r.data) as MetricRow),
    );
  }

  async diagnose(): Promise<Diagnosis[]> {
    const journal = String(this.db.pragma('journal_mode', { simple: true }));
    const integrity = String(this.db.pragma('quick_check', { simple: true }));
    const mode = statSync(this.db.name).mode & 0o777;
    const free = statfsSync(dirname(this.db.name));
    const freeMb = Math.round((free.bavail * free.bsize) / 1024 / 1024);
    return [
      {
        check: 'sqlite version',
        ok: true,
        detail: String((this.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v),
      },
      {
        check: 'journal mode',
        ok: journal === 'wal',
        detail: journal,
        fix: 'open the store with qtool once more (it sets WAL), or PRAGMA journal_mode=WAL',
      },
      {
        check: 'integrity',
        ok: integrity === 'ok',
        detail: integrity,
        fix: 'restore the file from a backup; run PRAGMA integrity_check for details',
      },
      { check: 'file mode', ok: (mode & 0o077) === 0, detail: mode.toString(8), fix: `chmod 600 ${this.db.name}` },
      {
        check: 'free disk',
        ok: freeMb >= 100,
        detail: `${freeMb} MB`,
        fix: 'free disk space: SQLite needs room for its WAL and checkpoints',
      },
    ];
  }
}
