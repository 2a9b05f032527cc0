import type { Driver } from '../drivers/types.js';

/**
 * What a key asks the store to do, on one item or on the selection. Upper-case keys' commands go
 * through a y/n confirm first (state.ts decides by the key's intent).
 */
export type Command =
  | { kind: 'retryJobs'; ids: string[] }
  /** Every failed job of each queue; null: of every queue. */
  | { kind: 'retryQueues'; queues: (string | null)[] }
  | { kind: 'deleteJobs'; ids: string[] }
  | { kind: 'forgetFailed'; ids: string[] }
  | { kind: 'flushFailed'; queues: (string | null)[] }
  | { kind: 'clearQueues'; queues: string[] }
  | { kind: 'pause'; queue: string; paused: boolean }
  | { kind: 'releaseLocks'; keys: string[] }
  | { kind: 'clearCounters'; keys: string[] };

export interface CommandResult {
  ok: boolean;
  message: string;
}

const BATCH = 1000;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const ofQueues = (queues: (string | null)[]) =>
  queues.includes(null) ? '' : queues.length === 1 ? ` of ${queues[0]}` : ` of ${plural(queues.length, 'queue')}`;
/** `job 01J…` for one, `3 jobs` for several. */
const items = (keys: string[], word: string) => (keys.length === 1 ? `${word} ${keys[0]}` : plural(keys.length, word));
/** `, 1 gone already` when the store did fewer than asked (finished or removed meanwhile). */
const missed = (done: number, asked: number, why: string) => (done < asked ? ` (${asked - done} ${why})` : '');

const VERBS: Record<Command['kind'], string> = {
  retryJobs: 'retry',
  retryQueues: 'retry',
  deleteJobs: 'delete',
  forgetFailed: 'forget',
  flushFailed: 'forget',
  clearQueues: 'clear',
  pause: 'pause/resume',
  releaseLocks: 'release',
  clearCounters: 'clear',
};

/** `could not retry: <why>`, for the status line when the store refused or failed. */
export function failureMessage(command: Command, message: string): string {
  return `could not ${VERBS[command.kind]}: ${message}`;
}

/** The y/n question shown before a command runs. */
export function confirmPrompt(command: Command): string {
  switch (command.kind) {
    case 'retryJobs':
      return `retry ${items(command.ids, 'failed job')}?`;
    case 'retryQueues':
      return `retry every failed job${ofQueues(command.queues)}?`;
    case 'deleteJobs':
      return `delete ${items(command.ids, 'job')}?`;
    case 'forgetFailed':
      return `forget ${items(command.ids, 'failed job')}?`;
    case 'flushFailed':
      return `forget every failed job${ofQueues(command.queues)}?`;
    case 'clearQueues':
      return `delete every pending and delayed job${ofQueues(command.queues)}?`;
    case 'pause':
      return `${command.paused ? 'pause' : 'resume'} ${command.queue}?`;
    case 'releaseLocks':
      return `release ${items(command.keys, 'lock')} whoever holds it?`;
    case 'clearCounters':
      return `clear ${items(command.keys, 'throttle')}?`;
  }
}

/** Run one command through the driver; the message says what happened, for the status line. */
export async function runCommand(driver: Driver, command: Command): Promise<CommandResult> {
  switch (command.kind) {
    case 'retryJobs': {
      const done = await driver.failedRetry({ ids: command.ids });
      if (done.length === 0)
        return { ok: false, message: `${items(command.ids, 'job')}: not in the failed store any more` };
      return {
        ok: true,
        message: `retried ${items(done, 'job')}${missed(done.length, command.ids.length, 'gone already')}`,
      };
    }
    case 'retryQueues': {
      let count = 0;
      for (const queue of command.queues) {
        // Batches: a queue with a million failures is never loaded at once.
        for (;;) {
          const batch = await driver.failedRetry({ queue: queue ?? undefined, limit: BATCH });
          count += batch.length;
          if (batch.length < BATCH) break;
        }
      }
      return { ok: true, message: `retried ${plural(count, 'failed job')}${ofQueues(command.queues)}` };
    }
    case 'deleteJobs': {
      let deleted = 0;
      for (const id of command.ids) if (await driver.jobDelete(id)) deleted += 1;
      if (deleted === 0)
        return { ok: false, message: `${items(command.ids, 'job')}: gone already (finished or deleted)` };
      return {
        ok: true,
        message: `deleted ${command.ids.length === 1 ? `job ${command.ids[0]}` : plural(deleted, 'job')}${missed(deleted, command.ids.length, 'gone already')}`,
      };
    }
    case 'forgetFailed': {
      const removed = await driver.failedForget(command.ids);
      if (removed.length === 0) {
        return { ok: false, message: `${items(command.ids, 'job')}: not in the failed store any more` };
      }
      return {
        ok: true,
        message: `forgot ${items(removed, 'failed job')}${missed(removed.length, command.ids.length, 'gone already')}`,
      };
    }
    case 'flushFailed': {
      let count = 0;
      for (const queue of command.queues) count += await driver.failedFlush(queue ? { queue } : undefined);
      return { ok: true, message: `forgot ${plural(count, 'failed job')}${ofQueues(command.queues)}` };
    }
    case 'clearQueues': {
      let count = 0;
      for (const queue of command.queues) {
        const cleared = await driver.queueClear(queue);
        await driver.eventsAppend([{ name: 'queue.cleared', queue, details: { count: cleared } }]);
        count += cleared;
      }
      return { ok: true, message: `cleared ${plural(count, 'job')}${ofQueues(command.queues)}` };
    }
    case 'pause': {
      if (command.paused) await driver.queuePause(command.queue);
      else await driver.queueResume(command.queue);
      await driver.eventsAppend([{ name: command.paused ? 'queue.paused' : 'queue.resumed', queue: command.queue }]);
      return { ok: true, message: `${command.paused ? 'paused' : 'resumed'} ${command.queue}` };
    }
    case 'releaseLocks': {
      const released = await driver.lockForceRelease(command.keys);
      if (released.length) {
        await driver.eventsAppend(released.map((key) => ({ name: 'lock.released', details: { key, forced: true } })));
      }
      if (released.length === 0) return { ok: false, message: `${items(command.keys, 'lock')}: not held` };
      return {
        ok: true,
        message: `released ${items(released, 'lock')}${missed(released.length, command.keys.length, 'not held')}`,
      };
    }
    case 'clearCounters': {
      let cleared = 0;
      for (const key of command.keys) if (await driver.counterClear(key)) cleared += 1;
      if (cleared === 0) return { ok: false, message: `${items(command.keys, 'throttle')}: expired already` };
      return {
        ok: true,
        message: `cleared ${command.keys.length === 1 ? command.keys[0] : plural(cleared, 'throttle')}${missed(cleared, command.keys.length, 'expired already')}`,
      };
    }
  }
}
