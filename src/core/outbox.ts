import type Database from 'better-sqlite3';
import { pushEnvelopes } from '../drivers/sqlite/push.js';
import { migrate } from '../drivers/sqlite/schema.js';
import { SqliteStatements } from '../drivers/sqlite/statements.js';
import type { PushResult } from '../drivers/types.js';
import type { JobDefinition } from './define.js';
import { buildEnvelope, type DispatchInput } from './envelope-builder.js';
import { QtoolError } from './errors.js';

export interface SqliteOutbox {
  /**
   * Write a job in the application's current better-sqlite3 transaction: it exists if and only if
   * the transaction commits. Must be called inside `db.transaction(...)`.
   */
  dispatch(name: string, data?: unknown, options?: Omit<DispatchInput, 'name' | 'data'>): PushResult;
}

/**
 * A transactional outbox for applications whose data lives in the same SQLite file as qtool's
 * store (`.qtool/qtool.db` by default): jobs are written by the application's own connection,
 * inside its own transactions, so a job exists exactly when the data it is about does.
 */
export function createSqliteOutbox(
  db: Database.Database,
  options: { jobs?: Record<string, JobDefinition> } = {},
): SqliteOutbox {
  migrate(db, false); // the application's connection is open, so other processes may be too
  const statements = new SqliteStatements(db);
  return {
    dispatch(name, data, extra = {}) {
      if (!db.inTransaction)
        throw new QtoolError('outbox.dispatch must run inside db.transaction(...): it writes in your transaction');
      const envelope = buildEnvelope(
        { ...extra, name, data, queue: extra.queue ?? options.jobs?.[name]?.queue },
        statements.now(),
      );
      const event = {
        name: 'job.dispatched',
        queue: envelope.queue,
        jobId: envelope.id,
        jobName: envelope.name,
        details: { outbox: true },
      };
      const { results, events } = pushEnvelopes(statements, [envelope], { events: [event] });
      for (const e of events) {
        statements.eventInsert.run(
          statements.now(),
          e.name,
          e.queue ?? null,
          e.jobId ?? null,
          e.jobName ?? null,
          null,
          null,
          null,
          JSON.stringify(e.details ?? {}),
        );
      }
      return results[0]!;
    },
  };
}
