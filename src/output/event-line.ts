import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../core/duration.js';
import type { StoredEvent } from '../drivers/types.js';
import { clockTime, relativeTime } from './format.js';

/** One aligned, coloured line per event: time, age, name, queue, job, id, attempt, duration, details. */
export function formatEventLine(event: StoredEvent, t: ChalkInstance, now = Date.now()): string {
  const colour = event.name.endsWith('failed')
    ? t.red
    : event.name.endsWith('processed') || event.name.endsWith('completed')
      ? t.green
      : event.name.endsWith('released') || event.name.endsWith('busy') || event.name.startsWith('throttle')
        ? t.yellow
        : t.cyan;
  const details = { ...event.details };
  const error = typeof details.error === 'string' ? details.error : null;
  delete details.error;
  const extra = Object.entries(details)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join(' ');
  const parts = [
    t.dim(clockTime(event.time)),
    t.dim(relativeTime(event.time, now).padEnd(9)),
    colour(event.name.padEnd(15)),
    (event.queue ?? '').padEnd(10),
    (event.jobName ?? '').padEnd(16),
    t.dim(event.jobId ?? event.workerId ?? ''),
    event.attempt ? `#${event.attempt}` : '',
    event.durationMs !== null && event.durationMs !== undefined ? formatDuration(event.durationMs) : '',
    extra ? t.dim(extra) : '',
    error ? t.red(error.split('\n')[0] ?? '') : '',
  ];
  return parts.filter((p) => p !== '').join(' ');
}
