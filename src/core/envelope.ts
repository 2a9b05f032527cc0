/**
 * The job envelope: one JSON document per job, identical in every driver.
 * Static fields are fixed at dispatch; `attempts`, `exceptions` and `lockWaits` are
 * maintained by the driver (they change atomically with reserve/release).
 */
export interface JobEnvelope {
  /** Sortable unique id (ULID), stable across releases and retries. */
  id: string;
  /** Registered job name (a key of `jobs` in the config). */
  name: string;
  queue: string;
  /** Connection name the job was dispatched on (informational). */
  connection: string | null;
  data: unknown;
  /** Pick-ups so far; the driver increments it at every reserve. */
  attempts: number;
  /** Attempts that ended in an exception (for maxExceptions). */
  exceptions: number;
  /** Releases caused by a busy overlap lock; they hand the attempt back. */
  lockWaits: number;
  /** null: the worker's --tries default; 0: unlimited. */
  maxTries: number | null;
  maxExceptions: number | null;
  /** Seconds; a list is indexed by attempt-1, its last value repeating. */
  backoff: number | number[] | null;
  /** Seconds; null: the worker's --timeout default. */
  timeout: number | null;
  failOnTimeout: boolean;
  /** Epoch ms; when set it replaces maxTries. */
  retryUntil: number | null;
  middleware: MiddlewareSpec[];
  unique: UniqueSpec | null;
  idempotencyKey: string | null;
  chain: ChainSpec | null;
  /** The batch this job belongs to. */
  batchId?: string | null;
  tags: string[];
  /** Epoch ms. */
  dispatchedAt: number;
  /** Epoch ms: when the job first became (or becomes) available. */
  availableAt: number;
  /** Set when a key is configured: MAC over every field above but the counters (src/core/seal.ts). */
  signature?: string;
  /** `data` holds AES-256-GCM ciphertext (Laravel's ShouldBeEncrypted). */
  encrypted?: boolean;
}

/** Every scalar setting's default: what a field is when a job leaves it unset. */
export const ENVELOPE_DEFAULTS = {
  connection: null,
  data: null,
  attempts: 0,
  exceptions: 0,
  lockWaits: 0,
  maxTries: null,
  maxExceptions: null,
  backoff: null,
  timeout: null,
  failOnTimeout: false,
  retryUntil: null,
  unique: null,
  idempotencyKey: null,
  chain: null,
} as const satisfies Partial<JobEnvelope>;

/** An envelope with every optional setting at its default: nothing set, available at `at`. */
export function plainEnvelope(
  fields: Pick<JobEnvelope, 'id' | 'name' | 'queue'> & Partial<JobEnvelope>,
  at = Date.now(),
): JobEnvelope {
  return { ...ENVELOPE_DEFAULTS, middleware: [], tags: [], dispatchedAt: at, availableAt: at, ...fields };
}

/** Declarative middleware as it travels in the envelope (job files and `middleware(data)`). */
export type MiddlewareSpec =
  | {
      withoutOverlapping: {
        key: string;
        releaseAfter?: number;
        dontRelease?: boolean;
        expireAfter?: number | null;
        shared?: boolean;
      };
    }
  | {
      throttlesExceptions: {
        maxExceptions?: number;
        /** Seconds. */
        decay?: number;
        /** Seconds. */
        backoff?: number;
        by?: string;
        byJob?: boolean;
      };
    }
  | { rateLimited: { name: string; dontRelease?: boolean } }
  | { skipIf: boolean }
  | { skipUnless: boolean };

export interface UniqueSpec {
  key: string;
  /** Seconds; null: held until the job completes or finally fails. */
  ttl: number | null;
  untilProcessing: boolean;
}

/** The links still to run after this job, carried by each link in turn. */
export interface ChainSpec {
  id: string;
  /** 0-based position of the job carrying this spec. */
  index: number;
  total: number;
  /** Envelopes (without ids yet) of the links after this one. */
  remaining: ChainLink[];
  queue: string | null;
  connection: string | null;
  catch: ChainLink | null;
}

export interface ChainLink {
  name: string;
  data: unknown;
  queue?: string | null;
  maxTries?: number | null;
  backoff?: number | number[] | null;
  timeout?: number | null;
  middleware?: MiddlewareSpec[];
  tags?: string[];
}

/** One pick-up of a job, kept with the job (and its failed record). */
export interface AttemptRecord {
  attempt: number;
  workerId: string;
  startedAt: number;
  endedAt: number;
  outcome: 'completed' | 'released' | 'failed' | 'exception' | 'timeout' | 'deleted';
  error?: string;
  /** Captured output of command jobs, each capped. */
  stdout?: string;
  stderr?: string;
}

export interface JobError {
  message: string;
  stack?: string;
}
