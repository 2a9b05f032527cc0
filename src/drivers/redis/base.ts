import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { DriverError } from '../errors.js';
import type { EventInput } from '../types.js';
import {
  type Client,
  type ClusterNodeAddress,
  callScript,
  connect,
  connectionError,
  hostOf,
  isConnectionError,
  ONE_SHOT_ANSWER_MS,
  type ScriptName,
  scriptSha,
} from './connection.js';
import { RedisKeys } from './keys.js';

const CLOCK_REFRESH_MS = 5000;
/** How long past its own timeout a blocking command may take to answer before it is given up. */
const BLOCK_ANSWER_GRACE_MS = 2000;

export type QueueKeys = ReturnType<RedisKeys['queue']>;

/** Set by a blocking body that can be interrupted without dropping its connection. */
interface BlockInterrupt {
  unblock?: () => Promise<boolean>;
}

export interface RedisBaseOptions {
  url: string;
  nodes?: ClusterNodeAddress[];
  prefix: string;
  eventsMaxLen: number;
  connectTimeoutMs: number;
  reconnect: boolean;
  answerTimeoutMs?: number;
}

/**
 * Connections, script calls, the server clock and blocking waits shared by the driver's parts.
 *
 * On a single server a job script also appends its events to the one events stream and registers
 * its queue name. On a Cluster (`nodes`) those keys live in other slots than the queue's, so the
 * scripts get same-slot stand-ins they never write (events maxlen 0), and the driver appends the
 * events and registers the queue right after the step; blocked reserves wake by Pub/Sub instead
 * of BLPOP, which cannot span slots.
 */
export abstract class RedisBase {
  protected readonly keys: RedisKeys;
  protected readonly eventsMaxLen: number;
  protected readonly redis: Client;
  protected readonly cluster: boolean;
  private readonly ready: Promise<void>;
  private readonly blockers: Client[] = [];
  private readonly live = new Set<Client>();
  /** Queue of each job this client reserved, so acknowledging needs no lookup. */
  protected readonly queueOf = new Map<string, string>();
  private closed = false;
  private outage = false;
  private clockOffset: number | null = null;
  private clockMeasuredAt = 0;
  /** Cluster: queue names this client has already added to the registry. */
  private readonly registered = new Set<string>();
  /** Cluster: the Pub/Sub connection, its channels, a count of wake-ups per channel, and waiters. */
  private subscriber: Client | null = null;
  private readonly channels = new Map<string, Promise<void>>();
  private readonly wakeCounts = new Map<string, number>();
  private readonly wakeWaiters = new Set<() => void>();

  constructor(protected readonly options: RedisBaseOptions) {
    this.keys = new RedisKeys(options.prefix);
    this.eventsMaxLen = options.eventsMaxLen;
    this.cluster = (options.nodes?.length ?? 0) > 0;
    this.redis = connect(options);
    this.watchConnection(this.redis);
    this.ready = this.connectOnce().catch((error) => {
      this.redis.disconnect(); // no timer of a failed client may keep a one-shot command alive
      throw connectionError(error, options.url, options.nodes);
    });
    this.ready.catch(() => {});
  }

  /**
   * Connect; a one-shot client that is not ready after its answer timeout (connected, but the
   * server never answered its handshake) gives up like a command with no answer.
   */
  private connectOnce(): Promise<void> {
    const connecting = this.redis.connect();
    if (this.options.reconnect) return connecting;
    let timer: NodeJS.Timeout | undefined;
    const noAnswer = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('Command timed out')),
        this.options.answerTimeoutMs ?? ONE_SHOT_ANSWER_MS,
      );
      timer.unref();
    });
    return Promise.race([connecting, noAnswer]).finally(() => clearTimeout(timer));
  }

  /** A worker logs one line per outage and one when it is back; commands fail fast instead. */
  private watchConnection(client: Client): void {
    const where = hostOf(this.options.url, this.options.nodes);
    client.on('error', (error: Error) => {
      if (!this.options.reconnect || this.outage || this.closed) return;
      this.outage = true;
      process.stderr.write(
        `qtool: lost connection to Redis at ${where} (${(error as NodeJS.ErrnoException).code ?? error.message}); reconnecting\n`,
      );
    });
    client.on('ready', () => {
      if (!this.outage) return;
      this.outage = false;
      process.stderr.write(`qtool: reconnected to Redis at ${where}\n`);
    });
  }

  protected async client(): Promise<Client> {
    if (this.closed) throw new DriverError('CLOSED', 'the Redis driver is closed');
    await this.ready;
    return this.redis;
  }

  protected async call(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const redis = await this.client();
    try {
      return await callScript(redis, name, keys, args);
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /** Run a plain command (or pipeline) with the same error mapping as scripts. */
  protected async run<T>(body: (redis: Client) => Promise<T>): Promise<T> {
    const redis = await this.client();
    try {
      return await body(redis);
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /**
   * The same reads on several queues in as few round trips as the topology allows: one pipeline
   * on a single server, one per queue (each its own slot) sent together on a Cluster.
   * Returns each queue's replies in order.
   */
  protected async perQueue(
    queues: string[],
    build: (pipe: ChainableCommander, k: QueueKeys, queue: string) => void,
  ): Promise<unknown[][]> {
    if (queues.length === 0) return [];
    const values = (results: [Error | null, unknown][] | null) =>
      (results ?? []).map(([error, value]) => {
        if (error) throw error;
        return value;
      });
    return this.run(async (r) => {
      if (this.cluster)
        return Promise.all(
          queues.map(async (q) => {
            const pipe = r.pipeline();
            build(pipe, this.keys.queue(q), q);
            return values(await pipe.exec());
          }),
        );
      const pipe = r.pipeline();
      const sizes = queues.map((q) => {
        const before = pipe.length;
        build(pipe, this.keys.queue(q), q);
        return pipe.length - before;
      });
      const flat = values(await pipe.exec());
      let at = 0;
      return sizes.map((n) => {
        at += n;
        return flat.slice(at - n, at);
      });
    });
  }

  protected mapError(error: unknown): unknown {
    if (error instanceof DriverError) return error;
    const message = (error as Error)?.message ?? '';
    // A script's refusal: its code word, then the message for the user.
    const refusal = /\b(?:DUPLICATE|FENCED) ([\s\S]*)$/.exec(message);
    if (refusal) return new DriverError('INVALID', refusal[1]!, { cause: error });
    if (isConnectionError(error)) return connectionError(error, this.options.url, this.options.nodes);
    return error;
  }

  // ---- what a job script writes outside its queue's slot ----

  /** The events stream for a script's KEYS; on a Cluster a same-slot stand-in it never writes. */
  protected eventsKey(k: QueueKeys): string {
    return this.cluster ? k.stats : this.keys.events;
  }

  /** The queue registry for the push script's KEYS; on a Cluster a same-slot stand-in. */
  protected queuesKey(k: QueueKeys): string {
    return this.cluster ? k.stats : this.keys.queues;
  }

  /** The events maxlen passed to scripts: 0 on a Cluster, where scripts write no events. */
  protected get scriptMaxLen(): number {
    return this.cluster ? 0 : this.eventsMaxLen;
  }

  /** The Pub/Sub channel scripts publish wake-ups on; '' on a single server (notify lists). */
  protected wakeChannel(k: QueueKeys): string {
    return this.cluster ? k.wake : '';
  }

  /** Cluster: append the events of a step that succeeded (single server: the script did). */
  protected async afterStep(events: EventInput[] | undefined): Promise<void> {
    if (this.cluster && events?.length) await this.eventsAppend(events);
  }

  /** Cluster: add queue names to the registry once per client (single server: the push script does). */
  protected async register(queues: string[]): Promise<void> {
    const fresh = queues.filter((q) => !this.registered.has(q));
    if (!this.cluster || fresh.length === 0) return;
    await this.run((r) => r.sadd(this.keys.queues, ...fresh));
    for (const q of fresh) this.registered.add(q);
  }

  abstract eventsAppend(events: EventInput[]): Promise<void>;

  /**
   * Store clock, epoch ms: this machine's clock corrected by the offset to Redis TIME, re-measured
   * every few seconds, so dispatch does not pay a round trip for it. Scripts read TIME themselves.
   */
  async now(): Promise<number> {
    if (this.clockOffset === null || Date.now() - this.clockMeasuredAt > CLOCK_REFRESH_MS) {
      // Connected first: a round trip that also waited for the connection would put the
      // midpoint too early and the estimate of the server's clock ahead of it.
      await this.client();
      const before = Date.now();
      const [seconds, micros] = await this.run((r) => r.time());
      const after = Date.now();
      const server = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      this.clockOffset = server - Math.round((before + after) / 2);
      this.clockMeasuredAt = after;
    }
    return Date.now() + this.clockOffset;
  }

  // ---- blocking waits ----

  /**
   * Cluster: subscribe to the queues' wake channels (once) and return a mark to pass to
   * waitForPush, so a wake-up that lands between the reserve step and the wait is not lost.
   */
  protected async wakeMark(queues: string[]): Promise<number> {
    if (!this.cluster) return 0;
    await Promise.all(queues.map((q) => this.subscribe(this.keys.queue(q).wake)));
    return this.wakeSum(queues);
  }

  private wakeSum(queues: string[]): number {
    let sum = 0;
    for (const q of queues) sum += this.wakeCounts.get(this.keys.queue(q).wake) ?? 0;
    return sum;
  }

  private subscribe(channel: string): Promise<void> {
    let subscribed = this.channels.get(channel);
    if (!subscribed) {
      if (!this.subscriber) {
        const subscriber = this.duplicate();
        subscriber.on('message', (from: string) => {
          this.wakeCounts.set(from, (this.wakeCounts.get(from) ?? 0) + 1);
          for (const check of this.wakeWaiters) check();
        });
        this.subscriber = subscriber;
      }
      subscribed = this.subscriber.subscribe(channel).then(
        () => {},
        (error) => {
          this.channels.delete(channel);
          throw this.mapError(error);
        },
      );
      this.channels.set(channel, subscribed);
    }
    return subscribed;
  }

  /**
   * Wait up to `ms` for a push, a zero-delay release, a retry or a resume on one of the queues.
   * Single server: BLPOP on the queues' notify lists on a dedicated connection, so an idle worker
   * costs nothing and wakes as soon as a token lands; an abort closes that connection.
   * Cluster: a wake-up message on the queues' channels (see wakeMark).
   */
  protected async waitForPush(queues: string[], ms: number, signal?: AbortSignal, mark = 0): Promise<void> {
    if (signal?.aborted || ms <= 0) return;
    if (this.cluster) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wakeWaiters.delete(check);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const check = () => {
          if (this.closed || this.wakeSum(queues) !== mark) done();
        };
        const timer = setTimeout(done, ms);
        this.wakeWaiters.add(check);
        signal?.addEventListener('abort', done, { once: true });
        check();
      });
      return;
    }
    await this.withBlocker(
      signal,
      (blocker) => blocker.blpop(...queues.map((q) => this.keys.queue(q).notify), Math.max(0.001, ms / 1000)),
      ms,
    );
  }

  /**
   * Single server: wait as waitForPush does, with a script call queued behind the wait on the same
   * connection. Redis runs the script the moment the wait ends (a push, or the timeout), so a job
   * pushed to an idle worker is reserved without a round trip of its own.
   * Returns the script's reply; undefined when the wait was cut off by a dropped connection or the
   * script could not run there (NOSCRIPT after a restart): the caller then calls it the usual way.
   * An abort unblocks the wait with CLIENT UNBLOCK rather than dropping the connection, so a
   * reserve that has already run still brings its jobs back instead of leaving them leased.
   */
  protected async waitThenCall(
    queues: string[],
    ms: number,
    signal: AbortSignal | undefined,
    name: ScriptName,
    keys: string[],
    args: (string | number)[],
  ): Promise<unknown> {
    return this.withBlocker(
      signal,
      async (blocker, interrupt) => {
        const redis = blocker as Redis;
        const id = redis.client('ID').then(Number, () => null);
        const wait = redis.blpop(...queues.map((q) => this.keys.queue(q).notify), Math.max(0.001, ms / 1000));
        const reply = redis.evalsha(scriptSha(name), keys.length, ...keys, ...args);
        reply.catch(() => {}); // read below, unless the wait failed first
        interrupt.unblock = async () => {
          const clientId = await id;
          return clientId !== null && this.unblock(clientId);
        };
        await wait;
        try {
          return await reply;
        } catch (error) {
          if (isConnectionError(error)) throw error;
          return undefined;
        }
      },
      ms,
    );
  }

  /** Unblock another connection's blocking command, as if it had timed out. */
  private async unblock(clientId: number): Promise<boolean> {
    if (this.closed || this.redis.status !== 'ready') return false;
    try {
      return (await (this.redis as Redis).client('UNBLOCK', clientId)) === 1;
    } catch {
      return false;
    }
  }

  /**
   * Run one blocking command on a dedicated connection from a small pool; an abort disconnects it
   * (or, when the body set `interrupt.unblock`, unblocks it; if that fails the connection is dropped).
   * Returns undefined when aborted or when the connection failed (a fresh one is used next time).
   * `blockMs`: the command's own timeout. One that has not answered well after it (a connection
   * still connecting, or stalled) is given up the same way, so a waiting reserve always returns
   * and the worker gets to check its limits and signals.
   */
  protected async withBlocker<T>(
    signal: AbortSignal | undefined,
    body: (blocker: Client, interrupt: BlockInterrupt) => Promise<T>,
    blockMs: number,
  ) {
    await this.client();
    const blocker = this.blockers.pop() ?? this.duplicate();
    const interrupt: BlockInterrupt = {};
    let settled = false;
    const drop = () => {
      if (!settled) blocker.disconnect();
    };
    const onAbort = () => {
      if (!interrupt.unblock) return drop();
      // Unblocked or not (the answer may already be on its way), a connection that still has not
      // answered shortly after is dropped.
      void interrupt.unblock().then((unblocked) => {
        if (!unblocked) drop();
        else setTimeout(drop, BLOCK_ANSWER_GRACE_MS).unref();
      });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const stalled = setTimeout(drop, blockMs + BLOCK_ANSWER_GRACE_MS);
    stalled.unref();
    let reusable = true;
    try {
      return await body(blocker, interrupt);
    } catch {
      reusable = false; // aborted, or the connection dropped
      return undefined;
    } finally {
      settled = true;
      clearTimeout(stalled);
      signal?.removeEventListener('abort', onAbort);
      if (reusable && !this.closed && blocker.status === 'ready') this.blockers.push(blocker);
      else {
        this.live.delete(blocker);
        blocker.disconnect();
      }
    }
  }

  /** A dedicated connection (blocking reads, Pub/Sub) that waits out reconnects instead of failing. */
  private duplicate(): Client {
    const client: Client = this.cluster
      ? (this.redis as Cluster).duplicate([], { enableOfflineQueue: true, lazyConnect: false })
      : (this.redis as Redis).duplicate({
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          lazyConnect: false,
          commandTimeout: undefined, // blocking reads wait longer; withBlocker guards them
        });
    client.on('error', () => {});
    this.live.add(client);
    return client;
  }

  protected async knownQueues(): Promise<string[]> {
    return (await this.run((r) => r.smembers(this.keys.queues))).sort();
  }

  /** The keys of a job's queue: from this client's reservations, else by looking it up. */
  protected async keysOfJob(id: string) {
    const queue = this.queueOf.get(id) ?? (await this.findQueue(id));
    return queue ? this.keys.queue(queue) : null;
  }

  /** Which queue holds a job (live or failed): one HEXISTS per known queue, sent together. */
  protected async findQueue(id: string, where: 'live' | 'failed' = 'live'): Promise<string | null> {
    const queues = await this.knownQueues();
    const found = await this.perQueue(queues, (pipe, k) => {
      pipe.hexists(where === 'live' ? k.payload : k.failedJobs, id);
    });
    const index = found.findIndex(([value]) => value === 1);
    return index >= 0 ? queues[index]! : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.wakeWaiters) waiter();
    for (const client of this.live) client.disconnect();
    this.redis.disconnect();
  }
}
