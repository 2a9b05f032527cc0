import type { Command } from './commands.js';
import { failedQueue, selectedJob, selectedQueue, topView, visibleCounters, visibleLocks } from './select.js';
import type { Intent, State } from './state.js';

/** Turn a key's intent into a command on the selected item, or a hint when it does not apply here. */
export function resolveIntent(state: State, intent: Intent): Command | string {
  const atRoot = !topView(state);
  switch (intent) {
    case 'retry': {
      const job = selectedJob(state);
      if (!job) return 'r retries the selected failed job: select one first';
      if (job.state !== 'failed' && job.state !== null) return `job ${job.id} is ${job.state}, not failed`;
      return { kind: 'retry', id: job.id };
    }
    case 'retryAll':
    case 'deleteAll': {
      const kind = intent === 'retryAll' ? 'retryQueue' : 'flushFailed';
      if (state.pane === 'failed' && atRoot) return { kind, queue: failedQueue(state) };
      const queue = selectedQueue(state);
      if (!queue) return `${intent === 'retryAll' ? 'R' : 'D'} works on a queue or the failed pane`;
      if (queue.failed === 0) return `${queue.queue} has no failed jobs`;
      return { kind, queue: queue.queue };
    }
    case 'delete': {
      const job = selectedJob(state);
      if (!job) return 'd deletes the selected job: select one first';
      if (job.state === null) return 'open the job first (Enter), then d';
      return job.state === 'failed' ? { kind: 'forgetFailed', id: job.id } : { kind: 'deleteJob', id: job.id };
    }
    case 'pause': {
      const queue = selectedQueue(state);
      if (!queue) return 'p pauses or resumes a queue: select one in the queues pane';
      return { kind: 'pause', queue: queue.queue, paused: !queue.paused };
    }
    case 'release': {
      const lock = state.pane === 'locks' && atRoot ? visibleLocks(state)[state.cursors.locks] : undefined;
      return lock ? { kind: 'releaseLock', key: lock.key } : 'x releases the selected lock in the locks pane (4)';
    }
    case 'clear': {
      const counter =
        state.pane === 'throttles' && atRoot ? visibleCounters(state)[state.cursors.throttles] : undefined;
      return counter
        ? { kind: 'clearCounter', key: counter.key }
        : 'c clears the selected throttle in the throttles pane (5)';
    }
  }
}
