import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { defineDriverConformance } from './conformance/index.js';

// Temp files, never :memory: (which would hide WAL and locking); each open() is a new connection.
defineDriverConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qtool-sqlite-'));
  const opened: Driver[] = [];
  return {
    async open() {
      const driver = createSqliteDriver({ path: join(dir, 'q.db') });
      opened.push(driver);
      return driver;
    },
    async cleanup() {
      await Promise.all(opened.map((d) => d.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
