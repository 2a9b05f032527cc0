import { AsyncLocalStorage } from 'node:async_hooks';
import type { Driver, PushResult, StoredEvent } from '../drivers/types.js';
import { WORKER_DEFAULTS } from './attempts.js';
import { dispatchBatch } from './batch.js';
import { buildChainHead } from './chain.js';
import { type LoadedConfig, loadConfig } from './config.js';
import { openDriver, resolveConnection } from './connection.js';
import type { CodeJobDefinition, JobDefinition, QtoolConfig } from './define.js';
import { dispatchJobs, dispatchOptionsFrom } from './dispatch.js';
import type { DispatchInput } from './envelope-builder.js';
import { QtoolError } from './errors.js';
import { eventMatcher, followEvents } from './events.js';
import { newJobId } from './ids.js';
import { type CommitMode, PendingDispatch, takeUnsent } from './pending-dispatch.js';
import { type AttemptResult, runAttempt } from './runner.js';
import { Worker, type WorkerOptions } from './worker.js';

type JobsOf<C> = C extends { jobs: infer J } ? J : Record<string, JobDefinition>;
/** The data a job takes: its `defineJob<TData>` type, or anything for command and http jobs. */
export type DataOf<D> = D extends CodeJobDefinition<infer T> ? T : unknown;
type JobName<C> = Extract<keyof JobsOf<C>, string>;
type JobData<C, K extends JobName<C>> = DataOf<JobsOf<C>[K]>;

export interface CreateQueueOptions<C extends QtoolConfig> {
  /** Jobs, connections and limiters; when omitted, qtool.config.* is loaded from `cwd`. */
  config?: C;
  /** A connection name from the config, or a URL (default as for the CLI). */
  connection?: string;
  /** Use this store instead of opening one. */
  driver?: Driver;
  cwd?: string;
  /** Hold every dispatch inside `queue.transaction` until commit (Laravel's after_commit). */
  afterCommit?: boolean;
}

interface TransactionScope {
  /** Dispatches held until commit, each with the id it was promised. */
  held: DispatchInput[];
}

/** A chain being configured: `queue.chain([...]).catch(job).onQueue(q).dispatch()`. */
export class PendingChain<C extends QtoolConfig> {
  private catchJob: DispatchInput | null = null;
  private queueName: string | null = null;
  constructor(
    private readonly queue: Queue<C>,
    private readonly links: DispatchInput[],
  ) {}
  catch<K extends JobName<C>>(name: K, data?: JobData<C, K>): this {
    this.catchJob = { name, data };
    return this;
  }
  onQueue(queue: string): this {
    this.queueName = queue;
    return this;
  }
  /** Dispatch the first link; resolves to the chain id and the first job's id. */
  async dispatch(): Promise<{ chainId: string; firstId: string }> {
    const head = buildChainHead(this.links, { queue: this.queueName, catch: this.catchJob });
    const [result] = await this.queue.push([head]);
    return { chainId: head.chain!.id, firstId: result!.id };
  }
}

/** A batch being configured: `queue.batch([...]).onSuccess('Job').onFailure('Job').onFinish('Job').dispatch()`. */
export class PendingBatch<C extends QtoolConfig> {
  private readonly options: {
    name?: string;
    allowFailures?: boolean;
    queue?: string;
    onSuccess?: DispatchInput;
    onFailure?: DispatchInput;
    onFinish?: DispatchInput;
  } = {};
  constructor(
    private readonly queue: Queue<C>,
    private readonly jobs: DispatchInput[],
  ) {}
  /** Laravel's then(): dispatched when every job succeeded (not named `then`, which would make the builder a thenable). */
  onSuccess<K extends JobName<C>>(name: K, data?: JobData<C, K>): this {
    this.options.onSuccess = { name, data };
    return this;
  }
  /** Laravel's catch(): dispatched on the first failure, with data.failed. */
  onFailure<K extends JobName<C>>(name: K, data?: JobData<C, K>): this {
    this.options.onFailure = { name, data };
    return this;
  }
  /** Laravel's finally(): dispatched once every job has run. */
  onFinish<K extends JobName<C>>(name: K, data?: JobData<C, K>): this {
    this.options.onFinish = { name, data };
    return this;
  }
  allowFailures(allow = true): this {
    this.options.allowFailures = allow;
    return this;
  }
  onQueue(queue: string): this {
    this.options.queue = queue;
    return this;
  }
  name(name: string): this {
    this.options.name = name;
    return this;
  }
  /** Store the batch and push its jobs; resolves to the batch id. */
  async dispatch(): Promise<string> {
    const driver = await this.queue.driver();
    const { batchId } = await dispatchBatch(driver, this.jobs, this.options, await this.queue.dispatchOptions());
    return batchId;
  }
}

/**
 * The library's entry point: dispatch jobs from application code, run chains, hold dispatches
 * until a transaction commits, listen to events, or run a worker in-process.
 */
export class Queue<C extends QtoolConfig = QtoolConfig> {
  private driverPromise: Promise<Driver> | null = null;
  private loaded: Promise<LoadedConfig>;
  private readonly transactions = new AsyncLocalStorage<TransactionScope>();

  constructor(private readonly options: CreateQueueOptions<C> = {}) {
    const cwd = options.cwd ?? process.cwd();
    this.loaded = options.config
      ? Promise.resolve({ config: options.config, path: null, baseDir: cwd })
      : loadConfig(cwd);
    if (options.driver) this.driverPromise = Promise.resolve(options.driver);
  }

  /** The store, opened on first use. */
  driver(): Promise<Driver> {
    this.driverPromise ??= this.loaded.then((loaded) =>
      openDriver(resolveConnection(loaded, this.options.connection), {
        baseDir: loaded.baseDir,
        config: loaded.config,
      }),
    );
    return this.driverPromise;
  }

  /** Configure a dispatch; it goes out when awaited or when its `using` scope ends. */
  dispatch<K extends JobName<C>>(name: K, data?: JobData<C, K>): PendingDispatch {
    return new PendingDispatch(name, data, (input, connection, mode) => this.send(input, connection, mode));
  }

  /** Dispatch only when the condition holds (evaluated now); resolves to the id, or null. */
  async dispatchIf<K extends JobName<C>>(
    condition: boolean | (() => boolean),
    name: K,
    data?: JobData<C, K>,
  ): Promise<string | null> {
    const holds = typeof condition === 'function' ? condition() : condition;
    return holds ? await this.dispatch(name, data) : null;
  }

  async dispatchUnless<K extends JobName<C>>(
    condition: boolean | (() => boolean),
    name: K,
    data?: JobData<C, K>,
  ): Promise<string | null> {
    const holds = typeof condition === 'function' ? condition() : condition;
    return holds ? null : await this.dispatch(name, data);
  }

  /**
   * Run a job inline, now, through its middleware (whose locks and counters live in the real
   * store, shared with workers). A failure rejects with the job's error.
   */
  async dispatchSync<K extends JobName<C>>(name: K, data?: JobData<C, K>): Promise<AttemptResult> {
    const [loaded, driver] = await Promise.all([this.loaded, this.driver()]);
    const { createMemoryDriver } = await import('../drivers/memory/index.js');
    const inline = createMemoryDriver();
    try {
      await dispatchJobs(inline, [{ name, data }], dispatchOptionsFrom(loaded.config));
      const queue = (loaded.config.jobs?.[name] as JobDefinition | undefined)?.queue ?? 'default';
      const [job] = await inline.jobReserve({ queues: [queue], workerId: 'sync', leaseMs: 3_600_000 });
      if (!job) throw new QtoolError(`dispatchSync could not run ${name}`);
      const result = await runAttempt(
        { ...job, envelope: { ...job.envelope, maxTries: 1 } },
        {
          driver: inline,
          jobs: loaded.config.jobs ?? {},
          defaults: { ...WORKER_DEFAULTS, timeout: 0 },
          workerId: 'sync',
          middleware: { driver, limiters: loaded.config.limiters ?? {} },
        },
      );
      if (result.status === 'failed') throw new QtoolError(`${name} failed: ${result.error}`);
      return result;
    } finally {
      await inline.close();
    }
  }

  /** Jobs that run strictly in order: `queue.chain([{ name, data }, …]).catch('Notify').dispatch()`. */
  chain(links: { name: JobName<C>; data?: unknown; queue?: string }[]): PendingChain<C> {
    return new PendingChain(this, links as DispatchInput[]);
  }

  /** Jobs that run in parallel as one batch, with then / catch / finally jobs. */
  batch(jobs: { name: JobName<C>; data?: unknown; queue?: string }[]): PendingBatch<C> {
    return new PendingBatch(this, jobs as DispatchInput[]);
  }

  /** Options for dispatchJobs from the loaded config. */
  async dispatchOptions() {
    const loaded = await this.loaded;
    return dispatchOptionsFrom(loaded.config);
  }

  /**
   * Run `body`; dispatches made through `tx` (or with `.afterCommit()`) are held and sent when it
   * returns, and dropped when it throws. Awaiting a held dispatch gives the id it will have.
   */
  async transaction<T>(body: (tx: { dispatch: Queue<C>['dispatch'] }) => Promise<T>): Promise<T> {
    const scope: TransactionScope = { held: [] };
    const tx = {
      dispatch: <K extends JobName<C>>(name: K, data?: JobData<C, K>) =>
        new PendingDispatch(name, data, (input, connection, mode) =>
          this.send(input, connection, mode === 'default' ? 'afterCommit' : mode),
        ),
    };
    let result: T;
    try {
      result = await this.transactions.run(scope, () => body(tx));
    } catch (error) {
      scope.held.length = 0; // rolled back: the held jobs never existed
      throw error;
    }
    if (scope.held.length > 0) await this.push(scope.held);
    return result;
  }

  /** Listen to lifecycle events (`job.*`, `lock.*`, `*`); returns a function that stops listening. */
  on(pattern: string | string[], listener: (event: StoredEvent) => void): () => void {
    const matches = eventMatcher(Array.isArray(pattern) ? pattern : [pattern]);
    const stop = new AbortController();
    void (async () => {
      const driver = await this.driver();
      for await (const event of followEvents(driver, { signal: stop.signal })) if (matches(event.name)) listener(event);
    })().catch(() => {});
    return () => stop.abort();
  }

  /** `queue.cleared` events (Laravel's queue flushed). */
  onFlushed(listener: (event: StoredEvent) => void): () => void {
    return this.on('queue.cleared', listener);
  }

  /** A worker in this process, running the config's jobs. */
  async worker(options: Partial<WorkerOptions> = {}): Promise<Worker> {
    const [loaded, driver] = await Promise.all([this.loaded, this.driver()]);
    return new Worker({
      driver,
      jobs: loaded.config.jobs ?? {},
      limiters: loaded.config.limiters,
      queues: ['default'],
      defaults: WORKER_DEFAULTS,
      ...options,
    });
  }

  /** Push prepared inputs now (no transaction holding). */
  async push(inputs: DispatchInput[]): Promise<PushResult[]> {
    const [loaded, driver] = await Promise.all([this.loaded, this.driver()]);
    const { results } = await dispatchJobs(driver, inputs, dispatchOptionsFrom(loaded.config));
    return results;
  }

  /** Send dispatches still waiting (reporting them), then close the store. */
  async close(): Promise<void> {
    const leftovers = takeUnsent();
    if (leftovers.length) {
      process.stderr.write(
        `qtool: ${leftovers.length} dispatch(es) were never awaited nor scoped; dispatching them now\n`,
      );
      await Promise.all(leftovers.map((p) => p.dispatch()));
    }
    if (this.driverPromise) await (await this.driverPromise).close();
  }

  private async send(input: DispatchInput, connection: string | undefined, mode: CommitMode): Promise<PushResult> {
    if (connection && connection !== this.options.connection) {
      const other = new Queue<C>({ ...this.options, connection, driver: undefined });
      try {
        return (await other.push([input]))[0]!;
      } finally {
        await other.close();
      }
    }
    const scope = this.transactions.getStore();
    const hold = scope && (mode === 'afterCommit' || (mode === 'default' && this.options.afterCommit));
    if (!hold) return (await this.push([input]))[0]!;
    // The caller learns its id now; the push happens at commit.
    const id = newJobId();
    scope.held.push({ ...input, id });
    return { id, status: 'queued' };
  }
}

export function createQueue<const C extends QtoolConfig>(options: CreateQueueOptions<C> = {}): Queue<C> {
  return new Queue(options);
}

/** Run `fn` once per key within a scope (request-scoped "only once"); pass your own scope in long-lived workers. */
export class OnceScope {
  private readonly results = new Map<string, unknown>();
  once<T>(key: string, fn: () => T): T {
    if (!this.results.has(key)) this.results.set(key, fn());
    return this.results.get(key) as T;
  }
  clear(): void {
    this.results.clear();
  }
}

const defaultOnceScope = new OnceScope();

export function once<T>(key: string, fn: () => T, scope: OnceScope = defaultOnceScope): T {
  return scope.once(key, fn);
}
