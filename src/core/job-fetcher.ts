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
 * goes to a slot that is waiting for it, so a reserved job is a running one (at most one turn of
 * the event loop later, for the second half of a reserve on a pipelined store).
 * Slots asking to look without waiting (`blockMs` 0) and slots willing to wait are served by
 * separate calls, so a quick look never waits behind a blocking one.
 */
export class JobFetcher {
  private waiting: Waiter[] = [];
  private scheduled = false;
  /** Jobs reserved and not yet handed to their slots (the second half of a large reserve). */
  private heldBack = 0;

  constructor(
    private readonly reserve: ReserveCall,
    private readonly options: { pipelined?: boolean } = {},
  ) {}

  /** How many reserved jobs wait for their turn to start: a worker's --max-jobs counts them as taken. */
  get held(): number {
    return this.heldBack;
  }

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
    const handOver = (from: number, to: number) => {
      for (let i = from; i < to; i++) waiters[i]!.resolve(jobs[i] ?? null);
    };
    if (!this.options.pipelined || jobs.length < 2) return handOver(0, waiters.length);
    // On a pipelined store the jobs start in two turns of the event loop: the first half's
    // acknowledgements and next reserve then reach the store while the second half runs, instead
    // of all of them after the last job. At concurrency 50 on Redis, a worker and the server had
    // taken turns, each idle while the other worked: no-op jobs went 37,000 -> 40,000 jobs/s
    // (alternated runs), 43,000 with the acknowledgements and the reserve in one write. Below 17
    // slots, two calls for half of them each had done this; starting one call's jobs in two turns
    // beat them at every size tried (fresh worker processes, alternated: concurrency 2 7,000-7,700
    // -> 8,700-9,300 jobs/s, 5 12,000-13,200 -> 14,000-15,800, 10 17,700-17,900 -> 19,400-22,600).
    const half = Math.ceil(jobs.length / 2);
    const later = jobs.length - half;
    this.heldBack += later;
    handOver(0, half);
    await nextTurnAfterThis();
    this.heldBack -= later;
    handOver(half, waiters.length);
  }
}

/** Resolves in the event loop's next turn: after this turn's immediates (a reserve a slot asked for). */
function nextTurnAfterThis(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
