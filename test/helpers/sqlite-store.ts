import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import type { Driver } from '../../src/drivers/types.js';

export interface TempSqliteStore {
  path: string;
  /** Open on `path` for each test, closed after it (a test that reopens the file assigns here). */
  driver: Driver;
}

/** A fresh store file and a driver on it for each test of the calling suite, removed after. */
export function useTempSqliteStore(prefix: string): TempSqliteStore {
  const store = {} as TempSqliteStore;
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `qtool-${prefix}-`));
    store.path = join(dir, 'q.db');
    store.driver = createSqliteDriver({ path: store.path });
  });
  afterEach(async () => {
    await store.driver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

/** Read a store file directly, on a read-only connection of its own. */
export function readStoreFile<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
