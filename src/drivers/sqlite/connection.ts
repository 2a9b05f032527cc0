import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DriverError } from '../errors.js';
import { migrate, SCHEMA_VERSION } from './schema.js';
import { WalWatcher } from './wake.js';

/** Open (creating owner-only) the store file: WAL, NORMAL sync, a busy timeout, the schema. */
export function openDatabase(path: string, busyTimeoutMs: number): { db: Database.Database; watcher: WalWatcher } {
  let db: Database.Database;
  let alone = false;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Every open connection keeps a -shm (and -wal) beside the file; the last to close removes them.
    alone = !existsSync(`${path}-wal`) && !existsSync(`${path}-shm`);
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
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    // Rows a newer version wrote may not read right here (and this version would write rows it
    // cannot read back): refuse rather than misrun jobs. Older files are upgraded in place.
    throw new DriverError(
      'CONNECTION',
      `the SQLite store ${path} was written by a newer qtool (schema version ${version}; this qtool reads up to ${SCHEMA_VERSION}): upgrade qtool`,
    );
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db, alone);
  return { db, watcher: new WalWatcher(path) };
}
