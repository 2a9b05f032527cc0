/** The qtool library: define jobs and connections, dispatch from code, run workers in-process. */
export type { AttemptDefaults } from './core/attempts.js';
export { WORKER_DEFAULTS } from './core/attempts.js';
export { buildChainHead } from './core/chain.js';
export { loadConfig } from './core/config.js';
export { maskUrl, openDriver, resolveConnection } from './core/connection.js';
export type {
  CodeJobDefinition,
  CommandJobDefinition,
  Duration,
  HttpJobDefinition,
  JobContext,
  JobDefinition,
  QtoolConfig,
  RateLimiterDefinition,
} from './core/define.js';
export { defineConfig, defineJob } from './core/define.js';
export { dispatchJobs } from './core/dispatch.js';
export { formatDuration, parseDurationMs, parseDurationSeconds } from './core/duration.js';
export type { JobEnvelope, MiddlewareSpec } from './core/envelope.js';
export type { DispatchInput } from './core/envelope-builder.js';
export { InputError, QtoolError } from './core/errors.js';
export { eventMatcher } from './core/events.js';
export { rateLimited } from './core/middleware/rate-limited.js';
export { skipIf, skipUnless } from './core/middleware/skip.js';
export { throttlesExceptions } from './core/middleware/throttles-exceptions.js';
export type { Middleware } from './core/middleware/types.js';
export { withoutOverlapping } from './core/middleware/without-overlapping.js';
export { createSqliteOutbox, type SqliteOutbox } from './core/outbox.js';
export { PendingDispatch } from './core/pending-dispatch.js';
export {
  type CreateQueueOptions,
  createQueue,
  type DataOf,
  OnceScope,
  once,
  PendingBatch,
  PendingChain,
  Queue,
} from './core/queue.js';
export type { AttemptResult } from './core/runner.js';
export { Worker, type WorkerOptions } from './core/worker.js';
export { DriverError } from './drivers/errors.js';
export type { Driver } from './drivers/types.js';
