import type { Redis } from 'ioredis';
import { DriverError } from '../errors.js';
import { connect, connectionError, hostOf, isConnectionError, type ScriptName, script } from './connection.js';
import { RedisKeys } from './keys.js';

const CLOCK_REFRESH_MS = 5000;

export interface RedisBaseOptions {
  url: string;
  prefix: string;
  eventsMaxLen: number;
  connectTimeoutMs: number;
  reconnect: boolean;
}

/** Connections, script calls, the server clock and blocking waits shared by the driver's parts. */
export abstract class RedisBase {
  protected readonly keys: RedisKeys;
  protected readonly eventsMaxLen: number;
  protected readonly redis: Redis;
  private readonly ready: Promise<void>;
  private readonly blockers: Redis[] = [];
  private readonly live = new Set<Redis>();
  /** Queue of each job this client reserved, so acknowledging needs no lookup. */
  protected readonly queueOf = new Map<string, string>();
  private closed = false;
  private outage = false;
  private clockOffset: number | null = null;
  private clockMeasuredAt = 0;

  constructor(protected readonly options: RedisBaseOptions) {
    this.keys = new RedisKeys(options.prefix);
    this.eventsMaxLen = options.eventsMaxLen;
    this.redis = connect(options);
    this.watchConnection(this.redis);
    this.ready = this.redis.connect().catch((error) => {
      this.redis.disconnect(); // no timer of a failed client may keep a one-shot command alive
      throw connectionError(error, options.url);
    });
    this.ready.catch(() => {});
  }

  /** A worker logs one line per outage and one when it is back; commands fail fast instead. */
  private watchConnection(client: Redis): void {
    client.on('error', (error: Error) => {
      if (!this.options.reconnect || this.outage || this.closed) return;
      this.outage = true;
      process.stderr.write(
        `qtool: lost connection to Redis at ${hostOf(this.options.url)} (${(error as NodeJS.ErrnoException).code ?? error.message}); reconnecting\n`,
      );
    });
    client.on('ready', () => {
      if (!this.outage) return;
      this.outage = false;
      process.stderr.write(`qtool: reconnected to Redis at ${hostOf(this.options.url)}\n`);
    });
  }

  protected async client(): Promise<Redis> {
    if (this.closed) throw new DriverError('CLOSED', 'the Redis driver is closed');
    await this.ready;
    return this.redis;
  }

  protected async call(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const redis = await this.client();
    try {
      return await script(redis, name)(...keys, ...args);
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /** Run a plain command (or pipeline) with the same error mapping as scripts. */
  protected async run<T>(body: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = await this.client();
    try {
      return await body(redis);
    } catch (error) {
      throw this.mapError(error);
    }
  }

  protected mapError(error: unknown): unknown {
    if (error instanceof DriverError) return error;
    const message = (error as Error)?.message ?? '';
    if (message.includes('DUPLICATE'))
      return new DriverError('INVALID', message.replace(/^.*DUPLICATE /, ''), { cause: error });
    if (isConnectionError(error)) return connectionError(error, this.options.url);
    return error;
  }

  /**
   * Store clock, epoch ms: this machine's clock corrected by the offset to Redis TIME, re-measured
   * every few seconds, so dispatch does not pay a round trip for it. Scripts read TIME themselves.
   */
  async now(): Promise<number> {
    if (this.clockOffset === null || Date.now() - this.clockMeasuredAt > CLOCK_REFRESH_MS) {
      const before = Date.now();
      const [seconds, micros] = await this.run((r) => r.time());
      const after = Date.now();
      const server = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      this.clockOffset = server - Math.round((before + after) / 2);
      this.clockMeasuredAt = after;
    }
    return Date.now() + this.clockOffset;
  }

  /**
   * Block on the queues' notify lists (a dedicated connection per waiter, so an idle worker costs
   * nothing and wakes as soon as a job is pushed or released). An abort closes that connection.
   */
  protected async waitForPush(queues: string[], ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || ms <= 0) return;
    await this.client();
    const blocker = this.blockers.pop() ?? this.newBlocker();
    const onAbort = () => blocker.disconnect();
    signal?.addEventListener('abort', onAbort, { once: true });
    let reusable = true;
    try {
      await blocker.blpop(...queues.map((q) => this.keys.queue(q).notify), Math.max(0.001, ms / 1000));
    } catch {
      reusable = false; // aborted, or the connection dropped: a fresh one next time
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (reusable && !this.closed && blocker.status === 'ready') this.blockers.push(blocker);
      else {
        this.live.delete(blocker);
        blocker.disconnect();
      }
    }
  }

  /** A dedicated connection for blocking reads (BLPOP, XREAD BLOCK). */
  protected newBlocker(): Redis {
    const blocker = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false });
    blocker.on('error', () => {});
    this.live.add(blocker);
    return blocker;
  }

  protected async knownQueues(): Promise<string[]> {
    return (await this.run((r) => r.smembers(this.keys.queues))).sort();
  }

  /** The keys of a job's queue: from this client's reservations, else by looking it up. */
  protected async keysOfJob(id: string) {
    const queue = this.queueOf.get(id) ?? (await this.findQueue(id));
    return queue ? this.keys.queue(queue) : null;
  }

  protected async findQueue(id: string, where: 'live' | 'failed' = 'live'): Promise<string | null> {
    const queues = await this.knownQueues();
    if (queues.length === 0) return null;
    const found = await this.run((r) => {
      const pipe = r.pipeline();
      for (const q of queues)
        pipe.hexists(where === 'live' ? this.keys.queue(q).payload : this.keys.queue(q).failedJobs, id);
      return pipe.exec();
    });
    const index = (found ?? []).findIndex(([, value]) => value === 1);
    return index >= 0 ? queues[index]! : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const blocker of this.live) blocker.disconnect();
    this.redis.disconnect();
  }
}
