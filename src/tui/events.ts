import { errorMessage } from '../core/errors.js';
import { followEvents } from '../core/events.js';
import type { Driver, StoredEvent } from '../drivers/types.js';

export interface EventFeedOptions {
  /** Replay stored events from this long ago first. */
  historyMs: number;
  /** Batched delivery, at most every `flushMs`, so a burst of events is one render. */
  onEvents: (events: StoredEvent[]) => void;
  onError: (message: string) => void;
  signal: AbortSignal;
  flushMs?: number;
  retryMs?: number;
}

/**
 * The events pane's feed: a subscription (followEvents blocks on the store until events come),
 * never a poll of the history. On an error it reports, waits and resubscribes after the last
 * event seen, so nothing is lost or repeated across a reconnect.
 */
export async function runEventFeed(driver: Driver, options: EventFeedOptions): Promise<void> {
  const { signal } = options;
  let lastId: string | null = null;
  let first = true;
  let buffer: StoredEvent[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    if (buffer.length === 0 || signal.aborted) return;
    const batch = buffer;
    buffer = [];
    options.onEvents(batch);
  };
  try {
    while (!signal.aborted) {
      try {
        const since = first ? (await driver.now()) - options.historyMs : undefined;
        first = false;
        for await (const event of followEvents(driver, { fromId: lastId ?? undefined, since, signal })) {
          lastId = event.id;
          buffer.push(event);
          timer ??= setTimeout(flush, options.flushMs ?? 100);
        }
      } catch (error) {
        if (signal.aborted) break;
        options.onError(errorMessage(error));
        await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 2000));
      }
    }
  } finally {
    if (timer) clearTimeout(timer);
  }
}
