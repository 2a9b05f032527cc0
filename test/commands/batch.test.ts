import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lines, type Project, STORES, tempProject } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';

describe.each(STORES)('qtool batch on %s', (store) => {
  let project: Project;
  beforeEach(() => {
    project = tempProject(E2E_CONFIG, store);
  });
  afterEach(() => project.cleanup());
  const read = (name: string) =>
    existsSync(join(project.dir, name)) ? readFileSync(join(project.dir, name), 'utf8') : '';
  const tags = () => lines(read('ledger.txt')).map((l) => l.split(' ')[1]);

  it('keeps exact progress over 1,000 jobs and dispatches then and finally once', async () => {
    project.write(
      'jobs.ndjson',
      Array.from({ length: 1000 }, (_, i) => JSON.stringify({ job: 'Record', data: { tag: `n${i}` } })).join('\n'),
    );
    project.write('then.json', { job: 'Record', data: { tag: 'then' } });
    project.write('finally.json', { job: 'Record', data: { tag: 'finally' } });
    const out = JSON.parse(
      (
        await project.run([
          'batch',
          'jobs.ndjson',
          '--then',
          'then.json',
          '--finally',
          'finally.json',
          '--name',
          'big',
          '--json',
        ])
      ).stdout,
    );
    const shown = JSON.parse((await project.run(['batch', 'show', out.batch, '--json'])).stdout);
    expect(shown).toMatchObject({ total: 1000, pending: 1000, failed: 0, name: 'big' });
    expect((await project.run(['status'])).stdout).toMatch(
      /batch \S+ \(big\): 0\/1000 done, 1000 pending, 0 failed \(running\)/,
    );
    await project.run(['work', '--stop-when-empty', '--sleep', '100ms', '--concurrency', '4'], { timeoutMs: 120_000 });
    const done = JSON.parse((await project.run(['batch', 'show', out.batch, '--json'])).stdout);
    expect(done).toMatchObject({ total: 1000, pending: 0, failed: 0, failedIds: [] });
    expect(tags().filter((t) => t === 'then')).toHaveLength(1);
    expect(tags().filter((t) => t === 'finally')).toHaveLength(1);
    expect(tags()).toHaveLength(1002);
    expect((await project.run(['batch', 'show', out.batch])).stdout).toMatch(
      /1000\/1000 done, 0 pending, 0 failed \(finished\)/,
    );
  }, 180_000);

  it('on the first failure dispatches catch once, cancels the rest, and still runs finally', async () => {
    project.write('jobs.json', [
      { job: 'Fail', tries: 1, data: { why: 'bad row' } },
      { job: 'Record', data: { tag: 'skipped-1' } },
      { job: 'Record', data: { tag: 'skipped-2' } },
    ]);
    project.write('catch.json', { job: 'Record', data: { tag: 'catch' } });
    project.write('then.json', { job: 'Record', data: { tag: 'then' } });
    project.write('finally.json', { job: 'Record', data: { tag: 'finally' } });
    const id = JSON.parse(
      (
        await project.run([
          'batch',
          'jobs.json',
          '--catch',
          'catch.json',
          '--then',
          'then.json',
          '--finally',
          'finally.json',
          '--json',
        ])
      ).stdout,
    ).batch;
    await project.run(['work', '--stop-when-empty', '--sleep', '100ms']);
    expect(tags()).toEqual(['catch', 'finally']);
    const state = JSON.parse((await project.run(['batch', 'show', id, '--json'])).stdout);
    expect(state).toMatchObject({ total: 3, pending: 1, failed: 1 });
    expect(state.cancelledAt).toBeGreaterThan(0);
  });

  it('with --allow-failures runs every job; batch cancel skips jobs not yet started', async () => {
    project.write('jobs.json', [
      { job: 'Fail', tries: 1 },
      { job: 'Record', data: { tag: 'ran' } },
    ]);
    await project.run(['batch', 'jobs.json', '--allow-failures']);
    await project.run(['work', '--stop-when-empty', '--sleep', '100ms']);
    expect(tags()).toEqual(['ran']);

    project.write('later.json', [
      { job: 'Record', data: { tag: 'never-1' } },
      { job: 'Record', data: { tag: 'never-2' } },
    ]);
    const id = JSON.parse((await project.run(['batch', 'later.json', '--json'])).stdout).batch;
    expect((await project.run(['batch', 'cancel', id])).stdout).toMatch(/cancelled batch .*0\/2 done/);
    const run = await project.run(['work', '--stop-when-empty', '--sleep', '100ms', '--json']);
    expect(lines(run.stdout).map((l) => JSON.parse(l).status)).toEqual(['deleted', 'deleted']);
    expect(tags()).toEqual(['ran']);
    expect((await project.run(['batch', 'list'])).stdout).toMatch(/2\/2 done, 0 pending, 0 failed \(cancelled\)/);
    expect((await project.run(['batch', 'show', 'nope'])).code).toBe(1);
  });
});
