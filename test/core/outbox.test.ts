import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteOutbox } from '../../src/core/outbox.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { workUntilEmpty } from '../helpers/in-process.js';

let dir: string;
let db: Database.Database;
let driver: Driver;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qtool-outbox-'));
  const path = join(dir, 'app.db');
  db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER NOT NULL)');
  driver = createSqliteDriver({ path });
});
afterEach(async () => {
  await driver.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite transactional outbox', () => {
  it('writes the job in the application transaction: both exist, or neither', async () => {
    const outbox = createSqliteOutbox(db);
    const placeOrder = db.transaction((id: number, total: number) => {
      db.prepare('INSERT INTO orders (id, total) VALUES (?, ?)').run(id, total);
      outbox.dispatch('SendInvoice', { orderId: id });
      if (total < 0) throw new Error('negative total');
    });
    placeOrder(1, 100);
    expect(() => placeOrder(2, -5)).toThrow('negative total');
    expect(db.prepare('SELECT id FROM orders').all()).toEqual([{ id: 1 }]);
    const stats = await driver.queueStats();
    expect(stats).toMatchObject([{ queue: 'default', pending: 1 }]);

    const invoiced: number[] = [];
    await workUntilEmpty(driver, {
      SendInvoice: { handle: (data: { orderId: number }) => void invoiced.push(data.orderId) },
    });
    expect(invoiced).toEqual([1]);
  });

  it('refuses to write outside a transaction', () => {
    const outbox = createSqliteOutbox(db);
    expect(() => outbox.dispatch('SendInvoice', {})).toThrow(/inside db.transaction/);
  });

  it('honours unique keys like any dispatch', () => {
    const outbox = createSqliteOutbox(db);
    const results = db.transaction(() => [
      outbox.dispatch('Report', {}, { unique: { key: 'report:daily', ttl: null, untilProcessing: false } }),
      outbox.dispatch('Report', {}, { unique: { key: 'report:daily', ttl: null, untilProcessing: false } }),
    ])();
    expect(results.map((r) => r.status)).toEqual(['queued', 'duplicate']);
  });
});
