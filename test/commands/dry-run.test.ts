import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Project, STORES, tempProject, waitFor } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';

describe.each(STORES)('qtool dispatch --dry-run on %s', (store) => {
  let project: Project;
  beforeEach(() => {
    project = tempProject(E2E_CONFIG, store);
  });
  afterEach(() => project.cleanup());

  it('reports each job outcome and changes nothing', async () => {
    const existing = (
      await project.run(['dispatch', '--job', 'Record', '--idempotency-key', 'order-1', '--quiet'])
    ).stdout.trim();
    const holder = (await project.run(['dispatch', '--job', 'Record', '--unique', 'report', '--quiet'])).stdout.trim();
    project.write('slow.json', {
      job: 'Slow',
      data: { ms: 30_000 },
      middleware: [{ withoutOverlapping: { key: 'k' } }],
    });
    const running = (await project.run(['dispatch', 'slow.json', '--quiet', '--queue', 'busy'])).stdout.trim();
    const worker = project.spawn(['work', '--queue', 'busy', '--sleep', '100ms']);
    await waitFor(
      () =>
        existsSync(join(project.dir, 'started.txt')) &&
        readFileSync(join(project.dir, 'started.txt'), 'utf8').includes(running),
      15_000,
      'the lock holder',
    );
    const listing = async () =>
      Promise.all(
        ['pending', 'delayed', 'reserved'].map(async (state) =>
          JSON.parse((await project.run(['jobs', 'default', '--state', state, '--json'])).stdout).jobs.map(
            (j: { envelope: { id: string } }) => j.envelope.id,
          ),
        ),
      );
    const before = JSON.parse((await project.run(['status', '--json'])).stdout).queues;
    const jobsBefore = await listing();

    project.write('plan.json', [
      { job: 'Record' },
      { job: 'Record', delay: '1h' },
      { job: 'Record', idempotencyKey: 'order-1' },
      { job: 'Record', unique: 'report' },
      { job: 'Slow', data: { ms: 1 }, middleware: [{ withoutOverlapping: { key: 'k' } }] },
    ]);
    const report = JSON.parse((await project.run(['dispatch', 'plan.json', '--dry-run', '--json'])).stdout);
    expect(report.dryRun).toBe(true);
    expect(report.jobs.map((j: { outcome: string }) => j.outcome)).toEqual([
      'queued',
      'delayed',
      'existing',
      'duplicate',
      'queued',
    ]);
    expect(report.jobs[2].existingId).toBe(existing);
    expect(report.jobs[3].heldBy).toBe(holder);
    expect(report.jobs[4].locks).toEqual([{ key: 'overlap:Slow:k', jobId: running, workerId: expect.any(String) }]);
    const human = await project.run(['dispatch', 'plan.json', '--dry-run']);
    expect(human.stdout).toMatch(
      /^4: Slow: would be queued on default, available now; at run time it would wait for overlap lock overlap:Slow:k/m,
    );

    const after = JSON.parse((await project.run(['status', '--json'])).stdout).queues;
    const counts = (queues: Record<string, number>[]) =>
      queues.map((q) => [q.queue, q.pending, q.delayed, q.reserved, q.failed]);
    expect(counts(after)).toEqual(counts(before));
    expect(await listing()).toEqual(jobsBefore);
    worker.kill('SIGKILL');
    await worker.exited;
  });
});
