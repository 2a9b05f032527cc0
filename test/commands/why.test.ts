import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Project, STORES, tempProject, waitFor } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';

describe.each(STORES)('qtool why on %s', (store) => {
  let project: Project;
  beforeEach(() => {
    project = tempProject(E2E_CONFIG, store);
  });
  afterEach(() => project.cleanup());
  const why = async (id: string) => JSON.parse((await project.run(['why', id, '--json'])).stdout);
  const dispatch = async (...args: string[]) => (await project.run(['dispatch', ...args, '--quiet'])).stdout.trim();

  it('names the cause of pending, delayed, paused, failed and unknown jobs', async () => {
    expect(await why('01M0000000000000000000000Z')).toMatchObject({ cause: 'not-found' });
    expect((await project.run(['why', '01M0000000000000000000000Z'])).code).toBe(1);
    const delayed = await dispatch('--job', 'Record', '--delay', '1h');
    expect(await why(delayed)).toMatchObject({ cause: 'delayed', state: 'delayed' });
    const idle = await dispatch('--job', 'Record', '--queue', 'lonely');
    const answer = await why(idle);
    expect(answer).toMatchObject({ cause: 'no-worker', evidence: { queue: 'lonely', pending: 1 } });
    expect(answer.answer).toMatch(/qtool work --queue=lonely/);
    await project.run(['pause', 'lonely']);
    expect(await why(idle)).toMatchObject({ cause: 'paused' });
    const failing = await dispatch('--job', 'Fail', '--tries', '1', '--queue', 'f');
    await project.run(['work', '--queue', 'f', '--stop-when-empty', '--sleep', '100ms']);
    expect(await why(failing)).toMatchObject({ cause: 'failed', evidence: { attempts: 1, error: 'boom: no reason' } });
    const human = await project.run(['why', failing]);
    expect(human.stdout.trim()).toMatch(/^failed: failed .* after 1 attempt\(s\): boom: no reason$/);
  });

  it('names the overlap lock and its holder for a held-back job, and the worker of a running one', async () => {
    project.write('holder.json', {
      job: 'Slow',
      data: { ms: 30_000 },
      middleware: [{ withoutOverlapping: { key: 'k', releaseAfter: '1h' } }],
    });
    project.write('waiter.json', {
      job: 'Slow',
      data: { ms: 1 },
      middleware: [{ withoutOverlapping: { key: 'k', releaseAfter: '1h' } }],
    });
    const holder = await dispatch('holder.json');
    const worker = project.spawn(['work', '--sleep', '100ms', '--concurrency', '2', '--json']);
    await waitFor(
      () =>
        existsSync(join(project.dir, 'started.txt')) &&
        readFileSync(join(project.dir, 'started.txt'), 'utf8').includes(holder),
      15_000,
      'the holder to start',
    );
    const waiter = await dispatch('waiter.json');
    await waitFor(() => worker.output().stdout.includes('"released"'), 15_000, 'the waiter to be released');
    const blocked = await why(waiter);
    expect(blocked).toMatchObject({
      cause: 'overlap-lock',
      evidence: { key: 'overlap:Slow:k', lock: { jobId: holder } },
    });
    expect(blocked.answer).toMatch(/held by job .* no expiry/);
    expect(await why(holder)).toMatchObject({ cause: 'running', state: 'reserved' });
    worker.kill('SIGKILL');
    await worker.exited;
  });

  it('names the throttle key and its window', async () => {
    project.write('t.json', {
      job: 'Fail',
      tries: 0,
      retryUntil: '1h',
      middleware: [{ throttlesExceptions: { maxExceptions: 1, decay: '1h', by: 'api' } }],
    });
    const id = await dispatch('t.json');
    await project.run(['work', '--max-jobs', '2', '--sleep', '100ms']);
    const answer = await why(id);
    expect(answer).toMatchObject({ cause: 'throttled', evidence: { key: 'throttle:api', counter: { count: 1 } } });
    expect(answer.answer).toMatch(/throttled by throttle:api \(1\/1 until/);
  });
});
