import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { assertStillSchema6, openSchema6File } from '../helpers/sqlite-schema6.js';
import { defineDriverConformance } from './conformance/index.js';

defineDriverConformance('sqlite, schema-6 file shared with an older qtool', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qtool-sqlite6-'));
  const path = join(dir, 'q.db');
  const holder = openSchema6File(path);
  const opened: Driver[] = [];
  return {
    async open() {
      const driver = createSqliteDriver({ path });
      opened.push(driver);
      return driver;
    },
    async cleanup() {
      await Promise.all(opened.map((d) => d.close()));
      assertStillSchema6(holder);
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
