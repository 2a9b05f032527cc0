import { DriverError } from './errors.js';
import type { FailedPage, FailedRecord, FailedScanOptions } from './types.js';

/** Where a failed-store scan stands: the (failedAt, id) of the last record it passed. */
export interface FailedPosition {
  at: number;
  id: string;
}

/**
 * The cursor is the position itself, not an offset: records removed or added between pages
 * cannot shift it, so a scan that retries or forgets what it reads neither skips nor repeats.
 */
export function encodeFailedCursor(position: FailedPosition): string {
  return `${position.at}:${position.id}`;
}

export function decodeFailedCursor(cursor: string): FailedPosition {
  const colon = cursor.indexOf(':');
  const at = Number(cursor.slice(0, colon));
  if (colon < 1 || !Number.isFinite(at)) throw new DriverError('INVALID', `invalid failed-store cursor "${cursor}"`);
  return { at, id: cursor.slice(colon + 1) };
}

/**
 * The position a scan starts after: the cursor, or just before `since` (ids are never empty, so
 * (since, '') precedes every record that failed at `since`), whichever is later.
 */
export function scanStart(options: FailedScanOptions): FailedPosition {
  const after = options.after ? decodeFailedCursor(options.after) : { at: -1, id: '' };
  if (options.since === undefined) return after;
  const since = { at: options.since, id: '' };
  return comparePositions(after, since) >= 0 ? after : since;
}

/** Oldest first, ties by id in byte order (the order of SQLite's BINARY collation and Redis members). */
export function comparePositions(a: FailedPosition, b: FailedPosition): number {
  if (a.at !== b.at) return a.at - b.at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** `next` points after the last record scanned; a short page is the last. */
export function pageOf(
  records: FailedRecord[],
  last: FailedPosition | undefined,
  scanned: number,
  limit: number,
): FailedPage {
  return { records, next: last && scanned >= limit ? encodeFailedCursor(last) : null };
}
