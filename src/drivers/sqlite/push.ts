import type { JobEnvelope } from '../../core/envelope.js';
import { givenEvents } from '../dispatched-event.js';
import { DriverError } from '../errors.js';
import type { EventInput, PushOptions, PushResult } from '../types.js';
import type { CountDelta } from './queue-counts.js';
import type { SqliteStatements } from './statements.js';

const DAY_MS = 86_400_000;
/** How far a queue's count mark may trail the clock before a push moves it. */
const MARK_STEP_MS = 1000;

/**
 * Insert envelopes inside the caller's transaction (the driver's own, or an application's for
 * the outbox): idempotency and unique keys are checked and claimed with the inserts, and the queue
 * row's counts move with them. Returns the
 * results, the given events of the jobs actually stored and, with `dispatchedEvents`, the stored
 * envelopes whose `job.dispatched` events the caller writes (after the given ones).
 */
export function pushEnvelopes(
  q: SqliteStatements,
  envelopes: JobEnvelope[],
  options: PushOptions,
  /** Where the queue counts' changes go: the driver's transaction, or the queue rows directly. */
  countChange: (queue: string, delta: CountDelta) => void = q.queueRowAdd,
): { results: PushResult[]; events: EventInput[]; dispatched: JobEnvelope[] } {
  const ttl = options.idempotencyTtlMs ?? DAY_MS;
  const now = q.now();
  // The queue's mark before this push (see schema.ts, counts); none yet: the row is created at now.
  const marks = new Map<string, number | null>();
  for (const queue of new Set(envelopes.map((e) => e.queue))) {
    marks.set(queue, (q.queueMark.get(queue) as { mark: number } | undefined)?.mark ?? null);
  }
  const added = new Map<string, { ready: number; later: number }>();
  const results: PushResult[] = [];
  // A bulk push of plain jobs stores every one: the stored ids are then the envelopes', else the
  // queued results'. Their range is for the failed table's check below.
  let refused = false;
  const storedIds = () =>
    refused ? results.filter((r) => r.status === 'queued').map((r) => r.id) : envelopes.map((e) => e.id);
  const range = new IdRange();
  // Jobs fresh from a dispatch leave the counters and the unique key at their column defaults.
  const plain = envelopes.every((e) => e.attempts === 0 && e.exceptions === 0 && e.lockWaits === 0 && !e.unique);
  const rows = plain ? q.jobRowsPlain : q.jobRows;
  const values: unknown[] = [];
  for (const e of envelopes) {
    if (e.idempotencyKey) {
      const seen = q.idempotencyGet.get(e.idempotencyKey, now) as { job_id: string } | undefined;
      if (seen) {
        refused = true;
        results.push({ id: e.id, status: 'existing', idempotencyKey: e.idempotencyKey, existingId: seen.job_id });
        continue;
      }
    }
    if (e.unique) {
      const holder = q.uniqueHolder.get(e.unique.key, now) as { owner: string } | undefined;
      if (holder) {
        refused = true;
        results.push({ id: e.id, status: 'duplicate', uniqueKey: e.unique.key, heldBy: holder.owner });
        continue;
      }
      q.uniqueClaim.run(e.unique.key, e.id, e.unique.ttl === null ? null : now + e.unique.ttl * 1000);
    }
    if (e.idempotencyKey) q.idempotencyPut.run(e.idempotencyKey, e.id, now + ttl);
    values.push(e.id, e.queue, e.name, q.payload(e), e.availableAt);
    if (!plain) values.push(e.attempts, e.exceptions, e.lockWaits, e.unique?.key ?? null);
    range.add(e.id);
    results.push({ id: e.id, status: 'queued' });
    const counts = added.get(e.queue) ?? { ready: 0, later: 0 };
    counts.ready += 1;
    if (e.availableAt > (marks.get(e.queue) ?? now)) counts.later += 1;
    added.set(e.queue, counts);
  }
  const taken = failedAmong(q, range, storedIds);
  if (taken) throw new DriverError('INVALID', `job id ${taken} already exists`);
  rows.insert(values, (chunk, error) => {
    if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
    // The failed statement inserted none of its rows: the taken id is in the table or twice in it.
    const ids = chunk.filter((_, i) => i % rows.width === 0) as string[];
    const taken = ids.find((id, i) => q.jobExists.get(id) !== undefined || ids.indexOf(id) !== i);
    throw new DriverError('INVALID', `job id ${taken ?? ids[0]} already exists`);
  });
  // One write per queue: the new rows counted and, at most every MARK_STEP_MS, the mark moved up
  // (that costs a range read; between steps a stats read counts at most those rows itself).
  for (const [queue, counts] of added) {
    const mark = marks.get(queue) ?? null;
    if (mark === null || now - mark >= MARK_STEP_MS) q.queueMarkAdvance.run({ queue, now, ...counts });
    else countChange(queue, counts);
  }
  const stored = refused || options.events?.length ? new Set(storedIds()) : null;
  const events = stored && options.events?.length ? givenEvents(stored, options) : [];
  const dispatched = !options.dispatchedEvents ? [] : refused ? envelopes.filter((e) => stored!.has(e.id)) : envelopes;
  return { results, events, dispatched };
}

/** Failed ids read in one range before the check falls back to one lookup per stored id. */
const FAILED_RANGE_ROWS = 64;
/**
 * Characters whose order differs between JavaScript strings (UTF-16 units) and SQLite text
 * (UTF-8 bytes, the code points' order): ids holding one cannot be bounded by a range here.
 */
const ORDER_DIFFERS = /[\ud800-\uffff]/;

/**
 * A stored id that a failed job holds too (its retry would meet the new job's row), if any. The
 * failed jobs between the push's lowest and highest id are read first: one index seek, and for
 * ids a dispatch makes (ULIDs, close together) almost always none. A lookup per id, from the ids
 * as JSON, was a third of a bulk push's own JavaScript.
 */
function failedAmong(q: SqliteStatements, range: IdRange, storedIds: () => string[]): string | undefined {
  if (range.lowest === null) return undefined;
  if (!range.unordered) {
    const inRange = q.failedBetween.all(range.lowest, range.highest, FAILED_RANGE_ROWS) as string[];
    if (inRange.length === 0) return undefined;
    if (inRange.length < FAILED_RANGE_ROWS) {
      const stored = new Set(storedIds());
      return inRange.find((id) => stored.has(id));
    }
  }
  return (q.failedAmong.get(JSON.stringify(storedIds())) as { id: string } | undefined)?.id;
}

/** The lowest and highest of the stored ids, in SQLite's order. */
class IdRange {
  lowest: string | null = null;
  highest = '';
  /** An id's order may differ in SQLite (see ORDER_DIFFERS): no range, a lookup per id. */
  unordered = false;

  add(id: string): void {
    if (this.lowest === null || id < this.lowest) this.lowest = id;
    if (id > this.highest) this.highest = id;
    if (!this.unordered && ORDER_DIFFERS.test(id)) this.unordered = true;
  }
}
