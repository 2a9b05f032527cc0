import { afterEach, describe, expect, it } from 'vitest';
import { type Project, STORES, tempProject } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';
import { storeSnapshot } from '../helpers/store-access.js';

describe.each(STORES)('dry runs leave the store byte for byte as it was (%s)', (store) => {
  let project: Project;
  afterEach(() => project.cleanup());

  it('dispatch, chain, retry and failed forget with --dry-run change no row or key', async () => {
    project = tempProject(E2E_CONFIG, store);
    // A store with something in every part: pending, delayed, failed, unique and idempotency keys.
    await project.run(['dispatch', '--job', 'Record', '--idempotency-key', 'order-1']);
    await project.run(['dispatch', '--job', 'Record', '--unique', 'report', '--queue', 'held']);
    await project.run(['dispatch', '--job', 'Record', '--delay', '1h']);
    await project.run(['dispatch', '--job', 'Fail', '--queue', 'broken', '--tries', '1']);
    expect((await project.run(['work', '--queue', 'broken', '--stop-when-empty'])).code).toBe(0);
    const before = await storeSnapshot(project, store);

    project.write('plan.json', [
      { job: 'Record' },
      { job: 'Record', delay: '1h' },
      { job: 'Record', idempotencyKey: 'order-1' },
      { job: 'Record', unique: 'report', queue: 'held' },
      { job: 'Slow', data: { ms: 1 }, middleware: [{ withoutOverlapping: { key: 'k' } }] },
    ]);
    project.write('a.json', { job: 'Record', data: { tag: 'a' } });
    project.write('b.json', { job: 'Record', data: { tag: 'b' } });
    const runs = [
      ['dispatch', 'plan.json', '--dry-run'],
      ['dispatch', 'plan.json', '--dry-run', '--json'],
      ['chain', 'a.json', 'b.json', '--catch', 'a.json', '--dry-run'],
      ['retry', 'all', '--dry-run'],
      ['retry', '--job', 'Fail', '--error', 'boom', '--dry-run', '--json'],
      ['failed', 'forget', '--queue', 'broken', '--dry-run'],
    ];
    for (const args of runs) {
      const result = await project.run(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(await storeSnapshot(project, store), args.join(' ')).toBe(before);
    }
    // The snapshot does see a change: the same retry without --dry-run.
    expect((await project.run(['retry', 'all', '--yes'])).code).toBe(0);
    expect(await storeSnapshot(project, store)).not.toBe(before);
  }, 90_000);
});
