import type { Driver } from '../drivers/types.js';

/** What a key asks the store to do. Destructive ones go through a y/n confirm first. */
export type Command =
  | { kind: 'retry'; id: string }
  | { kind: 'retryQueue'; queue: string | null }
  | { kind: 'deleteJob'; id: string }
  | { kind: 'forgetFailed'; id: string }
  | { kind: 'flushFailed'; queue: string | null }
  | { kind: 'pause'; queue: string; paused: boolean }
  | { kind: 'releaseLock'; key: string }
  | { kind: 'clearCounter'; key: string };

export interface CommandResult {
  ok: boolean;
  message: string;
}

const BATCH = 1000;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const ofQueue = (queue: string | null) => (queue ? ` of ${queue}` : '');

const VERBS: Record<Command['kind'], string> = {
  retry: 'retry',
  retryQueue: 'retry',
  deleteJob: 'delete',
  forgetFailed: 'forget',
  flushFailed: 'forget',
  pause: 'pause/resume',
  releaseLock: 'release the lock',
  clearCounter: 'clear',
};

/** `could not retry: <why>`, for the status line when the store refused or failed. */
export function failureMessage(command: Command, message: string): string {
  return `could not ${VERBS[command.kind]}: ${message}`;
}

/** The question asked before a destructive command, or null when it runs at once. */
export function confirmPrompt(command: Command): string | null {
  switch (command.kind) {
    case 'retryQueue':
      return `retry every failed job${ofQueue(command.queue)}?`;
    case 'deleteJob':
      return `delete job ${command.id}?`;
    case 'forgetFailed':
      return `forget failed job ${command.id}?`;
    case 'flushFailed':
      return `forget every failed job${ofQueue(command.queue)}?`;
    case 'releaseLock':
      return `release lock ${command.key} whoever holds it?`;
    default:
      return null;
  }
}

/** Run one command through the driver; the message says what happened, for the status line. */
export async function runCommand(driver: Driver, command: Command): Promise<CommandResult> {
  switch (command.kind) {
    case 'retry': {
      const done = await driver.failedRetry({ ids: [command.id] });
      return done.length
        ? { ok: true, message: `retried job ${command.id}` }
        : { ok: false, message: `job ${command.id} is not in the failed store any more` };
    }
    case 'retryQueue': {
      const queue = command.queue ?? undefined;
      let count = 0;
      for (;;) {
        const batch = await driver.failedRetry({ queue, limit: BATCH });
        count += batch.length;
        if (batch.length < BATCH) break;
      }
      return { ok: true, message: `retried ${plural(count, 'failed job')}${ofQueue(command.queue)}` };
    }
    case 'deleteJob': {
      const deleted = await driver.jobDelete(command.id);
      return deleted
        ? { ok: true, message: `deleted job ${command.id}` }
        : { ok: false, message: `job ${command.id} is gone already (finished or deleted)` };
    }
    case 'forgetFailed': {
      const removed = await driver.failedForget([command.id]);
      return removed.length
        ? { ok: true, message: `forgot failed job ${command.id}` }
        : { ok: false, message: `job ${command.id} is not in the failed store any more` };
    }
    case 'flushFailed': {
      const count = await driver.failedFlush(command.queue ? { queue: command.queue } : undefined);
      return { ok: true, message: `forgot ${plural(count, 'failed job')}${ofQueue(command.queue)}` };
    }
    case 'pause': {
      if (command.paused) await driver.queuePause(command.queue);
      else await driver.queueResume(command.queue);
      await driver.eventsAppend([{ name: command.paused ? 'queue.paused' : 'queue.resumed', queue: command.queue }]);
      return { ok: true, message: `${command.paused ? 'paused' : 'resumed'} ${command.queue}` };
    }
    case 'releaseLock': {
      const released = await driver.lockForceRelease([command.key]);
      if (released.length) {
        await driver.eventsAppend([{ name: 'lock.released', details: { key: command.key, forced: true } }]);
      }
      return released.length
        ? { ok: true, message: `released lock ${command.key}` }
        : { ok: false, message: `lock ${command.key} was not held` };
    }
    case 'clearCounter': {
      const cleared = await driver.counterClear(command.key);
      return cleared
        ? { ok: true, message: `cleared ${command.key}` }
        : { ok: false, message: `${command.key} had expired already` };
    }
  }
}
