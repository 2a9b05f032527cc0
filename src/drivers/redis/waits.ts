import type { Cluster, Redis } from 'ioredis';
import { type Client, callScript, isConnectionError, type ScriptName } from './connection.js';
import type { RedisKeys } from './keys.js';

/** How long past its own timeout a blocking command may take to answer before it is given up. */
const BLOCK_ANSWER_GRACE_MS = 2000;

/** Set by a blocking body that can be interrupted without dropping its connection. */
interface BlockInterrupt {
  unblock?: () => Promise<boolean>;
}

export interface BlockingWaitsContext {
  keys: RedisKeys;
  cluster: boolean;
  /** The driver's main client: blockers are its duplicates, and it sends CLIENT UNBLOCK. */
  main: Client;
  /** The main client once connected. */
  connected: () => Promise<Client>;
  mapError: (error: unknown) => unknown;
}

/**
 * Everything that waits on the server: a small pool of dedicated connections for blocking
 * commands (BLPOP on notify lists, XREAD on the events stream) and, on a Cluster, the Pub/Sub
 * connection that wakes blocked reserves instead (BLPOP cannot span slots).
 */
export class BlockingWaits {
  private readonly blockers: Client[] = [];
  private readonly live = new Set<Client>();
  private closed = false;
  /** Cluster: the Pub/Sub connection, its channels, a count of wake-ups per channel, and waiters. */
  private subscriber: Client | null = null;
  private readonly channels = new Map<string, Promise<void>>();
  private readonly wakeCounts = new Map<string, number>();
  private readonly wakeWaiters = new Set<() => void>();
  /** Each blocker's CLIENT ID (for CLIENT UNBLOCK), asked once per connection, forgotten on reconnect. */
  private readonly clientIds = new WeakMap<Client, Promise<number | null>>();

  constructor(private readonly context: BlockingWaitsContext) {}

  /**
   * Cluster: subscribe to the queues' wake channels (once) and return a mark to pass to
   * waitForPush, so a wake-up that lands between the reserve step and the wait is not lost.
   */
  async wakeMark(queues: string[]): Promise<number> {
    if (!this.context.cluster) return 0;
    await Promise.all(queues.map((q) => this.subscribe(this.context.keys.queue(q).wake)));
    return this.wakeSum(queues);
  }

  private wakeSum(queues: string[]): number {
    let sum = 0;
    for (const q of queues) sum += this.wakeCounts.get(this.context.keys.queue(q).wake) ?? 0;
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
          throw this.context.mapError(error);
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
  async waitForPush(queues: string[], ms: number, signal?: AbortSignal, mark = 0): Promise<void> {
    if (signal?.aborted || ms <= 0) return;
    if (this.context.cluster) {
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
      (blocker) => blocker.blpop(...queues.map((q) => this.context.keys.queue(q).notify), Math.max(0.001, ms / 1000)),
      ms,
    );
  }

  /**
   * Single server: wait as waitForPush does, with a script call queued behind the wait on the same
   * connection. Redis runs the script the moment the wait ends (a push, or the timeout), so a job
   * pushed to an idle worker is reserved without a round trip of its own.
   * Returns the script's reply (loaded there with EVAL after a NOSCRIPT); undefined when the wait
   * was cut off by a dropped connection or the script failed: the caller then calls it the usual way.
   * An abort unblocks the wait with CLIENT UNBLOCK rather than dropping the connection, so a
   * reserve that has already run still brings its jobs back instead of leaving them leased.
   */
  async waitThenCall(
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
        const id = this.clientId(blocker);
        const wait = blocker.blpop(...queues.map((q) => this.context.keys.queue(q).notify), Math.max(0.001, ms / 1000));
        const reply = callScript(blocker, name, keys, args); // written now: queued behind the BLPOP
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

  /**
   * A blocker's id, asked once per connection rather than with every wait. Ids are never reused
   * by a server, so one gone stale in a reconnect can only fail to unblock (and the connection is
   * then dropped), never unblock another client.
   */
  private clientId(blocker: Client): Promise<number | null> {
    let id = this.clientIds.get(blocker);
    if (!id) {
      id = (blocker as Redis).client('ID').then(Number, () => null);
      this.clientIds.set(blocker, id);
    }
    return id;
  }

  /** Unblock another connection's blocking command, as if it had timed out. */
  private async unblock(clientId: number): Promise<boolean> {
    if (this.closed || this.context.main.status !== 'ready') return false;
    try {
      return (await (this.context.main as Redis).client('UNBLOCK', clientId)) === 1;
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
  async withBlocker<T>(
    signal: AbortSignal | undefined,
    body: (blocker: Client, interrupt: BlockInterrupt) => Promise<T>,
    blockMs: number,
  ) {
    await this.context.connected();
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
    const client: Client = this.context.cluster
      ? (this.context.main as Cluster).duplicate([], { enableOfflineQueue: true, lazyConnect: false })
      : (this.context.main as Redis).duplicate({
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          lazyConnect: false,
          commandTimeout: undefined, // blocking reads wait longer; withBlocker guards them
        });
    client.on('error', () => {});
    client.on('close', () => this.clientIds.delete(client)); // a reconnected client has a new id
    this.live.add(client);
    return client;
  }

  /** Wake every waiter and drop every dedicated connection. */
  close(): void {
    this.closed = true;
    for (const waiter of this.wakeWaiters) waiter();
    for (const client of this.live) client.disconnect();
  }
}
