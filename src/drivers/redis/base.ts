import type { ChainableCommander, Redis } from 'ioredis';
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
} from './connection.js';
import { RedisKeys } from './keys.js';
import { BlockingWaits } from './waits.js';

const CLOCK_REFRESH_MS = 5000;

export type QueueKeys = ReturnType<RedisKeys['queue']>;

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
 * Connections, script calls and the server clock shared by the driver's parts (blocking waits: waits.ts).
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
  /** Blocking waits on dedicated connections (see waits.ts). */
  protected readonly waits: BlockingWaits;
  /** Queue of each job this client reserved, so acknowledging needs no lookup. */
  protected readonly queueOf = new Map<string, string>();
  private closed = false;
  private outage = false;
  /** The code of the client's last socket error (ECONNREFUSED, ETIMEDOUT), for error lines. */
  private lastSocketError: string | undefined;
  private clockOffset: number | null = null;
  private clockMeasuredAt = 0;
  /** Cluster: queue names this client has already added to the registry. */
  private readonly registered = new Set<string>();
  /** The connection's writes are held until this turn's immediates have run (see holdWritesForTurn). */
  private writesHeld = false;

  constructor(protected readonly options: RedisBaseOptions) {
    this.keys = new RedisKeys(options.prefix);
    this.eventsMaxLen = options.eventsMaxLen;
    this.cluster = (options.nodes?.length ?? 0) > 0;
    this.redis = connect(options);
    this.watchConnection(this.redis);
    this.waits = new BlockingWaits({
      keys: this.keys,
      cluster: this.cluster,
      main: this.redis,
      connected: () => this.client(),
      mapError: (error) => this.mapError(error),
    });
    this.ready = this.connectOnce().catch((error) => {
      this.redis.disconnect(); // no timer of a failed client may keep a one-shot command alive
      throw connectionError(error, options.url, options.nodes, this.lastSocketError);
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
      this.lastSocketError = (error as NodeJS.ErrnoException).code;
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
    // A ready client needs no wait on the connect promise (a tick per dispatch).
    const redis = this.redis.status === 'ready' && !this.closed ? this.redis : await this.client();
    try {
      return await callScript(redis, name, keys, args);
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /**
   * Hold the connection's writes until this turn of the event loop has run its immediates, then
   * send them in one write. A worker's acknowledgements go out on a tick and its slots' next
   * reserve on the immediate after it: in one write, the server reads both at once and the worker
   * makes one system call. A loopback write cost about 80 µs of the worker's time on this VM,
   * mostly waking the server. Single server only (a Cluster's commands go to several sockets).
   */
  protected holdWritesForTurn(): void {
    if (this.cluster || this.writesHeld || this.redis.status !== 'ready') return;
    const { stream } = this.redis as Redis;
    this.writesHeld = true;
    stream.cork();
    setImmediate(() => {
      this.writesHeld = false;
      stream.uncork();
    });
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
    if (isConnectionError(error)) {
      return connectionError(error, this.options.url, this.options.nodes, this.lastSocketError);
    }
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
    this.waits.close();
    this.redis.disconnect();
  }
}
