import type { Driver, StoredEvent } from '../drivers/types.js';

/** The lifecycle events qtool emits (DESIGN section 6), for help texts and docs. */
export const EVENT_NAMES = [
  'job.dispatched',
  'job.processing',
  'job.processed',
  'job.exception',
  'job.released',
  'job.failed',
  'job.deleted',
  'job.retried',
  'chain.completed',
  'chain.failed',
  'job.timeout',
  'lock.acquired',
  'lock.busy',
  'lock.released',
  'throttle.tripped',
  'queue.cleared',
  'queue.paused',
  'queue.resumed',
  'worker.started',
  'worker.stopped',
] as const;

/** `job.*`, `*.failed`, `job.processed`: `*` matches one or more name characters. */
export function eventMatcher(patterns: string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => true;
  const regexes = patterns.map((p) => new RegExp(`^${p.split('*').map(escapeRegex).join('[^]*')}$`));
  return (name) => regexes.some((r) => r.test(name));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface FollowOptions {
  fromId?: string | null;
  /** Replay stored events at or after this time first. */
  since?: number;
  signal: AbortSignal;
  batch?: number;
}

/**
 * Every stored event after `fromId` (or since a time), then new ones as they arrive, in order:
 * the reads go on from the last id seen, so the seam between history and live has no gap and no
 * duplicate.
 */
export async function* followEvents(driver: Driver, options: FollowOptions): AsyncGenerator<StoredEvent> {
  const batch = options.batch ?? 500;
  // The store finds where to start (the newest event, or the first since a time) itself: reading
  // the history up to there took seconds on a busy store.
  let afterId: string | null;
  if (typeof options.fromId === 'string') afterId = options.fromId;
  else if (options.since !== undefined || options.fromId === undefined)
    afterId = await driver.eventsStartAfter(options.since);
  else afterId = null; // fromId null: the whole history
  while (!options.signal.aborted) {
    const events = await driver.eventsRead({ afterId, limit: batch, blockMs: 1000, signal: options.signal });
    for (const event of events) {
      afterId = event.id;
      if (options.since !== undefined && event.time < options.since) continue;
      yield event;
    }
  }
}
