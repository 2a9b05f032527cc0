import type { JobEnvelope } from '../core/envelope.js';
import type { StoredEvent } from './types.js';

/**
 * The `job.dispatched` events of a push of several jobs, stored as one event instead of one per
 * job: a bulk push wrote as many event rows (SQLite) or stream entries (Redis) as jobs, two fifths
 * of its server time on Redis. Readers hand it out as one event per job again (`expandShared`),
 * each with an id of its own (`<stored id>/<n>`; the last job's is the stored id itself, so reading
 * after it goes on past the shared event).
 */
export interface SharedDispatched {
  /** The push's queues; a job names its queue by its 1-based position here. */
  queues: string[];
  /** Per job: queue position, id, name, availableAt (0: the event's own time, a server's now). */
  jobs: [number, string, string, number][];
}

/** `SharedDispatched` as JSON, for stored envelopes in push order. */
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

export function isSharedDispatched(value: unknown): value is SharedDispatched {
  return typeof value === 'object' && value !== null && Array.isArray((value as SharedDispatched).jobs);
}

/** One `job.dispatched` event per job of a shared event stored under `id` at `time`. */
export function expandShared(id: string, time: number, shared: SharedDispatched): StoredEvent[] {
  const { queues, jobs } = shared;
  return jobs.map(([queue, jobId, jobName, availableAt], index) => ({
    id: index === jobs.length - 1 ? id : `${id}${SHARED_ID_MARK}${index}`,
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
