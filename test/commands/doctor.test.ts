import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import { type Project, tempProject } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';

let project: Project;
beforeEach(() => {
  project = tempProject(E2E_CONFIG);
});
afterEach(() => project.cleanup());

describe('qtool doctor', () => {
  it('exits 0 on a healthy store', async () => {
    await project.run(['dispatch', '--job', 'Record']);
    await project.run(['work', '--stop-when-empty', '--sleep', '100ms']);
    const result = await project.run(['doctor']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok {3}journal mode: wal/);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('all good');
  });

  it('reports a lost worker, a stale lock, a paused queue with a backlog and unknown jobs, and exits 1', async () => {
    await project.run(['dispatch', '-'], {
      input: '{"job":"Record","queue":"held"}\n{"job":"NoSuchJob","queue":"held"}\n',
    });
    await project.run(['pause', 'held']);
    const path = join(project.dir, '.qtool', 'qtool.db');
    const driver = createSqliteDriver({ path });
    await driver.lockAcquire({
      key: 'overlap:Gone:1',
      owner: 'w/x/y',
      ttlMs: null,
      jobId: '01M0000000000000000000000Z',
      workerId: 'w',
    });
    const info = {
      id: 'ghost',
      host: 'h',
      pid: 1,
      queues: ['held'],
      startedAt: 1,
      concurrency: 1,
      current: [],
      processed: 0,
      failed: 0,
      status: 'running' as const,
    };
    await driver.workerBeat(info);
    await driver.close();
    const db = new Database(path);
    db.prepare('UPDATE workers SET last_beat_at = last_beat_at - 60000').run(); // a heartbeat a minute old
    db.close();

    const result = await project.run(['doctor', '--json']);
    expect(result.code).toBe(1);
    const problems = JSON.parse(result.stdout).findings.filter((f: { ok: boolean }) => !f.ok);
    const byCheck = Object.fromEntries(
      problems.map((p: { check: string; fix: string; detail: string }) => [p.check, p]),
    );
    expect(byCheck['worker ghost'].detail).toMatch(/heartbeat stopped 1m\d*s? ago.*lost/);
    expect(byCheck['lock overlap:Gone:1'].fix).toBe('qtool locks release overlap:Gone:1');
    expect(byCheck['queue held']).toMatchObject({ detail: 'paused with 2 pending', fix: 'qtool resume held' });
    expect(byCheck['jobs of held'].detail).toMatch(/NoSuchJob, which the config does not define/);
    expect((await project.run(['doctor'])).stdout).toMatch(
      /FAIL queue held: paused with 2 pending {2}→ qtool resume held/,
    );
  });
});
