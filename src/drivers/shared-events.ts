import type { JobEnvelope } from '../core/envelope.js';
import type { EventInput, StoredEvent } from './types.js';

/**
 * The per-job events of a step on many jobs, stored as one event instead of one per job: a bulk
 * push wrote as many event rows (SQLite) or stream entries (Redis) as jobs (two fifths of its
 * server time on Redis), and a reserve of fifty jobs fifty `job.processing` entries. Readers hand
 * them out as one event per job again (`expandShared`), each with an id of its own
 * (`<stored id>/<n>`; the last job's is the stored id itself, so reading after it goes on past the
 * shared event). Two kinds:
 * - `job.dispatched`: `queues` (the push's queues), and per job [queue position (1-based), id,
 *   name, availableAt];
 * - `job.processing`: `queue` and `workerId`, and per job [id, name, attempt];
 * - `job.processed`: `queue` and `workerId`, and per job [id, name, attempt, durationMs, details].
 */
export type SharedEvent =
  | { name: 'job.dispatched'; queues: string[]; jobs: [number, string, string, number][] }
  | { name: 'job.processing'; queue: string; workerId: string; jobs: [string, string, number][] }
  | {
      name: 'job.processed';
      queue: string;
      workerId: string;
      jobs: [string, string, number, number | null, Record<string, unknown> | null][];
    };

const SHARED_NAMES = new Set(['job.dispatched', 'job.processing', 'job.processed']);

/**
 * The shared `job.dispatched` event of stored envelopes, in push order, as JSON (without its name).
 * `availableAt` writes each job's due time: a store whose clock is not this process's (Redis) puts
 * a placeholder there for its script to fill in.
 */
export function sharedDispatchedJson(
  envelopes: JobEnvelope[],
  availableAt: (e: JobEnvelope) => number | string = (e) => e.availableAt,
): string {
  const queues: string[] = [];
  const positions = new Map<string, number>();
  const names = new Map<string, string>(); // a bulk push names one or two jobs a thousand times
  const jobs: string[] = [];
  for (const e of envelopes) {
    let position = positions.get(e.queue);
    if (position === undefined) {
      queues.push(e.queue);
      position = queues.length;
      positions.set(e.queue, position);
    }
    let name = names.get(e.name);
    if (name === undefined) {
      name = JSON.stringify(e.name);
      names.set(e.name, name);
    }
    jobs.push(`[${position},${JSON.stringify(e.id)},${name},${availableAt(e)}]`);
  }
  return `{"queues":${JSON.stringify(queues)},"jobs":[${jobs.join(',')}]}`;
}

export function isSharedEvent(value: unknown): value is SharedEvent {
  const name = (value as SharedEvent | null)?.name;
  return name !== undefined && SHARED_NAMES.has(name) && Array.isArray((value as SharedEvent).jobs);
}

/** One event per job of a shared event stored under `id` at `time`. */
export function expandShared(id: string, time: number, shared: SharedEvent): StoredEvent[] {
  const last = shared.jobs.length - 1;
  const idOf = (index: number) => (index === last ? id : `${id}${SHARED_ID_MARK}${index}`);
  if (shared.name === 'job.processed') {
    const { queue, workerId } = shared;
    return shared.jobs.map(([jobId, jobName, attempt, durationMs, details], index) => ({
      id: idOf(index),
      time,
      name: 'job.processed',
      queue,
      jobId,
      jobName,
      attempt,
      workerId,
      durationMs,
      details: details ?? undefined,
    }));
  }
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

const PROCESSED_KEYS = new Set(['name', 'queue', 'jobId', 'jobName', 'attempt', 'workerId', 'durationMs', 'details']);

/**
 * The start of a shared `job.processed` entry for these acknowledgements, or '' when they cannot
 * share one: fewer than two, or any that carries other than one plain `job.processed` event of
 * this queue and one worker.
 */
export function sharedProcessedHead(queue: string, acks: { events?: EventInput[] }[]): string {
  if (acks.length < 2) return '';
  const workerId = acks[0]!.events?.[0]?.workerId;
  if (typeof workerId !== 'string') return '';
  for (const { events } of acks) {
    const event = events?.length === 1 ? events[0]! : undefined;
    if (event?.name !== 'job.processed' || event.queue !== queue || event.workerId !== workerId) return '';
    if (typeof event.jobId !== 'string' || typeof event.jobName !== 'string') return '';
    for (const key in event) if (!PROCESSED_KEYS.has(key)) return '';
  }
  return `{"name":"job.processed","queue":${JSON.stringify(queue)},"workerId":${JSON.stringify(workerId)},"jobs":[`;
}

/** One acknowledgement's entry in a shared `job.processed` entry (see sharedProcessedHead). */
export function sharedProcessedEntry(event: EventInput): string {
  return JSON.stringify([
    event.jobId,
    event.jobName,
    event.attempt ?? null,
    event.durationMs ?? null,
    event.details ?? null,
  ]);
}
