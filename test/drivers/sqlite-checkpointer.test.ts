import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatchJobs } from '../../src/core/dispatch.js';
import { WalCheckpointer } from '../../src/drivers/sqlite/checkpointer.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import { waitFor } from '../helpers/cli.js';

const autocheckpoint = (db: Database.Database) => db.pragma('wal_autocheckpoint', { simple: true });

describe('SQLite checkpoints on a thread of their own', () => {
  let dir: string;
  let path: string;
  let db: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qtool-checkpoint-'));
    path = join(dir, 'q.db');
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const commit = (checkpointer: WalCheckpointer, n: number) => {
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < n; i++) {
      insert.run('x'.repeat(500));
      checkpointer.noteCommit();
    }
  };

  it('starts only once the connection is busy, then copies its pages while commits checkpoint less often', async () => {
    const checkpointer = new WalCheckpointer(db);
    commit(checkpointer, 15);
    expect(autocheckpoint(db)).toBe(1000); // a short command never starts the thread
    const fileSize = statSync(path).size;
    commit(checkpointer, 1 + 32 * 4);
    expect(autocheckpoint(db)).toBe(4000);
    // Nothing in this thread checkpoints below 4000 pages: the file grows by the thread's copies.
    await waitFor(() => statSync(path).size > fileSize, 5000, 'the thread to copy pages');
    await checkpointer.stop();
    db.close();
    // This connection closed last: it checkpointed and removed the WAL, as SQLite's last one does.
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-shm`)).toBe(false);
  });

  it('finds the file by the path it had when the connection opened, after the process changed directory', async () => {
    db.close();
    const home = process.cwd();
    process.chdir(dir);
    db = new Database('relative.db');
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const checkpointer = new WalCheckpointer(db); // as the driver makes it, with its connection
    process.chdir(home);
    const fileSize = statSync(join(dir, 'relative.db')).size;
    commit(checkpointer, 16 + 32 * 4);
    await waitFor(() => statSync(join(dir, 'relative.db')).size > fileSize, 5000, 'the thread to copy pages');
    expect(autocheckpoint(db)).toBe(4000);
    await checkpointer.stop();
  });

  it('goes back to checkpoints at commit when the thread cannot work', async () => {
    renameSync(path, join(dir, 'moved.db')); // this connection keeps its file; the thread finds none
    const checkpointer = new WalCheckpointer(db);
    commit(checkpointer, 16);
    await waitFor(() => autocheckpoint(db) === 1000, 5000, 'commits to checkpoint again');
    commit(checkpointer, 512); // and it does not start again
    expect(autocheckpoint(db)).toBe(1000);
    await checkpointer.stop();
  });

  it('leaves no WAL behind when a busy driver closes, with every job kept', async () => {
    db.close();
    const driver = createSqliteDriver({ path: join(dir, 'jobs.db') });
    for (let i = 0; i < 400; i++) await dispatchJobs(driver, [{ name: 'Noop', queue: 'q', data: { i } }]);
    await driver.close();
    expect(existsSync(join(dir, 'jobs.db-wal'))).toBe(false);
    const again = createSqliteDriver({ path: join(dir, 'jobs.db') });
    expect((await again.queueStats())[0]).toMatchObject({ queue: 'q', pending: 400 });
    await again.close();
  });
});
