import type { JobEnvelope } from '../../core/envelope.js';
import { newToken } from '../../core/ids.js';
import { DriverError } from '../errors.js';
import type {
  AckOptions,
  Driver,
  EventInput,
  FailOptions,
  PushOptions,
  PushResult,
  ReleaseOptions,
  ReservedJob,
  ReserveOptions,
} from '../types.js';
import { maskRedisUrl } from './connection.js';
import { RedisQueries } from './queries.js';

const DAY_MS = 86_400_000;

export interface RedisDriverOptions {
  url?: string;
  /** Key prefix (default `qtool:`); every key of one queue also carries the `{queue}` hash tag. */
  prefix?: string;
  /** Approximate cap of the events stream (XADD MAXLEN ~). */
  eventsMaxLen?: number;
  connectTimeoutMs?: number;
  /** Long-running processes: reconnect with backoff instead of failing fast. */
  reconnect?: boolean;
}

/**
 * The Redis store: one Lua script per state change (loaded once, called by SHA), the server's
 * TIME as the clock, a blocking pop on per-queue notify lists instead of polling.
 */
export class RedisDriver extends RedisQueries implements Driver {
  readonly kind = 'redis';
  readonly description: string;
  readonly capabilities = { crossProcess: true, blockingReserve: true, inline: false, cluster: false };

  constructor(options: RedisDriverOptions = {}) {
    const url = options.url ?? 'redis://127.0.0.1:6379/0';
    super({
      url,
      prefix: options.prefix ?? 'qtool:',
      eventsMaxLen: options.eventsMaxLen ?? 100_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 2000,
      reconnect: options.reconnect ?? false,
    });
    this.description = maskRedisUrl(url);
  }

  private eventsById(events: EventInput[] | undefined): Record<string, EventInput[]> {
    const byId: Record<string, EventInput[]> = {};
    for (const event of events ?? []) {
      const id = event.jobId ?? '';
      byId[id] = [...(byId[id] ?? []), event];
    }
    return byId;
  }

  async jobPush(envelopes: JobEnvelope[], options: PushOptions = {}): Promise<PushResult[]> {
    const ids = new Set<string>();
    for (const e of envelopes) {
      if (ids.has(e.id)) throw new DriverError('INVALID', `job id ${e.id} already exists`);
      ids.add(e.id);
    }
    const byQueue = new Map<string, JobEnvelope[]>();
    for (const e of envelopes) byQueue.set(e.queue, [...(byQueue.get(e.queue) ?? []), e]);
    const events = this.eventsById(options.events);
    const results = new Map<string, PushResult>();
    // One script per queue: all or none within a queue (its keys share one slot).
    for (const [queue, list] of byQueue) {
      const k = this.keys.queue(queue);
      const jobs = list.map((e) => [
        e.id,
        e.availableAt,
        JSON.stringify(e),
        e.unique?.key ?? '',
        e.unique ? (e.unique.ttl === null ? -1 : Math.round(e.unique.ttl * 1000)) : -1,
        e.idempotencyKey ?? '',
      ]);
      const queueEvents: Record<string, string[]> = {};
      for (const e of list) if (events[e.id]) queueEvents[e.id] = events[e.id]!.map((event) => JSON.stringify(event));
      const raw = (await this.call(
        'push',
        [
          k.ready,
          k.payload,
          k.state,
          k.unique,
          k.idempotency,
          k.notify,
          this.keys.events,
          k.failedJobs,
          this.keys.queues,
        ],
        [
          JSON.stringify(jobs),
          options.idempotencyTtlMs ?? DAY_MS,
          JSON.stringify(queueEvents),
          this.eventsMaxLen,
          queue,
        ],
      )) as string;
      for (const r of JSON.parse(raw) as string[][]) {
        const [id, status, key, other] = r as [string, string, string, string];
        if (status === 'queued') results.set(id, { id, status: 'queued' });
        else if (status === 'duplicate') results.set(id, { id, status: 'duplicate', uniqueKey: key, heldBy: other });
        else results.set(id, { id, status: 'existing', idempotencyKey: key, existingId: other });
      }
    }
    return envelopes.map((e) => results.get(e.id)!);
  }

  async jobReserve(options: ReserveOptions): Promise<ReservedJob[]> {
    const deadline = Date.now() + (options.blockMs ?? 0);
    for (;;) {
      const { taken, nextDue } = await this.take(options);
      if (taken.length > 0 || options.signal?.aborted) return taken;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return [];
      const now = await this.now();
      const untilDue = nextDue === null ? remaining : Math.max(1, nextDue - now);
      await this.waitForPush(options.queues, Math.min(remaining, untilDue), options.signal);
    }
  }

  private async take(options: ReserveOptions): Promise<{ taken: ReservedJob[]; nextDue: number | null }> {
    const taken: ReservedJob[] = [];
    let nextDue: number | null = null;
    const token = newToken();
    for (const queue of options.queues) {
      const room = (options.limit ?? 1) - taken.length;
      if (room <= 0) break;
      const k = this.keys.queue(queue);
      const [rows, due] = (await this.call(
        'reserve',
        [k.ready, k.reserved, k.payload, k.state, k.stats, this.keys.events, k.waiting],
        [options.workerId, options.leaseMs, room, token, options.emitEvents ? 1 : 0, this.eventsMaxLen, queue],
      )) as [[string, string, number, number, number, number, number][], number, number];
      for (const [, payload, attempts, exceptions, lockWaits, reservedAt, leaseUntil] of rows) {
        const envelope = JSON.parse(payload) as JobEnvelope;
        Object.assign(envelope, { attempts, exceptions, lockWaits });
        taken.push({ envelope, token, reservedAt, leaseUntil });
        this.queueOf.set(envelope.id, queue);
      }
      if (due >= 0 && (nextDue === null || due < nextDue)) nextDue = due;
    }
    return { taken, nextDue };
  }

  async jobComplete(options: AckOptions): Promise<boolean> {
    const k = await this.keysOfJob(options.id);
    if (!k) return false;
    this.queueOf.delete(options.id);
    const ok = await this.call(
      'complete',
      [k.reserved, k.payload, k.state, k.history, k.stats, k.unique, this.keys.events],
      [options.id, options.token, encodeEvents(options.events), this.eventsMaxLen],
    );
    return ok === 1;
  }

  async jobRelease(options: ReleaseOptions): Promise<boolean> {
    const k = await this.keysOfJob(options.id);
    if (!k) return false;
    this.queueOf.delete(options.id);
    const ok = await this.call(
      'release',
      [k.reserved, k.ready, k.state, k.history, k.notify, this.keys.events, k.waiting],
      [
        options.id,
        options.token,
        Math.max(0, Math.round(options.delayMs)),
        options.kind,
        options.attempt ? JSON.stringify(options.attempt) : '',
        encodeEvents(options.events),
        this.eventsMaxLen,
        options.waitingOn ?? '',
      ],
    );
    return ok === 1;
  }

  async jobFail(options: FailOptions): Promise<boolean> {
    const k = await this.keysOfJob(options.id);
    if (!k) return false;
    this.queueOf.delete(options.id);
    const ok = await this.call(
      'fail',
      [
        k.reserved,
        k.payload,
        k.state,
        k.history,
        k.failed,
        k.failedJobs,
        k.stats,
        k.unique,
        this.keys.events,
        k.failedMeta,
        k.failedError,
        k.failedHistory,
      ],
      [
        options.id,
        options.token,
        JSON.stringify(options.error),
        options.attempt ? JSON.stringify(options.attempt) : '',
        encodeEvents(options.events),
        this.eventsMaxLen,
      ],
    );
    return ok === 1;
  }

  async jobExtendLease(options: { id: string; token: string; leaseMs: number }): Promise<boolean> {
    const k = await this.keysOfJob(options.id);
    if (!k) return false;
    return (await this.call('extend', [k.reserved, k.state], [options.id, options.token, options.leaseMs])) === 1;
  }
}

/** Events travel to scripts already encoded, one JSON string each (see lua/includes/common.lua). */
function encodeEvents(events: EventInput[] | undefined): string {
  return JSON.stringify((events ?? []).map((event) => JSON.stringify(event)));
}

export function createRedisDriver(options: RedisDriverOptions = {}): Driver {
  return new RedisDriver(options);
}
