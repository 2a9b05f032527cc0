import type { AttemptRecord } from '../../core/envelope.js';
import { decodeEnvelope } from '../envelope-codec.js';
import { comparePositions, type FailedPosition, pageOf, scanStart } from '../failed-cursor.js';
import { failedJobRecord } from '../records.js';
import type { FailedPage, FailedRecord, FailedScanOptions, JobRecord, LiveJobState, QueueStats } from '../types.js';
import { RedisAuxiliary } from './auxiliary.js';

const RETRY_BATCH = 1000;

/** Reads, lists, queue administration and the failed store. */
export abstract class RedisQueries extends RedisAuxiliary {
  private liveRecord(
    where: { id: string; queue: string },
    payload: string,
    state: string | null,
    history: string | null,
    reservedScore: string | null,
    readyScore: string | null,
    now: number,
  ): JobRecord {
    const [attempts, exceptions, lockWaits, , worker, reservedAt, , waitingOn] = (state ?? '0\t0\t0').split('\t');
    const { envelope } = decodeEnvelope(payload, where);
    Object.assign(envelope, {
      attempts: Number(attempts),
      exceptions: Number(exceptions),
      lockWaits: Number(lockWaits),
    });
    const reserved = reservedScore !== null;
    const availableAt = Number(reserved ? reservedScore : readyScore);
    return {
      envelope,
      state: reserved ? 'reserved' : availableAt > now ? 'delayed' : 'pending',
      availableAt,
      reservedBy: reserved ? worker || null : null,
      reservedAt: reserved && reservedAt ? Number(reservedAt) : null,
      leaseUntil: reserved ? availableAt : null,
      history: parseList(history),
      failedAt: null,
      error: null,
      waitingOn: reserved ? null : waitingOn || null,
    };
  }

  private async readLive(queue: string, ids: string[]): Promise<JobRecord[]> {
    if (ids.length === 0) return [];
    const k = this.keys.queue(queue);
    const now = await this.now();
    const results = await this.run((r) => {
      const pipe = r.pipeline();
      for (const id of ids)
        pipe.hget(k.payload, id).hget(k.state, id).hget(k.history, id).zscore(k.reserved, id).zscore(k.ready, id);
      return pipe.exec();
    });
    const values = (results ?? []).map(([, value]) => value as string | null);
    const records: JobRecord[] = [];
    ids.forEach((id, i) => {
      const [payload, state, history, reserved, ready] = values.slice(i * 5, i * 5 + 5);
      if (payload)
        records.push(
          this.liveRecord({ id, queue }, payload, state ?? null, history ?? null, reserved ?? null, ready ?? null, now),
        );
    });
    return records;
  }

  async jobGet(id: string): Promise<JobRecord | null> {
    const queue = await this.findQueue(id);
    if (queue) return (await this.readLive(queue, [id]))[0] ?? null;
    const failed = await this.failedGet(id);
    return failed ? failedJobRecord(failed) : null;
  }

  async jobList(options: { queue: string; state: LiveJobState; limit: number; offset?: number }): Promise<JobRecord[]> {
    const k = this.keys.queue(options.queue);
    const now = await this.now();
    const offset = options.offset ?? 0;
    const ids = await this.run((r) =>
      options.state === 'reserved'
        ? r.zrange(k.reserved, String(offset), String(offset + options.limit - 1))
        : options.state === 'pending'
          ? r.zrangebyscore(k.ready, '-inf', now, 'LIMIT', offset, options.limit)
          : r.zrangebyscore(k.ready, `(${now}`, '+inf', 'LIMIT', offset, options.limit),
    );
    return this.readLive(options.queue, ids);
  }

  async jobDelete(id: string): Promise<boolean> {
    const k = await this.keysOfJob(id);
    if (!k) return false;
    return (
      (await this.call('delete', [k.ready, k.reserved, k.payload, k.state, k.history, k.unique, k.waiting], [id])) === 1
    );
  }

  async queueStats(): Promise<QueueStats[]> {
    const [queues, now] = await Promise.all([this.knownQueues(), this.now()]);
    const results = await this.perQueue(queues, (pipe, k) => {
      pipe
        .zcount(k.ready, '-inf', now)
        .zcount(k.ready, `(${now}`, '+inf')
        .zcard(k.reserved)
        .zcard(k.failed)
        .hgetall(k.stats)
        .scard(k.waiting);
    });
    return queues.map((queue, i) => {
      const [pending, delayed, reserved, failed, stats, waiting] = results[i] as [
        number,
        number,
        number,
        number,
        Record<string, string>,
        number,
      ];
      return {
        queue,
        pending,
        delayed,
        reserved,
        failed,
        waiting,
        paused: stats.paused === '1',
        processedTotal: Number(stats.processed ?? 0),
        failedTotal: Number(stats.failed ?? 0),
      };
    });
  }

  async queueClear(queue: string, options: { onProgress?: (cleared: number) => void } = {}): Promise<number> {
    const k = this.keys.queue(queue);
    let total = 0;
    for (;;) {
      const removed = (await this.call(
        'clear',
        [k.ready, k.payload, k.state, k.history, k.unique, k.waiting],
        [],
      )) as number;
      total += removed;
      if (removed > 0) options.onProgress?.(total);
      if (removed < 1000) return total;
    }
  }

  /** The flag and the registry live in different slots: two commands, sent together. */
  async queuePause(queue: string): Promise<void> {
    await this.run((r) =>
      Promise.all([r.hset(this.keys.queue(queue).stats, 'paused', '1'), r.sadd(this.keys.queues, queue)]),
    );
  }

  async queueResume(queue: string): Promise<void> {
    const k = this.keys.queue(queue);
    await this.run(async (r) => {
      if (!this.cluster)
        return r.pipeline().hset(k.stats, 'paused', '0').lpush(k.notify, '1').ltrim(k.notify, 0, 255).exec();
      await r.hset(k.stats, 'paused', '0');
      return r.publish(k.wake, '1');
    });
  }

  private async readFailed(queue: string, ids: string[]): Promise<FailedRecord[]> {
    if (ids.length === 0) return [];
    const k = this.keys.queue(queue);
    // Four HMGETs for the whole list, not four HGETs per id: a scan page reads 1,000 at once.
    const results = await this.run((r) =>
      r
        .pipeline()
        .hmget(k.failedJobs, ...ids)
        .hmget(k.failedMeta, ...ids)
        .hmget(k.failedError, ...ids)
        .hmget(k.failedHistory, ...ids)
        .exec(),
    );
    const [payloads, metas, errors, histories] = (results ?? []).map(([, value]) => value as (string | null)[]);
    const records: FailedRecord[] = [];
    ids.forEach((id, i) => {
      const [payload, meta, error, history] = [payloads?.[i], metas?.[i], errors?.[i], histories?.[i]];
      if (!payload) return;
      const [attempts, exceptions, lockWaits, failedAt] = (meta ?? '0\t0\t0\t0').split('\t');
      const { envelope } = decodeEnvelope(payload, { id, queue });
      Object.assign(envelope, {
        attempts: Number(attempts),
        exceptions: Number(exceptions),
        lockWaits: Number(lockWaits),
      });
      records.push({
        id,
        name: envelope.name,
        queue,
        connection: envelope.connection,
        envelope,
        error: error ? JSON.parse(error) : { message: 'unknown error' },
        failedAt: Number(failedAt),
        history: parseList(history ?? null),
      });
    });
    return records;
  }

  async failedList(options: { queue?: string; limit: number; offset?: number }): Promise<FailedRecord[]> {
    const offset = options.offset ?? 0;
    const queues = options.queue ? [options.queue] : await this.knownQueues();
    // Newest first across queues: take the newest offset+limit of each, then merge.
    const candidates: { queue: string; id: string; at: number }[] = [];
    for (const queue of queues) {
      const flat = await this.run((r) =>
        r.zrevrange(this.keys.queue(queue).failed, 0, offset + options.limit - 1, 'WITHSCORES'),
      );
      for (let i = 0; i < flat.length; i += 2) candidates.push({ queue, id: flat[i]!, at: Number(flat[i + 1]) });
    }
    const page = candidates
      .sort((a, b) => b.at - a.at || b.id.localeCompare(a.id))
      .slice(offset, offset + options.limit);
    const records: FailedRecord[] = [];
    for (const entry of page) records.push(...(await this.readFailed(entry.queue, [entry.id])));
    return records;
  }

  async failedGet(id: string): Promise<FailedRecord | null> {
    const queue = await this.findQueue(id, 'failed');
    return queue ? ((await this.readFailed(queue, [id]))[0] ?? null) : null;
  }

  private async retryIn(queue: string, ids: string[] | null, limit: number): Promise<string[]> {
    const k = this.keys.queue(queue);
    const done = (await this.call(
      'retry',
      [
        k.failed,
        k.failedJobs,
        k.ready,
        k.payload,
        k.state,
        k.history,
        k.notify,
        this.eventsKey(k),
        k.failedMeta,
        k.failedError,
        k.failedHistory,
      ],
      [ids ? JSON.stringify(ids) : '', limit, this.scriptMaxLen, queue, this.wakeChannel(k)],
    )) as string[];
    await this.afterStep(done.map((id) => ({ name: 'job.retried', queue, jobId: id })));
    return done;
  }

  async failedScan(options: FailedScanOptions): Promise<FailedPage> {
    const start = scanStart(options);
    const queues = options.queue ? [options.queue] : await this.knownQueues();
    // Each queue's next ids (one read-only script in its slot), merged into one oldest-first page.
    const perQueue = await Promise.all(
      queues.map(async (queue) => {
        const flat = (await this.call(
          'failedScan',
          [this.keys.queue(queue).failed],
          [start.at, start.id, options.limit],
        )) as string[];
        const entries: (FailedPosition & { queue: string })[] = [];
        for (let i = 0; i < flat.length; i += 2) entries.push({ queue, id: flat[i]!, at: Number(flat[i + 1]) });
        return entries;
      }),
    );
    const page = perQueue.flat().sort(comparePositions).slice(0, options.limit);
    const byQueue = groupBy(page, (entry) => entry.queue);
    const read = new Map<string, FailedRecord>();
    await Promise.all(
      [...byQueue].map(async ([queue, entries]) => {
        for (const record of await this.readFailed(
          queue,
          entries.map((e) => e.id),
        ))
          read.set(record.id, record);
      }),
    );
    // A record retried or forgotten between the two reads is left out; the cursor still moves past it.
    const records = page.map((entry) => read.get(entry.id)).filter((r) => r !== undefined);
    return pageOf(records, page.at(-1), page.length, options.limit);
  }

  /** The queue of each failed id (unknown ids left out): one ZMSCORE per known queue, sent together. */
  private async failedQueues(ids: string[]): Promise<Map<string, string[]>> {
    const groups = new Map<string, string[]>();
    if (ids.length === 0) return groups;
    const queues = await this.knownQueues();
    const found = await this.perQueue(queues, (pipe, k) => {
      pipe.zmscore(k.failed, ...ids);
    });
    const seen = new Set<string>();
    found.forEach(([scores], q) => {
      ids.forEach((id, i) => {
        if ((scores as (string | null)[])[i] === null || seen.has(id)) return;
        seen.add(id);
        const group = groups.get(queues[q]!);
        if (group) group.push(id);
        else groups.set(queues[q]!, [id]);
      });
    });
    return groups;
  }

  async failedRetry(options: { ids?: string[]; queue?: string; limit?: number }): Promise<string[]> {
    if (options.ids) {
      // One script per queue for the whole list, not one per id: bulk retries send ~1,000 at once.
      const done = new Set<string>();
      for (const [queue, ids] of await this.failedQueues(options.ids))
        for (const id of await this.retryIn(queue, ids, ids.length)) done.add(id);
      return options.ids.filter((id) => done.has(id));
    }
    const limit = options.limit ?? RETRY_BATCH;
    const done: string[] = [];
    for (const queue of options.queue ? [options.queue] : await this.knownQueues()) {
      if (done.length >= limit) break;
      done.push(...(await this.retryIn(queue, null, limit - done.length)));
    }
    return done;
  }

  async failedForget(ids: string[]): Promise<string[]> {
    const removed = new Set<string>();
    for (const [queue, group] of await this.failedQueues(ids)) {
      const k = this.keys.queue(queue);
      await this.run((r) =>
        r
          .multi()
          .zrem(k.failed, ...group)
          .hdel(k.failedJobs, ...group)
          .hdel(k.failedMeta, ...group)
          .hdel(k.failedError, ...group)
          .hdel(k.failedHistory, ...group)
          .exec(),
      );
      for (const id of group) removed.add(id);
    }
    return ids.filter((id) => removed.has(id));
  }

  async failedFlush(options: { queue?: string } = {}): Promise<number> {
    let total = 0;
    for (const queue of options.queue ? [options.queue] : await this.knownQueues()) {
      const k = this.keys.queue(queue);
      const result = await this.run((r) =>
        r.multi().zcard(k.failed).del(k.failed, k.failedJobs, k.failedMeta, k.failedError, k.failedHistory).exec(),
      );
      total += Number(result?.[0]?.[1] ?? 0);
    }
    return total;
  }

  async failedPrune(options: { before: number }): Promise<number> {
    let total = 0;
    for (const queue of await this.knownQueues()) {
      const k = this.keys.queue(queue);
      for (;;) {
        const ids = await this.run((r) => r.zrangebyscore(k.failed, '-inf', `(${options.before}`, 'LIMIT', 0, 1000));
        if (ids.length === 0) break;
        await this.run((r) =>
          r
            .multi()
            .zrem(k.failed, ...ids)
            .hdel(k.failedJobs, ...ids)
            .hdel(k.failedMeta, ...ids)
            .hdel(k.failedError, ...ids)
            .hdel(k.failedHistory, ...ids)
            .exec(),
        );
        total += ids.length;
      }
    }
    return total;
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

function parseList(raw: string | null): AttemptRecord[] {
  if (!raw) return [];
  const value = JSON.parse(raw) as unknown;
  return Array.isArray(value) ? (value as AttemptRecord[]) : [];
}
