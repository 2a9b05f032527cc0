import { eventMatcher } from '../core/events.js';
import type { CounterState, JobState, LockRecord, StoredEvent } from '../drivers/types.js';
import { jobLines } from './job-lines.js';
import { bodyHeight } from './layout.js';
import type { State } from './state.js';
import { JOB_TABS, type JobTab, type QueueRow, type View, type WorkerRow } from './types.js';

/** Pure reads of the dashboard state: what each pane lists, what is selected. */

export function topView(state: State): View | undefined {
  return state.stacks[state.pane].at(-1);
}

const has = (text: string | null | undefined, needle: string) =>
  (text ?? '').toLowerCase().includes(needle.toLowerCase());

export function visibleQueues(state: State): QueueRow[] {
  const filter = state.filters.queues;
  const rows = (state.data?.queues ?? []).filter((q) => !filter || has(q.queue, filter));
  const by = state.sort;
  return [...rows].sort((a, b) => {
    const diff =
      by === 'pending'
        ? b.pending - a.pending
        : by === 'failed'
          ? b.failed - a.failed
          : by === 'rate'
            ? (b.jobsPerMin ?? 0) - (a.jobsPerMin ?? 0)
            : 0;
    return diff || a.queue.localeCompare(b.queue);
  });
}

export function visibleWorkers(state: State): WorkerRow[] {
  const filter = state.filters.workers;
  return (state.data?.workers ?? []).filter(
    (w) => !filter || has(w.id, filter) || has(w.host, filter) || w.queues.some((q) => has(q, filter)),
  );
}

export function visibleLocks(state: State): LockRecord[] {
  const filter = state.filters.locks;
  return (state.data?.locks ?? []).filter(
    (l) => !filter || has(l.key, filter) || has(l.jobId, filter) || has(l.workerId, filter),
  );
}

export function visibleCounters(state: State): CounterState[] {
  const filter = state.filters.throttles;
  return (state.data?.counters ?? []).filter((c) => !filter || has(c.key, filter));
}

/**
 * Events filter: words separated by spaces, all must match; a word with `*` is an event-name
 * pattern (`job.*`), any other word is found in the name, queue, job name, job id or worker.
 */
export function eventFilter(text: string): (event: StoredEvent) => boolean {
  const words = text.split(/\s+/).filter(Boolean);
  const tests = words.map((word) => {
    if (word.includes('*')) {
      const matches = eventMatcher([word]);
      return (e: StoredEvent) => matches(e.name);
    }
    return (e: StoredEvent) => [e.name, e.queue, e.jobName, e.jobId, e.workerId].some((f) => has(f, word));
  });
  return (event) => tests.every((t) => t(event));
}

/** Newest first. */
export function visibleEvents(state: State): StoredEvent[] {
  return state.events.filter(eventFilter(state.filters.events)).reverse();
}

/** The queue the failed pane is filtered on (its filter is a queue name), or null for all. */
export function failedQueue(state: State): string | null {
  return state.filters.failed.trim() || null;
}

export function queueCount(state: State, queue: string | null, tab: JobTab): number {
  return (state.data?.queues ?? []).filter((q) => !queue || q.queue === queue).reduce((n, q) => n + q[tab], 0);
}

/** Length of the list the cursor moves in. */
export function itemCount(state: State): number {
  const view = topView(state);
  if (view?.kind === 'queue') return queueCount(state, view.queue, view.tab);
  if (view?.kind === 'job') return 0;
  switch (state.pane) {
    case 'queues':
      return visibleQueues(state).length;
    case 'failed':
      return queueCount(state, failedQueue(state), 'failed');
    case 'workers':
      return visibleWorkers(state).length;
    case 'locks':
      return visibleLocks(state).length;
    case 'throttles':
      return visibleCounters(state).length;
    case 'events':
      return visibleEvents(state).length;
  }
}

export function currentCursor(state: State): number {
  const view = topView(state);
  return view?.kind === 'queue' ? view.cursor : state.cursors[state.pane];
}

export function setCursor(state: State, cursor: number): State {
  const stack = state.stacks[state.pane];
  const view = stack.at(-1);
  const value = Math.max(0, cursor);
  if (view?.kind === 'queue') {
    return { ...state, stacks: { ...state.stacks, [state.pane]: [...stack.slice(0, -1), { ...view, cursor: value }] } };
  }
  return { ...state, cursors: { ...state.cursors, [state.pane]: value } };
}

export function jobScrollMax(state: State): number {
  const job = state.data?.job;
  if (!job?.record || !state.data) return 0;
  return Math.max(0, jobLines(job.record, state.data.now, job.why).length - (bodyHeight(state.size) - 1));
}

export function selectedQueue(state: State): QueueRow | null {
  const view = topView(state);
  if (view?.kind === 'queue') return state.data?.queues.find((q) => q.queue === view.queue) ?? null;
  if (state.pane !== 'queues' || view) return null;
  return visibleQueues(state)[state.cursors.queues] ?? null;
}

export interface JobTarget {
  id: string;
  /** null when not known from the list (events). */
  state: JobState | null;
}

export function selectedJob(state: State): JobTarget | null {
  const view = topView(state);
  const data = state.data;
  if (view?.kind === 'job') {
    const record = data?.job?.id === view.id ? data.job.record : null;
    return { id: view.id, state: record?.state ?? null };
  }
  if (view?.kind === 'queue') {
    const page = data?.jobs;
    if (!page || page.queue !== view.queue || page.tab !== view.tab) return null;
    const row = page.rows[view.cursor - page.offset];
    return row ? { id: row.id, state: row.state } : null;
  }
  if (state.pane === 'failed' && data?.failed) {
    const row = data.failed.rows[state.cursors.failed - data.failed.offset];
    return row ? { id: row.id, state: 'failed' } : null;
  }
  if (state.pane === 'events') {
    const event = visibleEvents(state)[state.cursors.events];
    return event?.jobId ? { id: event.jobId, state: event.name === 'job.failed' ? 'failed' : null } : null;
  }
  if (state.pane === 'workers') {
    const job = visibleWorkers(state)[state.cursors.workers]?.current[0];
    return job ? { id: job.jobId, state: 'reserved' } : null;
  }
  if (state.pane === 'locks') {
    const id = visibleLocks(state)[state.cursors.locks]?.jobId;
    return id ? { id, state: null } : null;
  }
  return null;
}

/** What Enter opens from here, or why nothing. */
export function openTarget(state: State): View | string {
  const view = topView(state);
  if (view?.kind === 'job') return 'Esc goes back';
  if (state.pane === 'queues' && !view) {
    const queue = selectedQueue(state);
    if (!queue) return 'no queue selected';
    const tab = JOB_TABS.find((t) => queue[t] > 0) ?? 'pending';
    return { kind: 'queue', queue: queue.queue, tab, cursor: 0 };
  }
  if (state.pane === 'throttles') return 'nothing to open here (C clears a throttle)';
  const job = selectedJob(state);
  return job ? { kind: 'job', id: job.id, scroll: 0 } : 'no job here to open';
}

/** The list the cursor is in, as a selection scope; null where rows cannot be selected. */
export function listId(state: State): string | null {
  const view = topView(state);
  if (view?.kind === 'job') return null;
  if (view?.kind === 'queue') return `jobs:${view.queue}:${view.tab}`;
  return ['queues', 'failed', 'locks', 'throttles'].includes(state.pane) ? state.pane : null;
}

/** Keys of the rows on screen in the current list (paged lists: the page loaded for the cursor). */
export function rowKeys(state: State): string[] {
  const view = topView(state);
  const data = state.data;
  if (view?.kind === 'queue') {
    const page = data?.jobs;
    return page && page.queue === view.queue && page.tab === view.tab ? page.rows.map((r) => r.id) : [];
  }
  if (view) return [];
  switch (state.pane) {
    case 'queues':
      return visibleQueues(state).map((q) => q.queue);
    case 'failed':
      return data?.failed && data.failed.queue === failedQueue(state) ? data.failed.rows.map((r) => r.id) : [];
    case 'locks':
      return visibleLocks(state).map((l) => l.key);
    case 'throttles':
      return visibleCounters(state).map((c) => c.key);
    default:
      return [];
  }
}

/** Key of the row under the cursor, or null. */
export function cursorKey(state: State): string | null {
  const view = topView(state);
  const paged =
    view?.kind === 'queue' ? state.data?.jobs : !view && state.pane === 'failed' ? state.data?.failed : null;
  const index = currentCursor(state) - (paged?.offset ?? 0);
  return rowKeys(state)[index] ?? null;
}

/** The selected keys of the current list (a selection made in another list does not apply here). */
export function selectedKeys(state: State): string[] {
  const list = listId(state);
  return list !== null && state.selection?.list === list ? state.selection.keys : [];
}

/** What a bulk key works on: the selected rows, else the row under the cursor. */
export function targetKeys(state: State): string[] {
  const selected = selectedKeys(state);
  if (selected.length) return selected;
  const key = cursorKey(state);
  return key ? [key] : [];
}

/** Per row key, whether the row is selected: the Table's `marked`. */
export function markedRows(state: State, keys: string[]): boolean[] {
  const selected = new Set(selectedKeys(state));
  return keys.map((key) => selected.has(key));
}
