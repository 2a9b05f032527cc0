import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Driver, ReservedJob, WorkerInfo } from '../drivers/types.js';
import { AttemptAbort } from './attempt-abort.js';
import type { AttemptDefaults } from './attempts.js';
import type { JobDefinition, RateLimiterDefinition } from './define.js';
import type { JobEnvelope } from './envelope.js';
import { errorMessage } from './errors.js';
import { newToken } from './ids.js';
import { JobFetcher } from './job-fetcher.js';
import { type InFlight, LeaseRenewer } from './lease-renewer.js';
import { type AttemptResult, type ExecutedAttempt, executeAttempt, type RunnerDeps, recordAttempt } from './runner.js';
import { WorkerMetrics } from './worker-metrics.js';

export type StopReason =
  | 'interrupted'
  | 'forced'
  | 'max_jobs'
  | 'max_time'
  | 'memory'
  | 'restart'
  | 'empty'
  | 'once'
  | 'stuck';

export interface WorkerOptions {
  driver: Driver;
  jobs: Record<string, JobDefinition>;
  limiters?: Record<string, RateLimiterDefinition>;
  queues: string[];
  concurrency?: number;
  leaseMs?: number;
  /** Longest wait for a job before checking stop conditions again. */
  sleepMs?: number;
  maxJobs?: number;
  maxTimeMs?: number;
  stopWhenEmpty?: boolean;
  once?: boolean;
  memoryMb?: number;
  defaults: AttemptDefaults;
  workerId?: string;
  heartbeatMs?: number;
  abortGraceMs?: number;
  onResult?: (result: AttemptResult) => void;
  /** Trouble the worker survives (store unreachable, lease lost): one line for the log. */
  onWarning?: (message: string) => void;
}

/** Exit codes by stop reason, as `qtool work` reports them (Laravel exits 12 on memory). */
export const STOP_EXIT_CODES: Record<StopReason, number> = {
  interrupted: 0,
  forced: 0,
  max_jobs: 0,
  max_time: 0,
  restart: 0,
  empty: 0,
  once: 0,
  memory: 12,
  stuck: 1,
};

/**
 * The worker loop: `concurrency` async slots reserve from the queues in priority order, run one
 * attempt each, and record the outcome. Leases are renewed while a job runs (LeaseRenewer); a job
 * whose lease was lost is aborted and its outcome discarded by the store.
 */
export class Worker {
  readonly id: string;
  private readonly options: Required<Pick<WorkerOptions, 'concurrency' | 'leaseMs' | 'sleepMs' | 'heartbeatMs'>> &
    WorkerOptions;
  private readonly idle = new AbortController();
  private readonly force = new AbortController();
  private readonly inFlight = new Map<string, InFlight>();
  /** Outcomes on their way to the store while their slots already run the next job. */
  private readonly recordings = new Set<Promise<void>>();
  private stopReason: StopReason | null = null;
  private processed = 0;
  private failed = 0;
  private handled = 0;
  /** The store's clock at start: `qtool restart` stamps its time with the same clock. */
  private startedAt = 0;
  private lastRestartCheck = 0;
  private lastYield = 0;
  private readonly metrics: WorkerMetrics;
  private readonly leases: LeaseRenewer;
  private deps: RunnerDeps | undefined;
  /** The last reserve came back empty (--stop-when-empty then checks after each outcome stored). */
  private foundNothing = false;
  private readonly fetcher: JobFetcher;
  /** Jobs asked for by reserve calls still under way (they count against --max-jobs / --once). */
  private asking = 0;

  constructor(options: WorkerOptions) {
    this.options = { concurrency: 1, leaseMs: 30_000, sleepMs: 3000, heartbeatMs: 5000, ...options };
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${newToken().slice(0, 6)}`;
    // Every slot and running job listens on these two signals.
    setMaxListeners(0, this.idle.signal, this.force.signal);
    this.metrics = new WorkerMetrics(options.driver, options.onWarning);
    this.leases = new LeaseRenewer(() => this.inFlight.values(), {
      driver: options.driver,
      leaseMs: this.options.leaseMs,
      onWarning: options.onWarning,
    });
    this.fetcher = new JobFetcher((limit, blockMs) => this.reserveFor(limit, blockMs), {
      pipelined: options.driver.capabilities.pipelinedReserve === true,
    });
  }

  /** One store call for the slots the fetcher serves together (see JobFetcher). */
  private async reserveFor(limit: number, blockMs: number): Promise<ReservedJob[]> {
    // A slot may have asked just before the worker began stopping: take nothing more then.
    if (this.stopping) return [];
    const { driver, queues, leaseMs } = this.options;
    // --max-jobs / --once count jobs taken, not only jobs finished: idle slots never take more than
    // the worker has left to run; they wait until it stops (or a running job is released).
    // Calls that overlap (a look beside a blocking wait, or the first half's next call while the
    // second half waits its turn) share the budget: each holds back what it asks for, and jobs a
    // call brought back that wait for their turn to start count as taken.
    const left = this.jobsLeft() - this.asking - this.fetcher.held;
    if (left <= 0) {
      await sleep(blockMs, this.idle.signal);
      return [];
    }
    const ask = Math.min(limit, left);
    this.asking += ask;
    try {
      return await driver.jobReserve({
        queues,
        workerId: this.id,
        leaseMs,
        limit: ask,
        blockMs,
        signal: this.idle.signal,
        emitEvents: true,
      });
    } finally {
      this.asking -= ask;
    }
  }

  /** Stop taking jobs and finish those in hand; `force` aborts them too (they are released). */
  stop(reason: StopReason = 'interrupted', force = false): void {
    this.stopReason ??= reason;
    this.idle.abort(reason);
    if (force) {
      this.stopReason = 'forced';
      this.force.abort('worker shutting down');
      for (const entry of this.inFlight.values()) entry.abort.abort(this.force.signal.reason);
    }
  }

  get stopping(): boolean {
    return this.stopReason !== null;
  }

  async run(): Promise<StopReason> {
    const { driver } = this.options;
    this.startedAt = await driver.now();
    this.lastRestartCheck = Date.now();
    // --max-time on this process's clock (the store's may be skewed), busy or idle: a timer, so it
    // also holds while the slots wait on the store.
    const maxTime = this.options.maxTimeMs ? setTimeout(() => this.stop('max_time'), this.options.maxTimeMs) : null;
    maxTime?.unref();
    await this.beat();
    await driver.eventsAppend([
      { name: 'worker.started', workerId: this.id, details: { queues: this.options.queues } },
    ]);
    const heartbeat = setInterval(() => void this.beat().catch(() => {}), this.options.heartbeatMs);
    heartbeat.unref();
    this.metrics.start();
    this.leases.start();
    try {
      const slots = Array.from({ length: this.options.concurrency }, () => this.slot());
      await Promise.all(slots);
      while (this.recordings.size > 0) await Promise.all(this.recordings);
    } finally {
      clearInterval(heartbeat);
      if (maxTime) clearTimeout(maxTime);
      this.leases.stop();
      await this.metrics.stop();
      const reason = this.stopReason ?? 'interrupted';
      await driver.eventsAppend([{ name: 'worker.stopped', workerId: this.id, details: { reason } }]).catch(() => {});
      await driver.workerRemove(this.id).catch(() => {});
    }
    return this.stopReason ?? 'interrupted';
  }

  private async slot(): Promise<void> {
    const { sleepMs, stopWhenEmpty } = this.options;
    let failures = 0;
    // With --stop-when-empty, look without waiting first (at start and after each job), so a
    // worker whose queues just ran dry stops at once instead of after a full --sleep.
    let lookFirst = stopWhenEmpty === true;
    while (!this.stopping) {
      let job: ReservedJob | null;
      try {
        job = await this.fetcher.next(lookFirst ? 0 : sleepMs);
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures === 1) this.options.onWarning?.(`cannot reserve jobs: ${errorMessage(error)}; retrying`);
        await sleep(Math.min(100 * 2 ** failures, 5000), this.idle.signal);
        continue;
      }
      if (!job) {
        this.foundNothing = true;
        if (stopWhenEmpty && !this.stopping && (await this.queuesEmpty())) this.stop('empty');
        lookFirst = false;
        await this.checkRestart();
        continue;
      }
      this.foundNothing = false;
      lookFirst = stopWhenEmpty === true;
      await this.process(job);
      this.checkLimits();
      await this.checkRestart();
      // A synchronous store resolves every await at once: yield now and then so timers (job
      // sleeps, lease renewals, heartbeats) and other slots get their turn.
      if (Date.now() - this.lastYield >= 5) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.lastYield = Date.now();
      }
    }
  }

  /**
   * Run one job's attempt. The slot is free again once the handler is done: a plain outcome
   * (completed, released, deleted) is recorded in the background while the slot asks for its next
   * job, so the store gets the acknowledgement and the next reserve back to back (one round trip
   * on Redis instead of two).
   * The job stays in `inFlight` until its outcome is stored, which keeps --max-jobs, --once,
   * --stop-when-empty and the worker registry exact.
   */
  private async process(job: ReservedJob): Promise<void> {
    const envelope = job.envelope;
    const now = Date.now();
    const entry: InFlight = {
      envelope,
      token: job.token,
      startedAt: now,
      abort: new AttemptAbort(),
      renewedAt: now,
      recording: false,
    };
    if (this.force.signal.aborted) entry.abort.abort(this.force.signal.reason);
    this.inFlight.set(envelope.id, entry);
    const deps = this.runnerDeps();
    let executed: ExecutedAttempt | Error;
    try {
      executed = await executeAttempt(job, deps, entry.abort);
    } catch (error) {
      executed = error instanceof Error ? error : new Error(String(error));
    }
    entry.recording = true;
    const recording: Promise<void> = this.record(job, executed, deps).then(() => {
      this.recordings.delete(recording);
      this.afterRecording();
    });
    this.recordings.add(recording);
    // A failure (its failed() hook, a chain's catch) and a batch job's bookkeeping (cancelling the
    // rest on a failure) are seen through before the slot moves on, as in a one-at-a-time worker.
    if (!(executed instanceof Error) && !mayOverlap(executed)) await recording;
  }

  /** Store the outcome; never rejects (a failure leaves the job to its lease, and is logged). */
  private async record(job: ReservedJob, executed: ExecutedAttempt | Error, deps: RunnerDeps): Promise<void> {
    try {
      if (executed instanceof Error) throw executed;
      const result = await recordAttempt(executed, deps);
      this.handled += 1;
      if (result.status === 'completed' || result.status === 'deleted') this.processed += 1;
      if (result.status === 'failed') this.failed += 1;
      this.metrics.record(job, result);
      this.options.onResult?.(result);
    } catch (error) {
      // The store failed while recording the outcome: the lease will expire and the job run again.
      this.options.onWarning?.(`cannot record the outcome of job ${job.envelope.id}: ${errorMessage(error)}`);
    } finally {
      this.inFlight.delete(job.envelope.id);
    }
  }

  /**
   * Limits count recorded jobs; and when a slot last found nothing, the last outcome stored may
   * be what empties the queues.
   */
  private afterRecording(): void {
    this.checkLimits();
    if (this.options.stopWhenEmpty && this.foundNothing && !this.stopping && this.inFlight.size === 0)
      void this.queuesEmpty().then((empty) => {
        if (empty && !this.stopping) this.stop('empty');
      });
  }

  private runnerDeps(): RunnerDeps {
    if (this.deps) return this.deps;
    const { driver, jobs, defaults, abortGraceMs } = this.options;
    this.deps = {
      driver,
      jobs,
      defaults,
      workerId: this.id,
      abortGraceMs,
      middleware: { driver, limiters: this.options.limiters ?? {} },
      onStuck: (envelope: JobEnvelope) => {
        this.options.onWarning?.(
          `job ${envelope.id} (${envelope.name}) ignored its abort signal; this worker stops taking jobs`,
        );
        this.stop('stuck');
        this.stopReason = 'stuck';
      },
    };
    return this.deps;
  }

  private jobsLeft(): number {
    const { maxJobs, once } = this.options;
    const budget = once ? 1 : maxJobs ? maxJobs : Number.POSITIVE_INFINITY;
    return budget - this.handled - this.inFlight.size;
  }

  private checkLimits(): void {
    const { maxJobs, memoryMb, once } = this.options;
    if (once) this.stop('once');
    else if (maxJobs && this.handled >= maxJobs) this.stop('max_jobs');
    else if (memoryMb && process.memoryUsage.rss() / 1024 / 1024 >= memoryMb) this.stop('memory');
  }

  /** `qtool restart` stores a timestamp; a worker started before it stops after its current job. */
  private async checkRestart(): Promise<void> {
    if (Date.now() - this.lastRestartCheck < 1000) return;
    this.lastRestartCheck = Date.now();
    const value = await this.options.driver.metaGet('restart').catch(() => null);
    if (value && Number(value) > this.startedAt) this.stop('restart');
  }

  /** Empty: nothing pending, delayed or reserved left on this worker's queues. */
  private async queuesEmpty(): Promise<boolean> {
    // A job still in this worker's hands may dispatch more (a chain's next link, a batch's then
    // job) after its own row is gone: the queues are not empty until it has finished.
    if (this.inFlight.size > 0) return false;
    const stats = await this.options.driver.queueStats().catch(() => null);
    if (!stats) return false;
    return stats
      .filter((s) => this.options.queues.includes(s.queue))
      .every((s) => s.pending + s.delayed + s.reserved === 0);
  }

  private async beat(): Promise<void> {
    const info: WorkerInfo = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      queues: this.options.queues,
      startedAt: this.startedAt,
      concurrency: this.options.concurrency,
      current: [...this.inFlight.values()].map((f) => ({
        jobId: f.envelope.id,
        name: f.envelope.name,
        queue: f.envelope.queue,
        startedAt: f.startedAt,
      })),
      processed: this.processed,
      failed: this.failed,
      status: this.stopping ? 'stopping' : 'running',
    };
    await this.options.driver.workerBeat(info);
  }
}

/** Whether the next job may start while this outcome is still being recorded. */
function mayOverlap(executed: ExecutedAttempt): boolean {
  return executed.kind === 'ran' && executed.job.outcome?.type !== 'fail' && !executed.job.envelope.batchId;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
