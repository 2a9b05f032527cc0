import type { JobEnvelope } from '../../core/envelope.js';
import { newToken } from '../../core/ids.js';
import { dispatchedEvent } from '../dispatched-event.js';
import { decodeEnvelope, encodeEnvelope } from '../envelope-codec.js';
import { DriverError } from '../errors.js';
import { sharedProcessedEntry, sharedProcessedHead } from '../shared-events.js';
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
import { AckBatcher } from './ack-batcher.js';
import type { ClusterNodeAddress } from './connection.js';
import { describeRedis } from './connection.js';
import { RedisQueries } from './queries.js';

const DAY_MS = 86_400_000;
/** At most this many jobs reserved per script call. */
const RESERVE_CHUNK = 500;

/** id, payload, attempts, exceptions, lockWaits */
type ReserveRow = [string, string, number, number, number];
/** The reserve script's reply: jobs, next due ms or -1, paused 1/0, and the call's reservedAt and leaseUntil. */
type ReserveReply = [ReserveRow[], number, number, number, number];

interface Taken {
  taken: ReservedJob[];
  nextDue: number | null;
}

export interface RedisDriverOptions {
  url?: string;
  /**
   * Redis Cluster startup nodes (ioredis Cluster). The URL, when given, still supplies the
   * username, password and TLS (`rediss://`); its host is ignored.
   */
  nodes?: ClusterNodeAddress[];
  /** Key prefix (default `qtool:`); every key of one queue also carries the `{queue}` hash tag. */
  prefix?: string;
  /** Approximate cap of the events stream (XADD MAXLEN ~). */
  eventsMaxLen?: number;
  connectTimeoutMs?: number;
  /** Long-running processes: reconnect with backoff instead of failing fast. */
  reconnect?: boolean;
  /** Without `reconnect`: fail a command that has no answer this long (default 15 s). */
  answerTimeoutMs?: number;
}

/**
 * The Redis store: one Lua script per state change (loaded once, called by SHA), the server's
 * TIME as the clock, a blocking pop on per-queue notify lists (Pub/Sub on a Cluster) instead of polling.
 */
export class RedisDriver extends RedisQueries implements Driver {
  readonly kind = 'redis';
  readonly description: string;
  readonly capabilities: Driver['capabilities'];
  private readonly completes = new AckBatcher((queue, acks) => this.completeGroup(queue, acks));

  constructor(options: RedisDriverOptions = {}) {
    const url = options.url ?? 'redis://127.0.0.1:6379/0';
    super({
      url,
      nodes: options.nodes,
      prefix: options.prefix ?? 'qtool:',
      eventsMaxLen: options.eventsMaxLen ?? 100_000,
      // ioredis's own default. A refused connection fails at once whatever this is; 2 s had failed
      // one-shot commands on a machine so loaded that the timer ran before the connect was seen.
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      reconnect: options.reconnect ?? false,
      answerTimeoutMs: options.answerTimeoutMs,
    });
    this.description = describeRedis(url, options.nodes);
    this.capabilities = {
      crossProcess: true,
      blockingReserve: true,
      inline: false,
      cluster: this.cluster,
      pipelinedPush: !this.cluster,
      pipelinedReserve: !this.cluster,
    };
  }

  async jobPush(envelopes: JobEnvelope[], options: PushOptions = {}): Promise<PushResult[]> {
    if (envelopes.length === 0) return [];
    const ids = new Set<string>();
    for (const e of envelopes) {
      if (ids.has(e.id)) throw new DriverError('INVALID', `job id ${e.id} already exists`);
      ids.add(e.id);
    }
    const events = new Map<string, EventInput[]>();
    // The job.dispatched events of a Cluster push are appended by the driver after the step (see
    // pushGroup); on a single server the script writes them.
    const given =
      this.cluster && options.dispatchedEvents
        ? [...(options.events ?? []), ...envelopes.map(dispatchedEvent)]
        : (options.events ?? []);
    for (const event of given) {
      const id = event.jobId ?? '';
      const list = events.get(id);
      if (list) list.push(event);
      else events.set(id, [event]);
    }
    // A single server takes the whole push in one script (all or none across queues); on a
    // Cluster each queue is its own slot, so each queue's share is one script (all or none per queue).
    if (!this.cluster) return this.pushGroup(envelopes, events, options);
    const groups = new Map<string, JobEnvelope[]>();
    for (const e of envelopes) {
      const list = groups.get(e.queue);
      if (list) list.push(e);
      else groups.set(e.queue, [e]);
    }
    const results = new Map<string, PushResult>();
    for (const list of groups.values()) {
      for (const result of await this.pushGroup(list, events, options)) results.set(result.id, result);
    }
    return envelopes.map((e) => results.get(e.id)!);
  }

  private async pushGroup(
    list: JobEnvelope[],
    events: Map<string, EventInput[]>,
    options: PushOptions,
  ): Promise<PushResult[]> {
    const only = list.length === 1 ? list[0]! : undefined;
    if (only && !this.cluster && options.fence === undefined && this.plainJob(only, events)) {
      return [await this.pushOne(only, options)];
    }
    const queues: string[] = [];
    const index = new Map<string, number>();
    for (const e of list)
      if (!index.has(e.queue)) {
        queues.push(e.queue);
        index.set(e.queue, queues.length);
      }
    const first = this.keys.queue(queues[0]!);
    // Fences span queues, so only a single server takes them (capabilities.pipelinedPush).
    const fenced = options.fence !== undefined && !this.cluster;
    const keys = [this.eventsKey(first), this.queuesKey(first), fenced ? this.keys.fence(options.fence!) : first.stats];
    const args: (string | number)[] = [
      options.idempotencyTtlMs ?? DAY_MS,
      this.scriptMaxLen,
      this.cluster ? 0 : 1,
      queues.length,
      fenced ? 1 : 0,
      options.dispatchedEvents && !this.cluster ? 1 : 0,
    ];
    for (const queue of queues) {
      const k = this.keys.queue(queue);
      keys.push(k.ready, k.payload, k.state, k.unique, k.idempotency, k.notify, k.failedJobs, k.idempotencyExpiry);
      args.push(queue);
    }
    for (const queue of queues) args.push(this.wakeChannel(this.keys.queue(queue)));
    for (const e of list) {
      const mine = this.cluster ? undefined : events.get(e.id);
      args.push(
        index.get(e.queue)!,
        e.id,
        // A job due at once is ready at the server's now: the client's estimate of that clock may
        // run ahead (it was measured over a round trip), which would hold the job back.
        e.availableAt <= e.dispatchedAt ? 0 : e.availableAt,
        encodeEnvelope(e),
        e.unique?.key ?? '',
        e.unique ? (e.unique.ttl === null ? -1 : Math.round(e.unique.ttl * 1000)) : -1,
        e.idempotencyKey ?? '',
        mine?.length ?? 0,
      );
      if (mine) for (const event of mine) args.push(JSON.stringify(event));
    }
    const refused = (await this.call('push', keys, args)) as (string | number)[];
    const results = list.map((e): PushResult => ({ id: e.id, status: 'queued' }));
    for (let r = 0; r < refused.length; r += 4) {
      const at = (refused[r] as number) - 1;
      const id = list[at]!.id;
      const key = refused[r + 2] as string;
      const other = refused[r + 3] as string;
      results[at] =
        refused[r + 1] === 'duplicate'
          ? { id, status: 'duplicate', uniqueKey: key, heldBy: other }
          : { id, status: 'existing', idempotencyKey: key, existingId: other };
    }
    if (this.cluster) {
      const queued = results.filter((r) => r.status === 'queued');
      if (queued.length > 0) {
        await this.register(queues);
        await this.afterStep(queued.flatMap((r) => events.get(r.id) ?? []));
      }
    }
    return results;
  }

  /** A job with no unique or idempotency key and no events of its own: push-one.lua takes it. */
  private plainJob(e: JobEnvelope, events: Map<string, EventInput[]>): boolean {
    return !e.unique && !e.idempotencyKey && !events.get(e.id)?.length;
  }

  /** One plain job on a single server (the common dispatch from application code). */
  private async pushOne(e: JobEnvelope, options: PushOptions): Promise<PushResult> {
    const k = this.keys.queue(e.queue);
    const keys = [this.eventsKey(k), this.queuesKey(k), k.ready, k.payload, k.state, k.notify, k.failedJobs];
    const due = e.availableAt <= e.dispatchedAt ? 0 : e.availableAt; // see pushGroup
    // dispatchedEvent(e) as JSON, up to its availableAt (the script's clock fills a due job's in).
    const event = options.dispatchedEvents
      ? `{"name":"job.dispatched","queue":${JSON.stringify(e.queue)},"jobId":${JSON.stringify(e.id)},"jobName":${JSON.stringify(e.name)},"details":{"availableAt":`
      : '';
    const args = [this.scriptMaxLen, e.queue, event, e.id, due, encodeEnvelope(e)];
    await this.call('pushOne', keys, args);
    return { id: e.id, status: 'queued' };
  }

  async jobReserve(options: ReserveOptions): Promise<ReservedJob[]> {
    const deadline = Date.now() + (options.blockMs ?? 0);
    const limit = Math.max(0, options.limit ?? 1);
    let mark = await this.wakeMarkFor(options);
    let result = await this.takeJobs(options, limit);
    for (;;) {
      if (result.taken.length > 0 || options.signal?.aborted) return result.taken;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return [];
      const now = await this.now();
      const waitMs = Math.min(remaining, result.nextDue === null ? remaining : Math.max(1, result.nextDue - now));
      if (!this.cluster && limit > 0) {
        const woke = await this.waitThenTake(options, limit, waitMs);
        // With one queue the reserve that ran on waking is the whole answer; with several, one
        // that found nothing in the first queue leaves the others to the usual call.
        if (woke && (woke.taken.length > 0 || options.queues.length === 1)) {
          result = woke;
          continue;
        }
      } else await this.waits.waitForPush(options.queues, waitMs, options.signal, mark);
      mark = await this.wakeMarkFor(options);
      result = await this.takeJobs(options, limit);
    }
  }

  private wakeMarkFor(options: ReserveOptions): Promise<number> {
    return this.cluster && options.blockMs ? this.waits.wakeMark(options.queues) : Promise.resolve(0);
  }

  /** Wait for a push with the first queue's reserve queued behind the wait (see BlockingWaits.waitThenCall). */
  private async waitThenTake(options: ReserveOptions, limit: number, waitMs: number): Promise<Taken | undefined> {
    const queue = options.queues[0];
    if (queue === undefined || options.signal?.aborted) return undefined;
    const token = newToken();
    const ask = Math.min(limit, RESERVE_CHUNK);
    const { keys, args } = this.reserveCall(queue, ask, token, options);
    const reply = (await this.waits.waitThenCall(options.queues, waitMs, options.signal, 'reserve', keys, args)) as
      | ReserveReply
      | undefined;
    if (!reply) return undefined;
    const taken: ReservedJob[] = [];
    this.collect(reply, queue, token, taken);
    return { taken, nextDue: reply[1] >= 0 ? reply[1] : null };
  }

  /**
   * Up to `limit` jobs, queues in priority order. A worker's idle slots already ask together (see
   * JobFetcher), so one call here serves them all.
   */
  private async takeJobs(options: ReserveOptions, limit: number): Promise<Taken> {
    const taken: ReservedJob[] = [];
    let nextDue: number | null = null;
    if (limit <= 0) return { taken, nextDue };
    const token = newToken();
    for (const queue of options.queues) {
      // At most RESERVE_CHUNK jobs a call; ask again while calls come back full.
      for (let room = limit - taken.length; room > 0; ) {
        const ask = Math.min(room, RESERVE_CHUNK);
        const { keys, args } = this.reserveCall(queue, ask, token, options);
        const reply = (await this.call('reserve', keys, args)) as ReserveReply;
        const [rows, due] = reply;
        this.collect(reply, queue, token, taken);
        if (due >= 0 && (nextDue === null || due < nextDue)) nextDue = due;
        if (rows.length < ask) break;
        room -= rows.length;
      }
    }
    if (this.cluster && options.emitEvents && taken.length > 0)
      await this.afterStep(
        taken.map(({ envelope }) => ({
          name: 'job.processing',
          queue: envelope.queue,
          jobId: envelope.id,
          jobName: envelope.name,
          attempt: envelope.attempts,
          workerId: options.workerId,
        })),
      );
    return { taken, nextDue };
  }

  private reserveCall(queue: string, ask: number, token: string, options: ReserveOptions) {
    const k = this.keys.queue(queue);
    const emit = options.emitEvents && !this.cluster ? 1 : 0;
    return {
      keys: [k.ready, k.reserved, k.payload, k.state, k.stats, this.eventsKey(k), k.waiting],
      args: [options.workerId, options.leaseMs, ask, token, emit, this.scriptMaxLen, queue],
    };
  }

  private collect(reply: ReserveReply, queue: string, token: string, taken: ReservedJob[]): void {
    const [rows, , , reservedAt, leaseUntil] = reply;
    for (const [id, payload, attempts, exceptions, lockWaits] of rows) {
      const { envelope, rejected } = decodeEnvelope(payload || '', { id, queue });
      envelope.attempts = attempts;
      envelope.exceptions = exceptions;
      envelope.lockWaits = lockWaits;
      taken.push(
        rejected ? { envelope, token, reservedAt, leaseUntil, rejected } : { envelope, token, reservedAt, leaseUntil },
      );
      this.queueOf.set(envelope.id, queue);
    }
  }

  /** Coalesced with the other acknowledgements of the same tick (see AckBatcher). */
  async jobComplete(options: AckOptions): Promise<boolean> {
    const queue = this.queueOf.get(options.id) ?? (await this.findQueue(options.id));
    if (!queue) return false;
    this.queueOf.delete(options.id);
    return this.completes.add(queue, options);
  }

  /** One complete script call for a queue's acknowledgements; whether each job's lease held. */
  private async completeGroup(queue: string, acks: AckOptions[]): Promise<boolean[]> {
    const k = this.keys.queue(queue);
    const keys = [k.reserved, k.payload, k.state, k.history, k.stats, k.unique, this.eventsKey(k)];
    const head = this.cluster ? '' : sharedProcessedHead(queue, acks);
    const args: (string | number)[] = [this.scriptMaxLen, head];
    for (const ack of acks) {
      const events = this.cluster ? undefined : ack.events;
      args.push(ack.id, ack.token, events?.length ?? 0);
      if (head) args.push(sharedProcessedEntry(events![0]!));
      else if (events) for (const event of events) args.push(JSON.stringify(event));
    }
    const held = ((await this.call('complete', keys, args)) as number[]).map((result) => result === 1);
    if (this.cluster) await this.afterStep(acks.flatMap((ack, i) => (held[i] ? (ack.events ?? []) : [])));
    return held;
  }

  async jobRelease(options: ReleaseOptions): Promise<boolean> {
    const k = await this.keysOfJob(options.id);
    if (!k) return false;
    this.queueOf.delete(options.id);
    const ok = await this.call(
      'release',
      [k.reserved, k.ready, k.state, k.history, k.notify, this.eventsKey(k), k.waiting],
      [
        options.id,
        options.token,
        Math.max(0, Math.round(options.delayMs)),
        options.kind,
        options.attempt ? JSON.stringify(options.attempt) : '',
        this.encodeEvents(options.events),
        this.scriptMaxLen,
        options.waitingOn ?? '',
        this.wakeChannel(k),
      ],
    );
    if (ok === 1) await this.afterStep(options.events);
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
        this.eventsKey(k),
        k.failedMeta,
        k.failedError,
        k.failedHistory,
      ],
      [
        options.id,
        options.token,
        JSON.stringify(options.error),
        options.attempt ? JSON.stringify(options.attempt) : '',
        this.encodeEvents(options.events),
        this.scriptMaxLen,
      ],
    );
    if (ok === 1) await this.afterStep(options.events);
    return ok === 1;
  }

  /** Events travel to scripts already encoded, one JSON string each (see lua/includes/common.lua). */
  private encodeEvents(events: EventInput[] | undefined): string {
    if (this.cluster || !events?.length) return '[]';
    return JSON.stringify(events.map((event) => JSON.stringify(event)));
  }

  async jobExtendLease(options: { id: string; token: string; leaseMs: number }): Promise<boolean> {
    const k = await this.keysOfJob(options.id);
    if (!k) return false;
    return (await this.call('extend', [k.reserved, k.state], [options.id, options.token, options.leaseMs])) === 1;
  }
}

export function createRedisDriver(options: RedisDriverOptions = {}): Driver {
  return new RedisDriver(options);
}
