import type { PushResult } from '../drivers/types.js';
import type { Duration } from './define.js';
import { parseDurationSeconds } from './duration.js';
import type { DispatchInput } from './envelope-builder.js';

/** Sends a configured dispatch; provided by the queue (or a transaction holding it back). */
export type DispatchSender = (
  input: DispatchInput,
  connection: string | undefined,
  mode: CommitMode,
) => Promise<PushResult>;
export type CommitMode = 'default' | 'afterCommit' | 'beforeCommit';

const unsent = new Set<PendingDispatch>();
let exitHookInstalled = false;

/**
 * Laravel's PendingDispatch without a destructor: configure fluently, then it dispatches exactly
 * once, when awaited (resolving to the job id) or when its `using` scope ends. One left neither
 * awaited nor scoped is reported on stderr when the process is about to exit, and dispatched then
 * rather than lost.
 */
export class PendingDispatch implements PromiseLike<string> {
  private readonly input: DispatchInput;
  private connection: string | undefined;
  private mode: CommitMode = 'default';
  private sent: Promise<PushResult> | null = null;

  constructor(
    name: string,
    data: unknown,
    private readonly send: DispatchSender,
  ) {
    this.input = { name, data };
    unsent.add(this);
    installExitHook();
  }

  onQueue(queue: string): this {
    this.input.queue = queue;
    return this;
  }
  onConnection(connection: string): this {
    this.connection = connection;
    return this;
  }
  delay(delay: Duration | Date): this {
    if (delay instanceof Date) this.input.at = delay.getTime();
    else this.input.delaySeconds = parseDurationSeconds(delay);
    return this;
  }
  tries(tries: number): this {
    this.input.tries = tries;
    return this;
  }
  backoff(backoff: Duration | Duration[]): this {
    this.input.backoff = Array.isArray(backoff)
      ? backoff.map((b) => parseDurationSeconds(b))
      : parseDurationSeconds(backoff);
    return this;
  }
  timeout(timeout: Duration): this {
    this.input.timeout = parseDurationSeconds(timeout);
    return this;
  }
  retryUntil(until: Date | Duration): this {
    this.input.retryUntil = until instanceof Date ? until.getTime() : Date.now() + parseDurationSeconds(until) * 1000;
    return this;
  }
  unique(key: string, options: { for?: Duration; untilProcessing?: boolean } = {}): this {
    this.input.unique = {
      key,
      ttl: options.for === undefined ? null : parseDurationSeconds(options.for),
      untilProcessing: options.untilProcessing ?? false,
    };
    return this;
  }
  idempotencyKey(key: string): this {
    this.input.idempotencyKey = key;
    return this;
  }
  tags(...tags: string[]): this {
    this.input.tags = [...(this.input.tags ?? []), ...tags];
    return this;
  }
  /** Hold the dispatch until the surrounding `queue.transaction` commits. */
  afterCommit(): this {
    this.mode = 'afterCommit';
    return this;
  }
  /** Dispatch at once even inside a transaction (overrides a connection's afterCommit default). */
  beforeCommit(): this {
    this.mode = 'beforeCommit';
    return this;
  }

  /** Dispatch now (once); resolves to the push result (queued, duplicate or existing). */
  dispatch(): Promise<PushResult> {
    if (!this.sent) {
      unsent.delete(this);
      this.sent = this.send({ ...this.input }, this.connection, this.mode);
    }
    return this.sent;
  }

  // biome-ignore lint/suspicious/noThenProperty: awaiting a PendingDispatch is what dispatches it.
  then<R1 = string, R2 = never>(
    onFulfilled?: ((id: string) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.dispatch()
      .then((result) =>
        result.status === 'existing' ? result.existingId : result.status === 'duplicate' ? result.heldBy : result.id,
      )
      .then(onFulfilled, onRejected);
  }

  [Symbol.dispose](): void {
    void this.dispatch().catch((error) =>
      process.emitWarning(`qtool: scoped dispatch of ${this.input.name} failed: ${error}`),
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispatch();
  }

  get jobName(): string {
    return this.input.name;
  }
}

/** Dispatches created but never awaited nor scoped (the exit hook and `queue.close()` report them). */
export function takeUnsent(): PendingDispatch[] {
  const list = [...unsent];
  unsent.clear();
  return list;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('beforeExit', () => {
    const leftovers = takeUnsent();
    if (leftovers.length === 0) return;
    process.stderr.write(
      `qtool: ${leftovers.length} dispatch(es) were never awaited nor scoped with \`using\` (${leftovers.map((p) => p.jobName).join(', ')}); dispatching them now\n`,
    );
    for (const pending of leftovers)
      void pending.dispatch().catch((error) => process.stderr.write(`qtool: ${error}\n`));
  });
}
