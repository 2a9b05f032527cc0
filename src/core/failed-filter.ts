import type { Driver, FailedRecord } from '../drivers/types.js';
import { parseDurationMs } from './duration.js';

/** A point in time as given on the command line: that long before now, or an absolute time. */
export type TimeBound = { agoMs: number } | { at: number };

/** Which failed jobs a bulk retry, forget or listing selects. Every given field must match. */
export interface FailedFilter {
  /** Exact job name. */
  job?: string;
  queue?: string;
  /** Failed at or after. */
  since?: TimeBound;
  /** Failed at or before. */
  until?: TimeBound;
  /** Tested against the error message. */
  error?: RegExp;
}

export const BULK_BATCH = 1000;

/** A duration ("1h", "90m") means that long ago; anything else must be an ISO-8601 time. Throws RangeError. */
export function parseTimeBound(text: string): TimeBound {
  try {
    return { agoMs: parseDurationMs(text) };
  } catch {
    // Not a duration: try a time.
  }
  const at = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(at))
    throw new RangeError(`"${text}" is neither a duration (30m, 1h, 2d) nor an ISO-8601 time (2026-01-31T09:00:00Z)`);
  return { at };
}

export function resolveBound(bound: TimeBound, now: number): number {
  return 'at' in bound ? bound.at : now - bound.agoMs;
}

/** `pattern` or `/pattern/flags`. Throws SyntaxError for an invalid one. */
export function parseErrorPattern(text: string): RegExp {
  const literal = /^\/(.*)\/([dgimsuvy]*)$/s.exec(text);
  // g and y make test() stateful across records; they select nothing more here.
  return literal ? new RegExp(literal[1]!, literal[2]!.replace(/[gy]/g, '')) : new RegExp(text);
}

interface Window {
  since: number;
  until: number;
}

function windowOf(filter: FailedFilter, now: number, until: number): Window {
  return {
    since: filter.since ? resolveBound(filter.since, now) : Number.NEGATIVE_INFINITY,
    until: Math.min(filter.until ? resolveBound(filter.until, now) : until, until),
  };
}

function matches(record: FailedRecord, filter: FailedFilter, window: Window): boolean {
  if (filter.job !== undefined && record.name !== filter.job) return false;
  if (filter.queue !== undefined && record.queue !== filter.queue) return false;
  if (record.failedAt < window.since || record.failedAt > window.until) return false;
  return filter.error === undefined || filter.error.test(record.error.message);
}

/** Pages of the failed store inside the window, oldest first; ends at the window's end. */
async function* scanWindow(
  driver: Driver,
  filter: FailedFilter,
  window: Window,
  pageSize: number,
): AsyncGenerator<FailedRecord[]> {
  let after: string | null = null;
  do {
    const page = await driver.failedScan({
      queue: filter.queue,
      since: Number.isFinite(window.since) ? window.since : undefined,
      after,
      limit: pageSize,
    });
    const inside = page.records.filter((r) => r.failedAt <= window.until);
    yield inside;
    if (inside.length < page.records.length) return;
    after = page.next;
  } while (after !== null);
}

export interface BulkOptions {
  /** 'count' changes nothing (dry runs, confirmations). */
  action: 'retry' | 'forget' | 'count';
  batchSize?: number;
  /** Records to keep for display, the oldest matches first. */
  sample?: number;
  /** Failures after this are left alone (default: the store's clock when the scan starts). */
  until?: number;
  /** Each matching record as the scan passes it (streaming output of a dry run). */
  onMatch?: (record: FailedRecord) => void;
  /** After each batch acted on, with the ids the store retried or forgot. */
  onBatch?: (ids: string[]) => void;
  /** After each scanned page. */
  onProgress?: (progress: { scanned: number; matched: number }) => void;
}

export interface BulkResult {
  scanned: number;
  matched: number;
  /** Retried or forgotten (a record another client took in the meantime is matched, not done). */
  done: number;
  batches: number;
  sample: FailedRecord[];
  /** The upper time bound applied; pass it to a second pass so both see the same records. */
  until: number;
}

/**
 * Stream the failed store oldest first, page by page, and retry or forget the matching records
 * in batches: memory stays flat however many failed. The scan stops at the time it started (or
 * `until`), so jobs it retries that fail again are not picked up a second time.
 */
export async function bulkFailed(driver: Driver, filter: FailedFilter, options: BulkOptions): Promise<BulkResult> {
  const now = await driver.now();
  const batchSize = options.batchSize ?? BULK_BATCH;
  const window = windowOf(filter, now, options.until ?? now);
  const result: BulkResult = { scanned: 0, matched: 0, done: 0, batches: 0, sample: [], until: window.until };
  let pending: string[] = [];
  const flush = async () => {
    const ids = pending;
    pending = [];
    if (ids.length === 0 || options.action === 'count') return;
    const done = options.action === 'retry' ? await driver.failedRetry({ ids }) : await driver.failedForget(ids);
    result.done += done.length;
    result.batches += 1;
    options.onBatch?.(done);
  };
  for await (const records of scanWindow(driver, filter, window, batchSize)) {
    for (const record of records) {
      result.scanned += 1;
      if (!matches(record, filter, window)) continue;
      result.matched += 1;
      if (result.sample.length < (options.sample ?? 0)) result.sample.push(record);
      options.onMatch?.(record);
      pending.push(record.id);
      if (pending.length >= batchSize) await flush();
    }
    options.onProgress?.({ scanned: result.scanned, matched: result.matched });
  }
  await flush();
  return result;
}

/**
 * The newest `limit` matches after skipping `offset`, newest first, like `failedList`: the scan
 * runs oldest first and keeps only the last offset+limit matches, so memory is bounded by the page.
 */
export async function listFailed(
  driver: Driver,
  filter: FailedFilter,
  options: { limit: number; offset: number },
): Promise<FailedRecord[]> {
  const keep = options.limit + options.offset;
  const window = windowOf(filter, await driver.now(), Number.POSITIVE_INFINITY);
  let newest: FailedRecord[] = [];
  for await (const records of scanWindow(driver, filter, window, BULK_BATCH)) {
    newest.push(...records.filter((r) => matches(r, filter, window)));
    if (newest.length > keep) newest = newest.slice(newest.length - keep);
  }
  return newest.reverse().slice(options.offset, keep);
}
