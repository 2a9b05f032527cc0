/**
 * Every Redis key qtool uses, in one place. Keys of one queue share the hash tag `{queue}`, so
 * each job step (one Lua script) stays in one slot. See docs/redis.md for the layout.
 */
export class RedisKeys {
  /** Built once per queue name: every job step names seven to twelve of these. */
  private readonly byQueue = new Map<string, QueueKeyNames>();

  constructor(readonly prefix: string) {}

  queue(queue: string): QueueKeyNames {
    let keys = this.byQueue.get(queue);
    if (!keys) {
      if (this.byQueue.size >= 10_000) this.byQueue.clear();
      keys = queueKeyNames(this.prefix, queue);
      this.byQueue.set(queue, keys);
    }
    return keys;
  }

  /**
   * SET of queue names (read with SMEMBERS; never KEYS). Another slot than the queues': written by
   * the push script on a single server, by the driver after the push on a Cluster.
   */
  get queues(): string {
    return `${this.prefix}queues`;
  }
  /** HASH batch id -> static JSON; counters and failed ids beside it, all in the {batches} slot. */
  /** A pipelined dispatch's fence: set (with a ttl) once one of its pushes is refused. */
  fence(token: string): string {
    return `${this.prefix}fence:${token}`;
  }
  get batches(): string {
    return `${this.prefix}{batches}`;
  }
  get batchCounters(): string {
    return `${this.prefix}{batches}:counters`;
  }
  get batchIndex(): string {
    return `${this.prefix}{batches}:index`;
  }
  batchFailed(id: string): string {
    return `${this.prefix}{batches}:failed:${id}`;
  }
  get locks(): string {
    return `${this.prefix}{locks}`;
  }
  /** ZSET lock key -> expiry (ms) of locks with a ttl, so expired ones are pruned by acquire. */
  get lockExpiry(): string {
    return `${this.prefix}{locks}:expiry`;
  }
  get counters(): string {
    return `${this.prefix}{counters}`;
  }
  /** ZSET counter key -> window end (ms), so lapsed counters are pruned by hits. */
  get counterExpiry(): string {
    return `${this.prefix}{counters}:expiry`;
  }
  /**
   * STREAM of events. Another slot than the queues': written by the job scripts on a single server,
   * by the driver right after the step on a Cluster.
   */
  get events(): string {
    return `${this.prefix}events`;
  }
  get workers(): string {
    return `${this.prefix}workers`;
  }
  get meta(): string {
    return `${this.prefix}meta`;
  }
  /** One hash per minute, all in the {metrics} slot so one pipeline reads a day. */
  metrics(minute: number): string {
    return `${this.prefix}{metrics}:${minute}`;
  }
}

function queueKeyNames(prefix: string, queue: string) {
  const base = `${prefix}{${queue}}:`;
  return {
    /** ZSET id -> due time (ms); ready and delayed jobs. */
    ready: `${base}ready`,
    /** ZSET id -> lease expiry (ms). */
    reserved: `${base}reserved`,
    /** HASH id -> envelope JSON (static part). */
    payload: `${base}payload`,
    /** HASH id -> "attempts\texceptions\tlockWaits\ttoken\tworker\treservedAt\tuniqueKey\twaitingOn". */
    state: `${base}state`,
    /** HASH id -> attempt history JSON. */
    history: `${base}history`,
    /** ZSET id -> failed at (ms). */
    failed: `${base}failed`,
    /** HASHes of failed jobs: the stored payload, "attempts\texceptions\tlockWaits\tfailedAt\tuniqueKey", error JSON, history JSON. */
    failedJobs: `${base}failed:payload`,
    failedMeta: `${base}failed:meta`,
    failedError: `${base}failed:error`,
    failedHistory: `${base}failed:history`,
    /** HASH paused, processed, failed. */
    stats: `${base}stats`,
    /** HASH unique key -> "owner\texpiresAt". */
    unique: `${base}unique`,
    /** HASH idempotency key -> "jobId\texpiresAt". */
    idempotency: `${base}idem`,
    /** ZSET idempotency key -> expiry (ms), so expired keys are pruned a few at a time by push. */
    idempotencyExpiry: `${base}idem:expiry`,
    /** SET of ready jobs held back by a lock, throttle or rate limit. */
    waiting: `${base}waiting`,
    /** LIST of wake-up tokens for blocked reserves (single server). */
    notify: `${base}notify`,
    /** Pub/Sub channel (not a key) that wakes blocked reserves on a Cluster. */
    wake: `${base}wake`,
  } as const;
}

export type QueueKeyNames = ReturnType<typeof queueKeyNames>;
