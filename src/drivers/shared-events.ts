import type { JobEnvelope } from '../core/envelope.js';
import type { StoredEvent } from './types.js';

/**
 * The per-job events of a step on many jobs, stored as one event instead of one per job: a bulk
 * push wrote as many event rows (SQLite) or stream entries (Redis) as jobs (two fifths of its
 * server time on Redis), and a reserve of fifty jobs fifty `job.processing` entries. Readers hand
 * them out as one event per job again (`expandShared`), each with an id of its own
 * (`<stored id>/<n>`; the last job's is the stored id itself, so reading after it goes on past the
 * shared event). Two kinds:
 * - `job.dispatched`: `queues` (the push's queues), and per job [queue position (1-based), id,
 *   name, availableAt];
 * - `job.processing`: `queue` and `workerId`, and per job [id, name, attempt].
 */
export type SharedEvent =
  | { name: 'job.dispatched'; queues: string[]; jobs: [number, string, string, number][] }
  | { name: 'job.processing'; queue: string; workerId: string; jobs: [string, string, number][] };

/** The shared `job.dispatched` event of stored envelopes, in push order, as JSON (without its name). */
export function sharedDispatchedJson(envelopes: JobEnvelope[]): string {
  const queues: string[] = [];
  const positions = new Map<string, number>();
  const jobs: string[] = [];
  for (const e of envelopes) {
    let position = positions.get(e.queue);
    if (position === undefined) {
      queues.push(e.queue);
      position = queues.length;
      positions.set(e.queue, position);
    }
    jobs.push(`[${position},${JSON.stringify(e.id)},${JSON.stringify(e.name)},${e.availableAt}]`);
  }
  return `{"queues":${JSON.stringify(queues)},"jobs":[${jobs.join(',')}]}`;
}

export function isSharedEvent(value: unknown): value is SharedEvent {
  const name = (value as SharedEvent | null)?.name;
  return (name === 'job.dispatched' || name === 'job.processing') && Array.isArray((value as SharedEvent).jobs);
}

/** One event per job of a shared event stored under `id` at `time`. */
export function expandShared(id: string, time: number, shared: SharedEvent): StoredEvent[] {
  const last = shared.jobs.length - 1;
  const idOf = (index: number) => (index === last ? id : `${id}${SHARED_ID_MARK}${index}`);
  if (shared.name === 'job.processing') {
    const { queue, workerId } = shared;
    return shared.jobs.map(([jobId, jobName, attempt], index) => ({
      id: idOf(index),
      time,
      name: 'job.processing',
      queue,
      jobId,
      jobName,
      attempt,
      workerId,
      durationMs: null,
      details: undefined,
    }));
  }
  const { queues } = shared;
  return shared.jobs.map(([queue, jobId, jobName, availableAt], index) => ({
    id: idOf(index),
    time,
    name: 'job.dispatched',
    queue: queues[queue - 1] ?? null,
    jobId,
    jobName,
    attempt: null,
    workerId: null,
    durationMs: null,
    details: { availableAt: availableAt === 0 ? time : availableAt },
  }));
}

const SHARED_ID_MARK = '/';

/** The stored id and job position of an event id inside a shared event; null for any other id. */
export function parseSharedId(id: string): { storedId: string; index: number } | null {
  const at = id.indexOf(SHARED_ID_MARK);
  if (at < 0) return null;
  const index = Number(id.slice(at + 1));
  return Number.isInteger(index) && index >= 0 ? { storedId: id.slice(0, at), index } : null;
}

/**
 * The events of stored rows or entries in order, expanded, after `inside` (an id within the first
 * of them, when the read resumed there), at most `limit`.
 */
export function eventsAfterInside(
  stored: { id: string; events: StoredEvent[] }[],
  inside: { storedId: string; index: number } | null,
  limit: number,
): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (const { id, events } of stored) {
    for (const event of inside && id === inside.storedId ? events.slice(inside.index + 1) : events) {
      out.push(event);
      if (out.length >= limit) return out;
    }
  }
  return out;
}
