import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lines, type Project, STORES, tempProject, waitFor } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';

describe.each(STORES)('on %s', (store) => {
  let project: Project;
  beforeEach(() => {
    project = tempProject(E2E_CONFIG, store);
  });
  afterEach(() => project.cleanup());

  const read = (name: string) =>
    existsSync(join(project.dir, name)) ? readFileSync(join(project.dir, name), 'utf8') : '';
  const overlapJob = (extra: object = {}) =>
    JSON.stringify({
      job: 'Overlap',
      data: { ms: 30 },
      middleware: [{ withoutOverlapping: { key: 'order:42', ...extra } }],
    });

  describe('overlap locks across worker processes', () => {
    it('20 jobs with one key run strictly one at a time on two workers, and all complete', async () => {
      await project.run(['dispatch', '-', '--quiet'], {
        input: Array.from({ length: 20 }, () => overlapJob()).join('\n'),
      });
      const work = () =>
        project.run(['work', '--stop-when-empty', '--sleep', '100ms', '--concurrency', '2'], { timeoutMs: 60_000 });
      const [a, b] = await Promise.all([work(), work()]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const events = lines(read('intervals.txt')).map((l) => l.split(' '));
      expect(events).toHaveLength(40);
      // Sorted by time, starts and ends must alternate: no two intervals overlap.
      const sorted = events.sort((x, y) => Number(x[1]) - Number(y[1]) || (x[0] === 'end' ? -1 : 1));
      expect(sorted.map((event) => event[0])).toEqual(sorted.map((_, i) => (i % 2 === 0 ? 'start' : 'end')));
      expect(new Set(events.map((e) => e[2])).size).toBe(20);
    });

    it('dontRelease drops the jobs that found the lock busy', async () => {
      project.write('held.json', { job: 'Slow', data: { ms: 1 } });
      await project.run(['dispatch', '-', '--quiet'], {
        input: Array.from({ length: 3 }, () => overlapJob({ dontRelease: true })).join('\n'),
      });
      const status = await project.run([
        'work',
        '--stop-when-empty',
        '--sleep',
        '100ms',
        '--concurrency',
        '3',
        '--json',
      ]);
      const results = lines(status.stdout).map((l) => JSON.parse(l));
      expect(results.filter((r) => r.status === 'completed').length).toBeGreaterThanOrEqual(1);
      expect(
        results.filter((r) => r.status === 'completed').length + results.filter((r) => r.status === 'deleted').length,
      ).toBe(3);
    });

    it('qtool locks shows a held lock; locks release lets the waiting job run', async () => {
      // A worker killed while holding a lock without expireAfter leaves it held (Laravel's case 5).
      project.write('slow.json', {
        job: 'Slow',
        data: { ms: 60000 },
        tries: 3,
        middleware: [{ withoutOverlapping: { key: 'k' } }],
      });
      const id = (await project.run(['dispatch', 'slow.json', '--quiet'])).stdout.trim();
      const victim = project.spawn(['work', '--lease', '1s']);
      await waitFor(() => read('started.txt').includes(id), 15_000, 'the job to start');
      victim.kill('SIGKILL');
      await victim.exited;
      const locks = JSON.parse((await project.run(['locks', '--json'])).stdout).locks;
      expect(locks).toMatchObject([{ key: 'overlap:Slow:k', jobId: id, expiresAt: null }]);
      expect((await project.run(['locks'])).stdout).toMatch(/overlap:Slow:k\s+\S+\s+\S+\s+.*never/);

      project.write('waiting.json', {
        job: 'Record',
        data: { tag: 'waiter' },
        middleware: [{ withoutOverlapping: { key: 'k', releaseAfter: '200ms' } }],
      });
      await project.run(['jobs', 'delete', id]);
      await project.run(['dispatch', '--job', 'Record', '--data', '{"tag":"w"}']);
      project.write('w.json', {
        job: 'Slow',
        data: { ms: 10 },
        middleware: [{ withoutOverlapping: { key: 'k', releaseAfter: '200ms' } }],
      });
      const waiting = (await project.run(['dispatch', 'w.json', '--quiet'])).stdout.trim();
      const worker = project.spawn(['work', '--sleep', '100ms', '--json']);
      await waitFor(() => worker.output().stdout.includes('"released"'), 15_000, 'a release on the busy lock');
      expect(read('ledger.txt')).not.toContain(`${waiting} slow`);
      const released = await project.run(['locks', 'release', 'overlap:Slow:k']);
      expect(released.stdout.trim()).toBe('released overlap:Slow:k');
      await waitFor(() => read('ledger.txt').includes(`${waiting} slow`), 15_000, 'the waiting job to run');
      worker.kill('SIGTERM');
      await worker.exited;
      const job = JSON.parse(
        lines(worker.output().stdout).find((l) => l.includes('"completed"') && l.includes(waiting))!,
      );
      expect(job.attempt).toBe(1); // lock waits do not use tries
    });

    it('a lock with expireAfter held by a SIGKILLed worker frees after expiry', async () => {
      project.write('slow.json', {
        job: 'Slow',
        data: { ms: 60000 },
        // Long enough to still be held when checked on a loaded machine, short enough to wait out.
        middleware: [{ withoutOverlapping: { key: 'e', expireAfter: '5s' } }],
      });
      const id = (await project.run(['dispatch', 'slow.json', '--quiet'])).stdout.trim();
      const victim = project.spawn(['work', '--lease', '30s']);
      await waitFor(() => read('started.txt').includes(id), 15_000, 'the job to start');
      victim.kill('SIGKILL');
      await victim.exited;
      expect(JSON.parse((await project.run(['locks', '--json'])).stdout).locks).toHaveLength(1);
      await waitFor(
        async () => JSON.parse((await project.run(['locks', '--json'])).stdout).locks.length === 0,
        20_000,
        'expiry',
      );
    });
  });

  describe('exception throttling from a job file', () => {
    it('trips after maxExceptions; qtool throttle shows it and throttle clear resets it', async () => {
      project.write('t.json', {
        job: 'Fail',
        tries: 0,
        retryUntil: '1h',
        middleware: [{ throttlesExceptions: { maxExceptions: 3, decay: '1h', by: 'stripe' } }],
      });
      await project.run(['dispatch', 't.json']);
      const run = await project.run(['work', '--max-jobs', '4', '--json', '--sleep', '100ms']);
      const results = lines(run.stdout).map((l) => JSON.parse(l));
      expect(results.map((r) => r.status)).toEqual(['released', 'released', 'released', 'released']);
      expect(results[3].reason).toMatch(/throttled by throttle:stripe \(3\/3\)/);
      expect(results[3].retryIn).toBeGreaterThan(3500);
      const throttle = JSON.parse((await project.run(['throttle', '--json'])).stdout).counters;
      expect(throttle).toMatchObject([
        { key: 'throttle:stripe', count: 3, tripped: true, meta: { kind: 'throttle', limit: 3 } },
      ]);
      expect((await project.run(['throttle'])).stdout).toMatch(/throttle:stripe\s+throttle\s+3\/3\s+.*tripped until/);
      expect((await project.run(['throttle', 'clear', 'throttle:stripe'])).stdout.trim()).toBe(
        'cleared throttle:stripe',
      );
      expect(JSON.parse((await project.run(['throttle', '--json'])).stdout).counters).toEqual([]);
    });
  });

  describe('unique and idempotent dispatch', () => {
    it('skips a second dispatch while the unique key is held and frees it on completion', async () => {
      const first = await project.run(['dispatch', '--job', 'Record', '--unique', 'report:7', '--quiet']);
      const second = await project.run(['dispatch', '--job', 'Record', '--unique', 'report:7']);
      expect(second.code).toBe(0);
      expect(second.stdout.trim()).toBe(`skipped (unique key report:7 held by ${first.stdout.trim()})`);
      await project.run(['work', '--stop-when-empty', '--sleep', '100ms']);
      const third = await project.run(['dispatch', '--job', 'Record', '--unique', 'report:7', '--json']);
      expect(JSON.parse(third.stdout).jobs[0].status).toBe('queued');
    });

    it('with untilProcessing frees the unique key when the job starts', async () => {
      project.write('u.json', { job: 'Slow', data: { ms: 1500 }, unique: { key: 'render:1', untilProcessing: true } });
      const first = (await project.run(['dispatch', 'u.json', '--quiet'])).stdout.trim();
      expect((await project.run(['dispatch', 'u.json'])).stdout).toMatch(/skipped \(unique key render:1 held by/);
      const worker = project.spawn(['work', '--sleep', '100ms']);
      await waitFor(
        () => existsSync(join(project.dir, 'started.txt')) && read('started.txt').includes(first),
        15_000,
        'the job to start',
      );
      const second = JSON.parse((await project.run(['dispatch', 'u.json', '--json'])).stdout).jobs[0];
      expect(second.status).toBe('queued');
      worker.kill('SIGTERM');
      await worker.exited;
    });

    // 16 processes still overlap on a two-core machine; 50 cost the suite about 35 s of CPU more.
    it('16 concurrent dispatches with one idempotency key make exactly one job', async () => {
      const runs = await Promise.all(
        Array.from({ length: 16 }, () =>
          project.run(['dispatch', '--job', 'Record', '--idempotency-key', 'order-42', '--quiet'], {
            timeoutMs: 60_000,
          }),
        ),
      );
      expect(runs.every((r) => r.code === 0)).toBe(true);
      const ids = new Set(runs.map((r) => r.stdout.trim()));
      expect(ids.size).toBe(1);
      const stats = JSON.parse((await project.run(['status', '--json'])).stdout).queues[0];
      expect(stats.pending).toBe(1);
    }, 90_000);
  });
});
