import Database from 'better-sqlite3';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';

/**
 * Make `path` a schema-6 file (jobs_due over every row) and return a connection that keeps it
 * open, as an older qtool still running on it would: drivers opened next are not alone, so this
 * version leaves the file at 6 and must work on it unchanged.
 */
export function openSchema6File(path: string): Database.Database {
  void createSqliteDriver({ path }).close(); // the current schema, file closed again
  const db = new Database(path);
  db.exec('DROP INDEX jobs_due; CREATE INDEX jobs_due ON jobs (queue, available_at);');
  db.pragma('user_version = 6');
  return db;
}

/** Throws unless the file is still at 6 (nobody upgraded it while it was shared). */
export function assertStillSchema6(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true });
  if (version !== 6) throw new Error(`the shared file was upgraded to ${version} while another process had it open`);
}
