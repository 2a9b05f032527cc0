import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DriverError } from '../errors.js';
import { migrate } from './schema.js';
import { WalWatcher } from './wake.js';

/** Open (creating owner-only) the store file: WAL, NORMAL sync, a busy timeout, the schema. */
export function openDatabase(path: string, busyTimeoutMs: number): { db: Database.Database; watcher: WalWatcher } {
  let db: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
    db = new Database(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new DriverError(
      'CONNECTION',
      `cannot open SQLite store ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { cause: error },
    );
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return { db, watcher: new WalWatcher(path) };
}
