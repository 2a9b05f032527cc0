import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import { ROOT, tempProject } from '../helpers/cli.js';

const BATCH = 2000;

/** A process that pushes batches of BATCH jobs into the store, one transaction each, forever. */
function startPusher(path: string): ChildProcess {
  const script = `
    const { createSqliteDriver } = await import(${JSON.stringify(join(ROOT, 'dist/drivers/sqlite/index.js'))});
    const { plainEnvelope } = await import(${JSON.stringify(join(ROOT, 'dist/core/envelope.js'))});
    const { newJobId } = await import(${JSON.stringify(join(ROOT, 'dist/core/ids.js'))});
    const driver = createSqliteDriver({ path: ${JSON.stringify(path)} });
    for (;;) {
      const batch = Array.from({ length: ${BATCH} }, () =>
        plainEnvelope({ id: newJobId(), name: 'Crash', queue: 'crash', data: { pad: 'x'.repeat(200) } }));
      await driver.jobPush(batch);
      process.stdout.write('pushed\\n');
    }
  `;
  return spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('SQLite under crashes and contention', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a process SIGKILLed in the middle of its transactions leaves a consistent store with whole batches only', async () => {
    dir = mkdtempSync(join(tmpdir(), 'qtool-crash-'));
    const path = join(dir, 'q.db');
    for (let round = 0; round < 5; round++) {
      const child = startPusher(path);
      await new Promise<void>((resolve) => {
        child.stdout!.once('data', () => setTimeout(resolve, 5 + Math.random() * 40));
      });
      const exited = new Promise((r) => child.on('close', r));
      child.kill('SIGKILL');
      await exited;
      const db = new Database(path, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const { n } = db.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number };
      db.close();
      expect(n % BATCH).toBe(0);
    }
    // The next process carries on: it reads every stored job and takes new ones.
    const driver = createSqliteDriver({ path });
    try {
      const stats = (await driver.queueStats()).find((q) => q.queue === 'crash')!;
      expect(stats.pending % BATCH).toBe(0);
      expect(stats.pending).toBeGreaterThanOrEqual(5 * BATCH);
      const taken = await driver.jobReserve({ queues: ['crash'], workerId: 'w', leaseMs: 1000, limit: 10 });
      expect(taken).toHaveLength(10);
      expect(await driver.jobComplete({ id: taken[0]!.envelope.id, token: taken[0]!.token })).toBe(true);
    } finally {
      await driver.close();
    }
  }, 60_000);

  it('a command meeting a busy store waits for the lock instead of failing', async () => {
    const project = tempProject();
    dir = project.dir;
    expect((await project.run(['dispatch', '--job', 'First'])).code).toBe(0);
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const Database = require(${JSON.stringify(join(ROOT, 'node_modules/better-sqlite3'))});
         const db = new Database(${JSON.stringify(join(project.dir, '.qtool', 'qtool.db'))});
         db.exec('BEGIN IMMEDIATE');
         db.prepare("INSERT OR IGNORE INTO queues (name) VALUES ('held')").run();
         process.stdout.write('locked\\n');
         setTimeout(() => { db.exec('COMMIT'); process.stdout.write('released\\n'); }, 1500);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const holderClosed = new Promise((r) => holder.on('close', r));
    let held = '';
    holder.stdout!.on('data', (chunk) => {
      held += chunk;
    });
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const dispatched = await project.run(['dispatch', '--job', 'Second']);
    // The dispatch finished only after the holder let go.
    const heldWhenDone = held;
    await holderClosed;
    expect(dispatched).toMatchObject({ code: 0, stderr: '' });
    expect(heldWhenDone).toBe('locked\nreleased\n');
    const status = JSON.parse((await project.run(['status', '--json'])).stdout);
    expect(status.queues.find((q: { queue: string }) => q.queue === 'default').pending).toBe(2);
  }, 30_000);
});
