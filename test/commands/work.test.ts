import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lines, type Project, STORES, tempProject, waitFor } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';
import { readStoreFile } from '../helpers/sqlite-store.js';

describe.each(STORES)('on %s', (store) => {
  let project: Project;
  beforeEach(() => {
    project = tempProject(E2E_CONFIG, store);
  });
  afterEach(() => project.cleanup());

  const read = (name: string) =>
    existsSync(join(project.dir, name)) ? readFileSync(join(project.dir, name), 'utf8') : '';
  const status = async () =>
    JSON.parse((await project.run(['status', '--json'])).stdout).queues as Record<string, number | string | boolean>[];
  const queueStats = async (queue: string) => (await status()).find((q) => q.queue === queue);

  describe('qtool work', () => {
    it('waits out a delay, runs the job once, and status counts it processed', async () => {
      const dispatched = await project.run([
        'dispatch',
        '--job',
        'Record',
        '--queue',
        'podcasts',
        '--delay',
        '2s',
        '--quiet',
      ]);
      const id = dispatched.stdout.trim();
      const started = Date.now();
      const worker = await project.run(['work', '--queue=podcasts', '--stop-when-empty', '--sleep', '500ms']);
      expect(worker.code).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      expect(lines(read('ledger.txt'))).toEqual([`${id}  1`]);
      expect(worker.stdout).toMatch(new RegExp(`podcasts\\s+Record\\s+${id} DONE`));
      expect(await queueStats('podcasts')).toMatchObject({ pending: 0, delayed: 0, reserved: 0, processedTotal: 1 });
    });

    it('retries with tries, fails into the failed store, and retry brings the job back with the same id', async () => {
      const id = (
        await project.run(['dispatch', '--job', 'Fail', '--data', '{"why":"disk full"}', '--quiet'])
      ).stdout.trim();
      const run = await project.run(['work', '--stop-when-empty', '--sleep', '200ms', '--json']);
      const records = lines(run.stdout).map((l) => JSON.parse(l));
      expect(records.map((r) => r.status)).toEqual(['released', 'failed']);
      expect(records[1]).toMatchObject({ id, attempt: 2, error: 'boom: disk full' });

      const list = await project.run(['failed']);
      expect(list.stdout).toMatch(new RegExp(`${id}\\s+Fail\\s+default\\s+.*boom: disk full`));
      const shown = await project.run(['failed', 'show', id]);
      expect(shown.stdout).toMatch(/Error: boom: disk full\n\s+at /);
      expect(shown.stdout).toMatch(/#1 .* exception/);

      expect((await project.run(['retry', id])).stdout.trim()).toBe(`retried ${id}`);
      const job = JSON.parse((await project.run(['jobs', 'show', id, '--json'])).stdout);
      expect(job).toMatchObject({ state: 'pending', envelope: { id, attempts: 0 } });
      expect((await project.run(['failed', '--json'])).stdout).toBe('{\n  "failed": []\n}\n');

      await project.run(['work', '--stop-when-empty', '--sleep', '200ms']);
      expect((await project.run(['retry', 'all'])).stdout.trim()).toBe('retried 1 job(s)');
      await project.run(['work', '--stop-when-empty', '--sleep', '200ms']);
      expect((await project.run(['failed', 'forget', id])).stdout.trim()).toBe(`forgot ${id}`);
      expect((await project.run(['failed', 'forget', id])).code).toBe(1);
    });

    it('failed flush and prune remove records', async () => {
      await project.run(['dispatch', '-'], {
        input: '{"job":"Fail","tries":1}\n{"job":"Fail","tries":1}\n{"job":"Fail","tries":1}\n',
      });
      await project.run(['work', '--stop-when-empty', '--sleep', '200ms']);
      expect((await project.run(['failed', 'prune', '--hours', '1'])).stdout).toMatch(/pruned 0/);
      expect((await project.run(['failed', 'prune', '--hours', '0'])).stdout).toMatch(/pruned 3/);
      await project.run(['dispatch', '--job', 'Fail', '--tries', '1']);
      await project.run(['work', '--stop-when-empty', '--sleep', '200ms']);
      expect((await project.run(['failed', 'flush', '--yes'])).stdout).toMatch(/flushed 1/);
    });

    it('runs command jobs with argv slots only (no shell) and keeps their output', async () => {
      const text = '"; rm -rf / ; echo $(whoami)';
      const id = (
        await project.run(['dispatch', '--job', 'Echo', '--data', JSON.stringify({ text, code: 3 }), '--quiet'])
      ).stdout.trim();
      await project.run(['work', '--stop-when-empty', '--sleep', '200ms']);
      const failed = JSON.parse((await project.run(['failed', 'show', id, '--json'])).stdout);
      expect(failed.error.message).toMatch(/command node exited with code 3/);
      expect(JSON.parse(failed.history.at(-1).stdout)).toEqual([text, '3']);

      await project.run(['dispatch', '--job', 'Echo', '--data', '{"text":"fine","code":0}']);
      const ok = await project.run(['work', '--stop-when-empty', '--sleep', '200ms']);
      expect(ok.stdout).toMatch(/Echo\s+\S+ DONE/);
    });

    it('runs http jobs: 2xx completes, non-2xx fails', async () => {
      const seen: string[] = [];
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          seen.push(`${req.method} ${req.url} ${body}`);
          res.statusCode = req.url?.includes('bad') ? 500 : 204;
          res.end(req.url?.includes('bad') ? 'nope' : undefined);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      try {
        await project.run(['dispatch', '-'], {
          input: `{"job":"Hook","data":{"port":${port},"user":"ann"}}\n{"job":"Hook","data":{"port":${port},"user":"bad"}}\n`,
        });
        const run = await project.run(['work', '--stop-when-empty', '--sleep', '200ms', '--json']);
        expect(lines(run.stdout).map((l) => JSON.parse(l).status)).toEqual(['completed', 'failed']);
        expect(lines(run.stdout).map((l) => JSON.parse(l).error)[1]).toMatch(/HTTP 500 .*: nope/);
        expect(seen[0]).toBe(`POST /hook/ann {"port":${port},"user":"ann"}`);
      } finally {
        server.close();
      }
    });

    it('times out a job through its AbortSignal and fails it', async () => {
      await project.run(['dispatch', '--job', 'Hang']);
      const run = await project.run(['work', '--stop-when-empty', '--sleep', '200ms', '--json']);
      expect(JSON.parse(lines(run.stdout)[0]!)).toMatchObject({ status: 'failed', error: 'Hang timed out after 1s' });
    });

    it('fails a job whose name the config does not know, without crashing', async () => {
      await project.run(['dispatch', '--job', 'Nope']);
      await project.run(['dispatch', '--job', 'Record']);
      const run = await project.run(['work', '--stop-when-empty', '--sleep', '200ms', '--json']);
      expect(lines(run.stdout).map((l) => JSON.parse(l).status)).toEqual(['failed', 'completed']);
      expect(run.stdout).toMatch(/unknown job \\"Nope\\"/);
    });

    it('takes queues in strict priority order and skips paused queues', async () => {
      await project.run(['dispatch', '-'], {
        input:
          '{"job":"Record","queue":"low","data":{"tag":"low"}}\n{"job":"Record","queue":"high","data":{"tag":"high"}}\n',
      });
      await project.run(['pause', 'high']);
      expect((await queueStats('high'))?.paused).toBe(true);
      await project.run(['work', '--queue', 'high,low', '--once']);
      expect(read('ledger.txt')).toMatch(/ low 1/);
      await project.run(['resume', 'high']);
      await project.run(['work', '--queue', 'high,low', '--stop-when-empty', '--sleep', '200ms']);
      expect(lines(read('ledger.txt')).map((l) => l.split(' ')[1])).toEqual(['low', 'high']);
    });

    it('two worker processes run 500 jobs exactly once each', async () => {
      // A few ms per job: one worker alone needs over a second, so the second has started by
      // then however slowly it boots, and the two really share the queue.
      const input = Array.from({ length: 500 }, (_, i) =>
        JSON.stringify({ job: 'Record', data: { tag: `n${i}`, ms: 5 } }),
      ).join('\n');
      expect((await project.run(['dispatch', '-', '--quiet'], { input })).code).toBe(0);
      const [a, b] = await Promise.all([
        project.run(['work', '--stop-when-empty', '--sleep', '200ms', '--concurrency', '2'], { timeoutMs: 60_000 }),
        project.run(['work', '--stop-when-empty', '--sleep', '200ms', '--concurrency', '2'], { timeoutMs: 60_000 }),
      ]);
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      const ledger = lines(read('ledger.txt'));
      expect(ledger).toHaveLength(500);
      expect(new Set(ledger.map((l) => l.split(' ')[0])).size).toBe(500);
      expect(ledger.every((l) => l.endsWith(' 1'))).toBe(true);
      expect(lines(a.stdout).length).toBeGreaterThan(0);
      expect(lines(b.stdout).length).toBeGreaterThan(0);
    });

    it('a worker killed with SIGKILL mid-job loses nothing: the lease expires and another worker runs it', async () => {
      const id = (
        await project.run(['dispatch', '--job', 'Slow', '--data', '{"ms":4000}', '--tries', '3', '--quiet'])
      ).stdout.trim();
      const victim = project.spawn(['work', '--lease', '1s']);
      await waitFor(() => read('started.txt').includes(id), 15_000, 'the job to start');
      victim.kill('SIGKILL');
      await victim.exited;
      expect((await queueStats('default'))?.reserved).toBe(1);
      const rescuer = await project.run(['work', '--stop-when-empty', '--sleep', '200ms', '--lease', '1s'], {
        timeoutMs: 30_000,
      });
      expect(rescuer.code).toBe(0);
      expect(lines(read('ledger.txt'))).toEqual([`${id} slow 2`]);
      expect(await queueStats('default')).toMatchObject({ pending: 0, reserved: 0, failed: 0, processedTotal: 1 });
    });

    it('renews the lease of a long job, so a second worker never runs it twice', async () => {
      await project.run(['dispatch', '--job', 'Slow', '--data', '{"ms":2500}']);
      const [a, b] = await Promise.all([
        project.run(['work', '--stop-when-empty', '--sleep', '200ms', '--lease', '600ms'], { timeoutMs: 30_000 }),
        project.run(['work', '--stop-when-empty', '--sleep', '200ms', '--lease', '600ms'], { timeoutMs: 30_000 }),
      ]);
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      expect(lines(read('started.txt'))).toHaveLength(1);
      expect(lines(read('ledger.txt'))).toHaveLength(1);
    });

    it('SIGTERM finishes the job in hand and exits 0; a second signal releases it', async () => {
      const id = (await project.run(['dispatch', '--job', 'Slow', '--data', '{"ms":1500}', '--quiet'])).stdout.trim();
      const worker = project.spawn(['work']);
      await waitFor(() => read('started.txt').includes(id), 15_000, 'the job to start');
      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(read('ledger.txt')).toContain(`${id} slow 1`);

      const second = (
        await project.run(['dispatch', '--job', 'Slow', '--data', '{"ms":30000}', '--quiet'])
      ).stdout.trim();
      const forced = project.spawn(['work']);
      await waitFor(() => read('started.txt').includes(second), 15_000, 'the second job to start');
      forced.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      forced.kill('SIGTERM');
      expect(await forced.exited).toBe(0);
      const job = JSON.parse((await project.run(['jobs', 'show', second, '--json'])).stdout);
      expect(job).toMatchObject({ state: 'pending', envelope: { attempts: 0 } });
    });

    it('qtool restart makes a running worker exit after its current job', async () => {
      const worker = project.spawn(['work', '--sleep', '200ms']);
      await waitFor(
        () => worker.output().stderr.includes('queues default') || worker.exitCode !== null,
        20_000,
        'the worker to start',
      );
      expect(worker.exitCode, worker.output().stderr).toBeNull();
      await waitFor(
        async () => JSON.parse((await project.run(['status', '--json'])).stdout).workers === 1,
        20_000,
        'the worker heartbeat',
      );
      expect((await project.run(['restart'])).code).toBe(0);
      expect(await worker.exited).toBe(0);
      expect(worker.output().stderr).toMatch(/worker stopped \(restart\)/);
    });

    it('--max-time stops an idle worker, and status --watch refreshes until interrupted', async () => {
      const started = Date.now();
      const worker = await project.run(['work', '--max-time', '1s', '--sleep', '200ms']);
      expect(worker.code).toBe(0);
      expect(worker.stderr).toMatch(/worker stopped \(max_time\)/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);

      await project.run(['dispatch', '--job', 'Record']);
      const watch = project.spawn(['status', '--watch', '--interval', '200ms']);
      await waitFor(() => (watch.output().stdout.match(/^default\s+1\s/gm) ?? []).length >= 2, 10_000, 'two refreshes');
      watch.kill('SIGINT');
      expect(await watch.exited).toBe(0);
    });

    it('--max-jobs and --once stop the worker, and free slots take no more than that', async () => {
      await project.run(['dispatch', '-'], { input: '{"job":"Record"}\n'.repeat(5) });
      expect(lines((await project.run(['work', '--max-jobs', '2'])).stdout)).toHaveLength(2);
      expect(lines((await project.run(['work', '--once'])).stdout)).toHaveLength(1);
      // Five slots, one job left to run: the other slots take nothing.
      expect(lines((await project.run(['work', '--once', '--concurrency', '5'])).stdout)).toHaveLength(1);
      expect(JSON.parse((await project.run(['jobs', 'default', '--json'])).stdout).jobs).toHaveLength(1);
    });

    it('--max-jobs holds at concurrency 50, where a reserve hands its jobs out in two turns (Redis)', async () => {
      await project.run(['dispatch', '-', '--quiet'], { input: '{"job":"Record"}\n'.repeat(600) });
      const worker = await project.run(['work', '--max-jobs', '230', '--concurrency', '50', '--json']);
      expect(worker.code).toBe(0);
      expect(lines(worker.stdout).filter((line) => JSON.parse(line).status === 'completed')).toHaveLength(230);
      expect(lines(read('ledger.txt'))).toHaveLength(230);
      expect(await queueStats('default')).toMatchObject({ pending: 370, reserved: 0 });
    });
  });

  describe('queue admin', () => {
    it('lists jobs by state, deletes one, and clears a queue', async () => {
      const ids = lines(
        (
          await project.run(['dispatch', '-', '--quiet'], {
            input: '{"job":"Record"}\n{"job":"Record"}\n{"job":"Record","delay":"1h"}\n',
          })
        ).stdout,
      );
      const listed = await project.run(['jobs', 'default']);
      expect(lines(listed.stdout)).toHaveLength(3);
      const delayed = JSON.parse((await project.run(['jobs', 'default', '--state', 'delayed', '--json'])).stdout);
      expect(delayed.jobs.map((j: { envelope: { id: string } }) => j.envelope.id)).toEqual([ids[2]]);
      expect((await project.run(['jobs', 'delete', ids[0]!])).stdout.trim()).toBe(`deleted ${ids[0]}`);
      expect((await project.run(['jobs', 'default', '--state', 'bogus'])).code).toBe(2);
      expect((await project.run(['clear', 'default', '--yes'])).stdout.trim()).toBe('cleared 2 job(s) from default');
      expect(await queueStats('default')).toMatchObject({ pending: 0, delayed: 0 });
      const show = await project.run(['jobs', 'show', ids[1]!]);
      expect(show.code).toBe(1);
      expect(show.stderr).toMatch(/no job/);
    });
  });
});

describe('on sqlite: the stored form and checkpoints', () => {
  let project: Project;
  beforeEach(() => {
    project = tempProject(E2E_CONFIG, 'sqlite');
  });
  afterEach(() => project.cleanup());

  it('stores payloads without the keys their row holds, and a busy worker (checkpoints on a thread) leaves the store whole', async () => {
    const dispatched = await project.run(['dispatch', '-', '--json'], { input: '{"job":"Record"}\n'.repeat(400) });
    const ids = (JSON.parse(dispatched.stdout).jobs as { id: string }[]).map((j) => j.id);
    const store = join(project.dir, '.qtool', 'qtool.db');
    const payload = readStoreFile(store, (db) =>
      JSON.parse((db.prepare('SELECT payload FROM jobs WHERE id = ?').get(ids[0]) as { payload: string }).payload),
    );
    expect(payload).not.toHaveProperty('id');
    const shown = JSON.parse((await project.run(['jobs', 'show', ids[0]!, '--json'])).stdout);
    expect(shown.envelope).toMatchObject({ id: ids[0], name: 'Record', queue: 'default' });

    // One job per commit: far past the commits after which the checkpoint thread starts.
    const worker = await project.run(['work', '--stop-when-empty', '--json']);
    expect(worker.code).toBe(0);
    const ledger = readFileSync(join(project.dir, 'ledger.txt'), 'utf8');
    expect(
      lines(ledger)
        .map((l) => l.split(' ')[0])
        .sort(),
    ).toEqual([...ids].sort());
    // The thread closed first, so the worker's connection was the last and removed the WAL.
    expect(existsSync(`${store}-wal`)).toBe(false);
    expect(readStoreFile(store, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
    const queues = JSON.parse((await project.run(['status', '--json'])).stdout).queues as Record<string, unknown>[];
    expect(queues.find((q) => q.queue === 'default')).toMatchObject({ pending: 0, reserved: 0, processedTotal: 400 });
  });
});
