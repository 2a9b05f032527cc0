import type { Command } from './commands.js';
import { failedQueue, selectedJob, selectedKeys, selectedQueue, targetKeys, topView, visibleQueues } from './select.js';
import type { Intent, State } from './state.js';

/**
 * Turn a key's intent into a command, or a hint when it does not apply here. Bulk keys work on
 * the selected rows (x, A), else on the row under the cursor.
 */
export function resolveIntent(state: State, intent: Intent): Command | string {
  switch (intent) {
    case 'retry': {
      const job = selectedJob(state);
      if (!job) return 'r retries the failed job under the cursor: move to one first';
      if (job.state !== 'failed' && job.state !== null) return `job ${job.id} is ${job.state}, not failed`;
      return { kind: 'retryJobs', ids: [job.id] };
    }
    case 'pause': {
      const queue = selectedQueue(state);
      if (!queue) return 'p pauses or resumes a queue: select one in the queues pane';
      return { kind: 'pause', queue: queue.queue, paused: !queue.paused };
    }
    case 'retryMany':
      return retryMany(state);
    case 'delete':
      return deleteMany(state);
    case 'clear':
      return clearMany(state);
    case 'release': {
      const keys = state.pane === 'locks' && !topView(state) ? targetKeys(state) : [];
      return keys.length ? { kind: 'releaseLocks', keys } : 'X releases locks in the locks pane (4)';
    }
  }
}

/** Queues of the queues pane the key works on (selected, else the cursor's), with `failed` > 0 when asked. */
function targetQueues(state: State, withFailed: boolean): string[] | string {
  const keys = targetKeys(state);
  if (keys.length === 0) return 'no queue here';
  const rows = visibleQueues(state).filter((q) => keys.includes(q.queue));
  if (!withFailed) return rows.map((q) => q.queue);
  const failing = rows.filter((q) => q.failed > 0).map((q) => q.queue);
  return failing.length
    ? failing
    : `${keys.length === 1 ? `${keys[0]} has` : 'the selected queues have'} no failed jobs`;
}

function retryMany(state: State): Command | string {
  const view = topView(state);
  if (view?.kind === 'job') {
    const job = selectedJob(state);
    return job?.state === 'failed' ? { kind: 'retryJobs', ids: [job.id] } : `job ${view.id} is not failed`;
  }
  const failedList = (view?.kind === 'queue' && view.tab === 'failed') || (!view && state.pane === 'failed');
  const selected = selectedKeys(state);
  if (failedList && selected.length) return { kind: 'retryJobs', ids: selected };
  if (!view && state.pane === 'failed') return { kind: 'retryQueues', queues: [failedQueue(state)] };
  if (view?.kind === 'queue') {
    const queue = selectedQueue(state);
    return queue && queue.failed > 0
      ? { kind: 'retryQueues', queues: [view.queue] }
      : `${view.queue} has no failed jobs`;
  }
  if (state.pane !== 'queues') return 'R retries failed jobs: in the queues or failed pane, or in a queue';
  const queues = targetQueues(state, true);
  return typeof queues === 'string' ? queues : { kind: 'retryQueues', queues };
}

function deleteMany(state: State): Command | string {
  const view = topView(state);
  if (view?.kind === 'job') {
    const job = selectedJob(state);
    if (!job?.state) return 'the job is not loaded yet';
    return job.state === 'failed' ? { kind: 'forgetFailed', ids: [job.id] } : { kind: 'deleteJobs', ids: [job.id] };
  }
  const ids = targetKeys(state);
  if (view?.kind === 'queue') {
    if (ids.length === 0) return `no ${view.tab} job here`;
    return view.tab === 'failed' ? { kind: 'forgetFailed', ids } : { kind: 'deleteJobs', ids };
  }
  if (state.pane === 'failed') return ids.length ? { kind: 'forgetFailed', ids } : 'no failed job here';
  if (state.pane === 'queues') {
    const queues = targetQueues(state, true);
    return typeof queues === 'string' ? queues : { kind: 'flushFailed', queues };
  }
  return 'D deletes jobs: in a queue, the failed pane or a job (Enter opens it)';
}

function clearMany(state: State): Command | string {
  const view = topView(state);
  if (view?.kind === 'queue') return { kind: 'clearQueues', queues: [view.queue] };
  if (!view && state.pane === 'throttles') {
    const keys = targetKeys(state);
    return keys.length ? { kind: 'clearCounters', keys } : 'no throttle here';
  }
  if (!view && state.pane === 'queues') {
    const queues = targetQueues(state, false);
    return typeof queues === 'string' ? queues : { kind: 'clearQueues', queues };
  }
  return 'C clears a queue (queues pane, or in a queue) or a throttle (throttles pane)';
}
