import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../core/duration.js';
import type { AttemptResult } from '../core/runner.js';
import { timestamp } from './format.js';

const LABELS: Record<AttemptResult['status'], string> = {
  completed: 'DONE',
  deleted: 'DELETED',
  released: 'RELEASED',
  failed: 'FAILED',
  lost: 'LEASE LOST',
};

/** One line per finished attempt: time, queue, job, id, status, ms, and why when it did not complete. */
export function formatAttemptLine(result: AttemptResult, theme: ChalkInstance): string {
  const { job } = result;
  const colour = {
    completed: theme.green,
    deleted: theme.cyan,
    released: theme.yellow,
    failed: theme.red,
    lost: theme.magenta,
  }[result.status];
  const parts = [
    theme.dim(timestamp(Date.now())),
    job.queue.padEnd(10),
    job.name.padEnd(18),
    theme.dim(job.id),
    colour(LABELS[result.status].padEnd(8)),
    formatDuration(result.durationMs).padStart(6),
  ];
  if (result.status === 'released')
    parts.push(theme.dim(`retry in ${formatDuration((result.delaySeconds ?? 0) * 1000)}`));
  const why = result.error ?? result.reason;
  if (why && result.status !== 'completed') parts.push(result.status === 'failed' ? theme.red(why) : theme.dim(why));
  return parts.join(' ');
}

/** The same as an NDJSON record. */
export function attemptRecord(result: AttemptResult) {
  return {
    time: new Date().toISOString(),
    queue: result.job.queue,
    job: result.job.name,
    id: result.job.id,
    attempt: result.job.attempts,
    status: result.status,
    ms: result.durationMs,
    ...(result.delaySeconds !== undefined ? { retryIn: result.delaySeconds } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
  };
}
