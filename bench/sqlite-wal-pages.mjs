// Which pages a SQLite step writes: `node bench/sqlite-wal-pages.mjs push|process [N]`.
// N single dispatches (push) or N no-op jobs run by a one-slot worker (process), with automatic
// checkpoints off, then every WAL frame's page is mapped to its table or index through dbstat.
// A count, not a rate: it does not move with the machine's load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { dispatchJobs } from '../dist/core/dispatch.js';
import { Worker } from '../dist/core/worker.js';
import { createSqliteDriver } from '../dist/drivers/sqlite/index.js';
import { removeDir, tempDir } from './lib.mjs';

const mode = process.argv[2] ?? 'process';
const count = Number(process.argv[3] ?? 2000);
if (mode !== 'push' && mode !== 'process') throw new Error('mode: push or process');
const dir = tempDir('qtool-wal-');
const path = join(dir, 'q.db');
const driver = createSqliteDriver({ path });
const noop = (n) => ({ name: 'Noop', queue: 'bench', data: { n } });
const backlog = mode === 'process' ? count + 3000 : 3000; // a queue that is not empty either way
await dispatchJobs(
  driver,
  Array.from({ length: backlog }, (_, n) => noop(n)),
  { batchSize: 1000 },
);
const db = new Database(path);
db.pragma('wal_checkpoint(TRUNCATE)'); // start from an empty WAL
db.close();
driver.db.pragma('wal_autocheckpoint = 0');

if (mode === 'push') {
  for (let n = 0; n < count; n++) await dispatchJobs(driver, [noop(n)]);
} else {
  let done = 0;
  let finish;
  const finished = new Promise((resolve) => {
    finish = resolve;
  });
  const worker = new Worker({
    driver,
    queues: ['bench'],
    concurrency: 1,
    defaults: { tries: 1, backoff: 0, timeout: 0 },
    heartbeatMs: 600_000,
    jobs: {
      Noop: {
        handle() {
          done += 1;
          if (done === count) finish();
        },
      },
    },
  });
  const running = worker.run();
  await finished;
  worker.stop();
  await running;
}

const wal = readFileSync(`${path}-wal`);
const pageSize = wal.readUInt32BE(8);
const pages = [];
let commits = 0;
for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
  pages.push(wal.readUInt32BE(at));
  if (wal.readUInt32BE(at + 4) !== 0) commits += 1; // a commit frame carries the file size
}
const reader = new Database(path, { readonly: true });
const owner = new Map(
  reader
    .prepare('SELECT name, pageno FROM dbstat')
    .all()
    .map((r) => [r.pageno, r.name]),
);
reader.close();
const perTable = new Map();
for (const page of pages) {
  const name = page === 1 ? '(page 1)' : (owner.get(page) ?? '(free list)');
  perTable.set(name, (perTable.get(name) ?? 0) + 1);
}
console.log(
  `${mode}: ${count} ${mode === 'push' ? 'dispatches' : 'jobs'}, ${commits} commits, ${(pages.length / count).toFixed(2)} WAL frames each`,
);
for (const [name, frames] of [...perTable].sort((a, b) => b[1] - a[1]))
  console.log(`  ${name.padEnd(16)} ${(frames / count).toFixed(2)}`);
await driver.close();
removeDir(dir);
