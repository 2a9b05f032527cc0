import type { ReservedJob } from '../drivers/types.js';

/** One store call: reserve up to `limit` jobs, waiting up to `blockMs` for the first. */
export type ReserveCall = (limit: number, blockMs: number) => Promise<ReservedJob[]>;

interface Waiter {
  blockMs: number;
  resolve: (job: ReservedJob | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Serves the worker's idle slots: the slots that ask within one turn of the event loop are served
 * by one store call (`limit` = how many asked), so at concurrency N a busy worker reserves several
 * jobs per transaction or round trip instead of one. Nothing is fetched ahead: every job reserved
 * goes to a slot that is waiting for it, so a reserved job is always a running one.
 * Slots asking to look without waiting (`blockMs` 0) and slots willing to wait are served by
 * separate calls, so a quick look never waits behind a blocking one.
 */
export class JobFetcher {
  private waiting: Waiter[] = [];
  private scheduled = false;

  constructor(private readonly reserve: ReserveCall) {}

  /** The next job for one slot, or null when none came within `blockMs`. */
  next(blockMs: number): Promise<ReservedJob | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ blockMs, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const waiters = this.waiting;
    this.waiting = [];
    const looking = waiters.filter((w) => w.blockMs === 0);
    const blocking = waiters.filter((w) => w.blockMs !== 0);
    if (looking.length > 0) void this.serve(looking, 0);
    if (blocking.length > 0) void this.serve(blocking, Math.min(...blocking.map((w) => w.blockMs)));
  }

  private async serve(waiters: Waiter[], blockMs: number): Promise<void> {
    let jobs: ReservedJob[];
    try {
      jobs = await this.reserve(waiters.length, blockMs);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    // Fewer jobs than slots: the queues are drained for now; the rest look again.
    for (const [i, waiter] of waiters.entries()) waiter.resolve(jobs[i] ?? null);
  }
}
