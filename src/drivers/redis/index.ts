import { newToken } from '../../core/ids.js';
import { decodeEnvelope } from '../envelope-codec.js';
import { sharedProcessedEntry, sharedProcessedHead } from '../shared-events.js';
import type {
  AckOptions,
  Driver,
  EventInput,
  FailOptions,
  ReleaseOptions,
  ReservedJob,
  ReserveOptions,
} from '../types.js';
import { AckBatcher } from './ack-batcher.js';
import type { ClusterNodeAddress } from './connection.js';
import { describeRedis } from './connection.js';
import { RedisPushes } from './pushes.js';

/** At most this many jobs reserved per script call. */
const RESERVE_CHUNK = 500;

/** Five values per job, flat: id, payload, attempts, exceptions, lockWaits. */
type ReserveRows = (string | number | null)[];
/** Values per job in ReserveRows. */
const RESERVE_ROW = 5;
/** The reserve script's reply: jobs, next due ms or -1, paused 1/0, and the call's reservedAt and leaseUntil. */
type ReserveReply = [ReserveRows, number, number, number, number];

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
export class RedisDriver extends RedisPushes implements Driver {
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
        const got = rows.length / RESERVE_ROW;
        if (got < ask) break;
        room -= got;
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
    for (let at = 0; at < rows.length; at += RESERVE_ROW) {
      const id = rows[at] as string;
      const { envelope, rejected } = decodeEnvelope((rows[at + 1] as string | null) || '', { id, queue });
      envelope.attempts = rows[at + 2] as number;
      envelope.exceptions = rows[at + 3] as number;
      envelope.lockWaits = rows[at + 4] as number;
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
    // The slots these jobs freed ask for their next jobs on the next immediate: one write for both.
    this.holdWritesForTurn();
    const held = acks.map(() => true);
    for (const position of (await this.call('complete', keys, args)) as number[]) held[position - 1] = false;
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
