import { emptyRow, type MetricRow, RUNTIME_BOUNDS_MS } from '../../core/metrics.js';
import { eventsAfterInside, expandShared, isSharedEvent, parseSharedId } from '../shared-events.js';
import type {
  BatchState,
  CounterMeta,
  CounterState,
  Diagnosis,
  EventInput,
  LockRecord,
  StoredEvent,
  WorkerInfo,
  WorkerRecord,
} from '../types.js';
import { RedisBase } from './base.js';

const METRIC_FIELDS = ['processed', 'failed', 'released', 'runtimeSumMs', 'waitSumMs', 'waitCount'] as const;
const MINUTE_MS = 60_000;

/** Locks, counters, unique keys, events, workers, meta and metrics. */
export abstract class RedisAuxiliary extends RedisBase {
  async lockAcquire(options: {
    key: string;
    owner: string;
    ttlMs: number | null;
    jobId?: string;
    workerId?: string;
  }): Promise<boolean> {
    const ok = await this.call(
      'lockAcquire',
      [this.keys.locks, this.keys.lockExpiry],
      [options.key, options.owner, options.ttlMs ?? -1, options.jobId ?? '', options.workerId ?? ''],
    );
    return ok === 1;
  }

  async lockRelease(options: { key: string; owner: string }): Promise<boolean> {
    return (await this.call('lockRelease', [this.keys.locks], [options.key, options.owner])) === 1;
  }

  async lockForceRelease(keys: string[]): Promise<string[]> {
    const held = await this.lockList();
    const live = new Set(held.map((l) => l.key));
    if (keys.length) await this.run((r) => r.hdel(this.keys.locks, ...keys));
    return keys.filter((k) => live.has(k));
  }

  async lockList(): Promise<LockRecord[]> {
    const [all, now] = await Promise.all([this.run((r) => r.hgetall(this.keys.locks)), this.now()]);
    return Object.entries(all)
      .map(([key, raw]) => {
        const l = JSON.parse(raw) as {
          owner: string;
          jobId: string;
          workerId: string;
          acquiredAt: number;
          expiresAt: number | null;
        };
        return {
          key,
          owner: l.owner,
          jobId: l.jobId || null,
          workerId: l.workerId || null,
          acquiredAt: l.acquiredAt,
          expiresAt: l.expiresAt ?? null,
        };
      })
      .filter((l) => l.expiresAt === null || l.expiresAt > now)
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async counterHit(options: {
    key: string;
    decayMs: number;
    limit?: number;
    meta?: CounterMeta;
  }): Promise<CounterState> {
    const [raw, allowed] = (await this.call(
      'counterHit',
      [this.keys.counters, this.keys.counterExpiry],
      [options.key, options.decayMs, options.limit ?? -1, options.meta ? JSON.stringify(options.meta) : ''],
    )) as [string, number];
    return toCounter(options.key, raw, allowed === 1);
  }

  async counterGet(key: string): Promise<CounterState | null> {
    const [raw, now] = await Promise.all([this.run((r) => r.hget(this.keys.counters, key)), this.now()]);
    if (!raw) return null;
    const counter = toCounter(key, raw, true);
    return counter.expiresAt > now ? counter : null;
  }

  async counterClear(key: string): Promise<boolean> {
    const live = await this.counterGet(key);
    await this.run((r) => r.hdel(this.keys.counters, key));
    return live !== null;
  }

  async counterList(): Promise<CounterState[]> {
    const [all, now] = await Promise.all([this.run((r) => r.hgetall(this.keys.counters)), this.now()]);
    return Object.entries(all)
      .map(([key, raw]) => toCounter(key, raw, true))
      .filter((c) => c.expiresAt > now)
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Unique keys live with their queue (so push can claim them atomically): look in each. */
  async uniqueRelease(options: { key: string; owner: string }): Promise<boolean> {
    for (const queue of await this.knownQueues()) {
      if ((await this.call('uniqueRelease', [this.keys.queue(queue).unique], [options.key, options.owner])) === 1)
        return true;
    }
    return false;
  }

  /** Idempotency keys live with their queue (see docs/redis.md). */
  async idempotencyGet(options: { key: string; queue: string }): Promise<string | null> {
    const [raw, now] = await Promise.all([
      this.run((r) => r.hget(this.keys.queue(options.queue).idempotency, options.key)),
      this.now(),
    ]);
    if (!raw) return null;
    const [id, expires] = raw.split('\t');
    return Number(expires) > now ? (id ?? null) : null;
  }

  async uniqueGet(key: string): Promise<{ key: string; owner: string; expiresAt: number | null } | null> {
    const now = await this.now();
    for (const queue of await this.knownQueues()) {
      const raw = await this.run((r) => r.hget(this.keys.queue(queue).unique, key));
      if (!raw) continue;
      const [owner, expires] = raw.split('\t');
      const expiresAt = expires ? Number(expires) : null;
      if (expiresAt === null || expiresAt > now) return { key, owner: owner!, expiresAt };
    }
    return null;
  }

  async eventsRead(options: {
    afterId: string | null;
    limit: number;
    blockMs?: number;
    signal?: AbortSignal;
  }): Promise<StoredEvent[]> {
    // An id inside a shared entry (shared-events.ts) resumes within it: read it again.
    const inside = options.afterId ? parseSharedId(options.afterId) : null;
    let start = inside ? inside.storedId : `(${options.afterId ?? '0-0'}`;
    for (;;) {
      const entries = await this.run((r) => r.xrange(this.keys.events, start, '+', 'COUNT', options.limit));
      const events = eventsAfterInside(entries.map(toEvents), inside, options.limit);
      if (events.length > 0) return events;
      if (entries.length === 0) break;
      // Only the entry resumed in, already read to its end: go on after it.
      start = `(${entries[entries.length - 1]![0]}`;
    }
    if (!options.blockMs || options.signal?.aborted) return [];
    const after = inside ? inside.storedId : (options.afterId ?? '0-0');
    const blockMs = Math.max(1, options.blockMs);
    const result = await this.waits.withBlocker(
      options.signal,
      (blocker) => blocker.xread('COUNT', options.limit, 'BLOCK', blockMs, 'STREAMS', this.keys.events, after),
      blockMs,
    );
    return eventsAfterInside((result?.[0]?.[1] ?? []).map(toEvents), null, options.limit);
  }

  async eventsStartAfter(since?: number): Promise<string | null> {
    const newest = async () => (await this.run((r) => r.xrevrange(this.keys.events, '+', '-', 'COUNT', 1)))[0]?.[0];
    if (since === undefined) return (await newest()) ?? null;
    // Entry ids start with the server's time in ms: the first at or after it, and the one before.
    const [first] = await this.run((r) =>
      r.xrange(this.keys.events, `${Math.max(0, Math.floor(since))}`, '+', 'COUNT', 1),
    );
    if (!first) return (await newest()) ?? null;
    const [before] = await this.run((r) => r.xrevrange(this.keys.events, `(${first[0]}`, '-', 'COUNT', 1));
    return before?.[0] ?? null;
  }

  async eventsAppend(events: EventInput[]): Promise<void> {
    if (events.length === 0) return;
    await this.run((r) => {
      const pipe = r.pipeline();
      // As the scripts do: append untrimmed, trim once (see common.lua, append_event).
      for (const e of events) pipe.xadd(this.keys.events, '*', 'e', JSON.stringify(e));
      pipe.xtrim(this.keys.events, 'MAXLEN', '~', this.eventsMaxLen);
      return pipe.exec();
    });
  }

  async workerBeat(info: WorkerInfo): Promise<void> {
    await this.call('beat', [this.keys.workers], [info.id, JSON.stringify(info)]);
  }

  async workerList(options: { sinceMs?: number } = {}): Promise<WorkerRecord[]> {
    const [all, now] = await Promise.all([this.run((r) => r.hgetall(this.keys.workers)), this.now()]);
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as WorkerRecord)
      .filter((w) => options.sinceMs === undefined || now - w.lastBeatAt <= options.sinceMs)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async workerRemove(id: string): Promise<void> {
    await this.run((r) => r.hdel(this.keys.workers, id));
  }

  async metaGet(key: string): Promise<string | null> {
    return this.run((r) => r.hget(this.keys.meta, key));
  }

  async metaSet(key: string, value: string): Promise<void> {
    await this.run((r) => r.hset(this.keys.meta, key, value));
  }

  async batchCreate(batch: BatchState): Promise<void> {
    const { pending, failed, failedIds: _ids, cancelledAt: _c, ...fixed } = batch;
    await this.run((r) =>
      r
        .multi()
        .hset(this.keys.batches, batch.id, JSON.stringify(fixed))
        .hset(this.keys.batchCounters, `${batch.id}:pending`, pending, `${batch.id}:failed`, failed)
        .zadd(this.keys.batchIndex, batch.createdAt, batch.id)
        .exec(),
    );
  }

  async batchRecord(options: { id: string; jobId: string; outcome: 'succeeded' | 'failed' }) {
    const result = (await this.call(
      'batchRecord',
      [this.keys.batches, this.keys.batchCounters, this.keys.batchFailed(options.id)],
      [options.id, options.jobId, options.outcome],
    )) as [number, number, number] | null;
    if (!result) return null;
    const state = await this.batchGet(options.id);
    return state ? { ...state, firstFailure: result[2] === 1 } : null;
  }

  async batchGet(id: string): Promise<BatchState | null> {
    const [fixed, counters, failedIds] = await this.run((r) =>
      Promise.all([
        r.hget(this.keys.batches, id),
        r.hmget(this.keys.batchCounters, `${id}:pending`, `${id}:failed`, `${id}:cancelledAt`),
        r.smembers(this.keys.batchFailed(id)),
      ]),
    );
    if (!fixed) return null;
    const [pending, failed, cancelledAt] = counters;
    return {
      ...(JSON.parse(fixed) as BatchState),
      pending: Number(pending ?? 0),
      failed: Number(failed ?? 0),
      failedIds: failedIds.sort(),
      cancelledAt: cancelledAt ? Number(cancelledAt) : null,
    };
  }

  async batchCancel(id: string): Promise<BatchState | null> {
    if (!(await this.run((r) => r.hexists(this.keys.batches, id)))) return null;
    const now = await this.now();
    await this.run((r) => r.hsetnx(this.keys.batchCounters, `${id}:cancelledAt`, now));
    return this.batchGet(id);
  }

  async batchList(options: { limit: number }): Promise<BatchState[]> {
    const ids = await this.run((r) => r.zrevrange(this.keys.batchIndex, 0, options.limit - 1));
    const states = await Promise.all(ids.map((id) => this.batchGet(id)));
    return states.filter((s): s is BatchState => s !== null);
  }

  async diagnose(): Promise<Diagnosis[]> {
    const info = await this.run((r) => r.info('server'));
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    const [major = 0, minor = 0] = version.split('.').map(Number);
    const mode = /redis_mode:(\S+)/.exec(info)?.[1] ?? 'standalone';
    return [
      {
        check: 'redis version',
        ok: major > 6 || (major === 6 && minor >= 2),
        detail: version,
        fix: 'qtool needs Redis 6.2 or newer',
      },
      { check: 'redis mode', ok: true, detail: mode },
      await this.persistence(),
    ];
  }

  /** How much a Redis crash can lose (docs/guarantees.md); informational, managed servers may hide CONFIG. */
  private async persistence(): Promise<Diagnosis> {
    const info = await this.run((r) => r.info('persistence'));
    const aof = /aof_enabled:1/.test(info);
    let fsync = '?';
    let snapshots = '?';
    try {
      const reply = (await this.run((r) => r.call('CONFIG', 'GET', 'appendfsync'))) as string[];
      fsync = reply[1] ?? '?';
      snapshots = ((await this.run((r) => r.call('CONFIG', 'GET', 'save'))) as string[])[1] || 'off';
    } catch {
      // CONFIG is often disabled on managed Redis; INFO alone still tells whether AOF is on.
    }
    const detail = aof
      ? `AOF on, appendfsync ${fsync}${fsync === 'always' ? '' : ': a crash can lose up to 1 s of acknowledged writes'}`
      : snapshots === 'off'
        ? 'AOF and RDB snapshots off: a Redis restart empties every queue'
        : `AOF off, RDB snapshots "${snapshots}": a Redis crash loses what changed since the last snapshot`;
    return { check: 'redis persistence', ok: true, detail };
  }

  /** One hash per minute; HINCRBY keeps every field's addition atomic without a script. */
  async metricsAdd(rows: MetricRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.run((r) => {
      const pipe = r.pipeline();
      for (const row of rows) {
        const key = this.keys.metrics(row.minute);
        const base = `${row.queue}\t${row.job}\t`;
        for (const field of METRIC_FIELDS) if (row[field]) pipe.hincrby(key, base + field, Math.round(row[field]));
        row.histogram.forEach((count, i) => {
          if (count) pipe.hincrby(key, `${base}h${i}`, count);
        });
        pipe.pexpire(key, 25 * 3_600_000);
      }
      return pipe.exec();
    });
  }

  async metricsRead(options: { since: number }): Promise<MetricRow[]> {
    const now = await this.now();
    const minutes: number[] = [];
    for (
      let m = Math.floor(Math.max(options.since, now - 86_400_000) / MINUTE_MS) * MINUTE_MS;
      m <= now;
      m += MINUTE_MS
    ) {
      if (m >= options.since) minutes.push(m);
    }
    const results = await this.run((r) => {
      const pipe = r.pipeline();
      for (const m of minutes) pipe.hgetall(this.keys.metrics(m));
      return pipe.exec();
    });
    const rows: MetricRow[] = [];
    minutes.forEach((minute, i) => {
      const fields = (results?.[i]?.[1] ?? {}) as Record<string, string>;
      const byKey = new Map<string, MetricRow>();
      for (const [name, value] of Object.entries(fields)) {
        const [queue, job, field] = name.split('\t') as [string, string, string];
        const key = `${queue}\t${job}`;
        let row = byKey.get(key);
        if (!row) {
          row = emptyRow(minute, queue, job);
          byKey.set(key, row);
        }
        if (field.startsWith('h') && field !== 'h') {
          const index = Number(field.slice(1));
          if (index <= RUNTIME_BOUNDS_MS.length) row.histogram[index] = Number(value);
        } else if ((METRIC_FIELDS as readonly string[]).includes(field)) {
          row[field as (typeof METRIC_FIELDS)[number]] = Number(value);
        }
      }
      rows.push(...byKey.values());
    });
    return rows;
  }
}

function toCounter(key: string, raw: string, allowed: boolean): CounterState {
  const c = JSON.parse(raw) as { count: number; startedAt: number; expiresAt: number; meta: CounterMeta | null };
  return { key, count: c.count, startedAt: c.startedAt, expiresAt: c.expiresAt, allowed, meta: c.meta ?? null };
}

/** The entry's event, or each job's of a shared job.dispatched entry (push.lua). */
function toEvents([id, fields]: [string, string[]]): { id: string; events: StoredEvent[] } {
  const map: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
  const event = JSON.parse(map.e ?? '{}') as EventInput;
  // An entry is timed by its id (the server's clock when it was appended); older entries carry a `t`.
  const time = map.t !== undefined ? Number(map.t) : Number(id.slice(0, id.indexOf('-')));
  if (isSharedEvent(event)) return { id, events: expandShared(id, time, event) };
  const stored: StoredEvent = {
    id,
    time,
    name: event.name,
    queue: event.queue ?? null,
    jobId: event.jobId ?? null,
    jobName: event.jobName ?? null,
    attempt: event.attempt ?? null,
    workerId: event.workerId ?? null,
    durationMs: event.durationMs ?? null,
    details: event.details,
  };
  return { id, events: [stored] };
}
