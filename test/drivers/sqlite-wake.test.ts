import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalWatcher } from '../../src/drivers/sqlite/wake.js';

async function timed(wait: Promise<void>): Promise<number> {
  const start = performance.now();
  await wait;
  return performance.now() - start;
}

describe('the SQLite WAL watcher', () => {
  let dir: string;
  let watcher: WalWatcher;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qtool-wake-'));
    writeFileSync(join(dir, 'q.db'), '');
    writeFileSync(join(dir, 'q.db-wal'), ''); // appended to below: one change event, no create
    watcher = new WalWatcher(join(dir, 'q.db'));
  });
  afterEach(() => {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('wakes a waiter on a write to the WAL, then looks again three times soon after, then waits in full', async () => {
    await watcher.wait(1); // starts the watch
    const woken = watcher.wait(5000);
    appendFileSync(join(dir, 'q.db-wal'), 'frame');
    expect(await timed(woken)).toBeLessThan(1000);
    // A commit's write comes before it is readable, and no file event follows: look again soon
    // (after 1, 4 and 16 ms; the bound leaves room for a loaded machine's timers).
    for (let i = 0; i < 3; i++) expect(await timed(watcher.wait(5000))).toBeLessThan(1000);
    expect(await timed(watcher.wait(300))).toBeGreaterThanOrEqual(250);
  });
});
