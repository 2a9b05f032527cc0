import type { MiddlewareSpec } from './envelope.js';
import type { Middleware } from './middleware/types.js';

/** Durations as users write them: '30s', '5m', '1h30m', or a number of seconds. */
export type Duration = number | string;

/** What a running job's handler receives besides its data. */
export interface JobContext<TData = unknown> {
  readonly id: string;
  readonly name: string;
  readonly queue: string;
  /** 1 on the first pick-up. */
  readonly attempt: number;
  readonly data: TData;
  readonly workerId: string;
  /** Aborts on timeout and on a forced shutdown. */
  readonly signal: AbortSignal;
  log(...args: unknown[]): void;
  /** Put the job back, available again after `delay` (uses a try). */
  release(delay?: Duration): void;
  /** Fail the job now, without further tries. */
  fail(error?: unknown): void;
  /** Drop the job as done without an error (a chain continues). */
  delete(): void;
}

interface JobOptions {
  tries?: number;
  maxExceptions?: number;
  backoff?: Duration | Duration[];
  timeout?: Duration;
  failOnTimeout?: boolean;
  /** A duration after dispatch, a date, or a function computing the deadline at dispatch. */
  retryUntil?: Duration | Date | (() => Date | number);
  queue?: string;
  unique?: { key: string | ((data: never) => string); for?: Duration; untilProcessing?: boolean };
  /** Store this job's data encrypted (needs QTOOL_KEY); Laravel's ShouldBeEncrypted. */
  encrypted?: boolean;
}

export interface CodeJobDefinition<TData = unknown> extends JobOptions {
  handle(data: TData, ctx: JobContext<TData>): unknown;
  /** Runs once when the job finally fails. */
  failed?(data: TData, error: Error): unknown;
  middleware?: (data: TData) => (Middleware | MiddlewareSpec)[];
}

export interface CommandJobDefinition extends JobOptions {
  /** argv template: `{field}` and `{a.b}` are filled from data; never run through a shell. */
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
  middleware?: MiddlewareSpec[];
}

export interface HttpJobDefinition extends JobOptions {
  http: {
    /** `{field}` placeholders are filled from data (URL-encoded). */
    url: string;
    method?: string;
    headers?: Record<string, string>;
    /** Request body; defaults to the job's data as JSON for methods that take a body. */
    body?: unknown;
  };
  middleware?: MiddlewareSpec[];
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds jobs of every data type.
export type JobDefinition<TData = any> = CodeJobDefinition<TData> | CommandJobDefinition | HttpJobDefinition;

export interface RateLimiterDefinition {
  max: number;
  per: Duration;
  by?: (data: unknown) => string;
}

export interface QtoolConfig {
  /** Named connections: 'sqlite:path', 'memory:', 'sync:', 'redis://…'; `default` is used unless told otherwise. */
  connections?: Record<string, string>;
  jobs?: Record<string, JobDefinition>;
  limiters?: Record<string, RateLimiterDefinition>;
  worker?: {
    tries?: number;
    timeout?: Duration;
    backoff?: Duration | Duration[];
    lease?: Duration;
    concurrency?: number;
  };
  /** Largest job accepted at dispatch: bytes, or '512kb', '2mb'. Default 1 MiB. */
  maxJobSize?: number | string;
  /**
   * Job signing and encryption. Prefer QTOOL_KEY (and QTOOL_PREVIOUS_KEYS when rotating) in the
   * environment to a key written in the config file.
   */
  security?: {
    key?: string;
    previousKeys?: string[];
    /** Encrypt every job's data, not only jobs defined with `encrypted: true`. */
    encrypt?: boolean;
  };
}

/** Types only: a plain object works the same. */
export function defineConfig<const T extends QtoolConfig>(config: T): T {
  return config;
}

/** Types only: `defineJob<{ podcastId: number }>({ handle(data) {…} })`. */
export function defineJob<TData = unknown>(definition: CodeJobDefinition<TData>): CodeJobDefinition<TData>;
export function defineJob(definition: CommandJobDefinition): CommandJobDefinition;
export function defineJob(definition: HttpJobDefinition): HttpJobDefinition;
export function defineJob(definition: JobDefinition): JobDefinition {
  return definition;
}

export function isCodeJob(definition: JobDefinition): definition is CodeJobDefinition {
  return typeof (definition as CodeJobDefinition).handle === 'function';
}
export function isCommandJob(definition: JobDefinition): definition is CommandJobDefinition {
  return Array.isArray((definition as CommandJobDefinition).command);
}
export function isHttpJob(definition: JobDefinition): definition is HttpJobDefinition {
  return typeof (definition as HttpJobDefinition).http === 'object';
}
