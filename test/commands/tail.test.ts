import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lines, type Project, STORES, tempProject, waitFor } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';

describe.each(STORES)('on %s', (store) => {
  let project: Project;
  beforeEach(() => {
    project = tempProject(E2E_CONFIG, store);
  });
  afterEach(() => project.cleanup());

  const events = (text: string) =>
    lines(text).map((l) => JSON.parse(l) as { id: string; name: string; jobId?: string });

  describe('qtool tail', () => {
    it('streams a job life in order to a tail started before it', async () => {
      await project.run(['status']); // create the store
      const tail = project.spawn(['tail', 'job.*', '--json']);
      await new Promise((r) => setTimeout(r, 800));
      project.write('j.json', { job: 'Fail', tries: 2 });
      const id = (await project.run(['dispatch', 'j.json', '--quiet'])).stdout.trim();
      await project.run(['work', '--stop-when-empty', '--sleep', '100ms']);
      await waitFor(() => tail.output().stdout.includes('job.failed'), 10_000, 'job.failed');
      tail.kill('SIGINT');
      await tail.exited;
      const mine = events(tail.output().stdout).filter((e) => e.jobId === id);
      expect(mine.map((e) => e.name)).toEqual([
        'job.dispatched',
        'job.processing',
        'job.exception',
        'job.released',
        'job.processing',
        'job.failed',
      ]);
    });

    it('--since replays history then follows, with no gap and no duplicate at the seam', async () => {
      const first = lines(
        (await project.run(['dispatch', '-', '--quiet'], { input: '{"job":"Record"}\n{"job":"Record"}\n' })).stdout,
      );
      const tail = project.spawn(['tail', '--since', '5m', '--json']);
      await waitFor(() => events(tail.output().stdout).length >= 2, 10_000, 'history');
      const second = lines(
        (await project.run(['dispatch', '-', '--quiet'], { input: '{"job":"Record"}\n{"job":"Record"}\n' })).stdout,
      );
      await waitFor(() => events(tail.output().stdout).length >= 4, 10_000, 'live events');
      tail.kill('SIGINT');
      await tail.exited;
      const seen = events(tail.output().stdout);
      expect(seen.map((e) => e.jobId)).toEqual([...first, ...second]);
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    });

    it('gives two concurrent tails every one of more than 1,000 events of a run', async () => {
      await project.run(['status']);
      const tails = [project.spawn(['tail', '--json']), project.spawn(['tail', '--json'])];
      await new Promise((r) => setTimeout(r, 800));
      const input = Array.from({ length: 340 }, (_, i) =>
        JSON.stringify({ job: 'Record', data: { tag: `t${i}` } }),
      ).join('\n');
      await project.run(['dispatch', '-', '--quiet'], { input });
      await project.run(['work', '--stop-when-empty', '--sleep', '100ms', '--concurrency', '4'], { timeoutMs: 60_000 });
      const expected = 340 * 3 + 2; // dispatched, processing, processed per job; worker started and stopped
      for (const tail of tails)
        await waitFor(() => events(tail.output().stdout).length >= expected, 30_000, `${expected} events`);
      for (const tail of tails) tail.kill('SIGINT');
      await Promise.all(tails.map((t) => t.exited));
      const [a, b] = tails.map((t) => events(t.output().stdout));
      expect(a!.length).toBe(expected);
      expect(b!.map((e) => e.id)).toEqual(a!.map((e) => e.id));
      expect(a!.filter((e) => e.name === 'job.processed')).toHaveLength(340);
    });

    it('--from-id replays after an event id, and --job filters by job name', async () => {
      await project.run(['dispatch', '-'], {
        input: '{"job":"Record"}\n{"job":"Echo","data":{"text":"x","code":0}}\n{"job":"Record"}\n',
      });
      const all = await (async () => {
        const t = project.spawn(['tail', '--since', '1h', '--json']);
        await waitFor(() => events(t.output().stdout).length >= 3, 10_000, 'history');
        t.kill('SIGINT');
        await t.exited;
        return events(t.output().stdout);
      })();
      // The three jobs of one dispatch share one stored event: the first one's id points inside it.
      expect(all[0]!.id).toMatch(/^.+\/0$/);
      const tail = project.spawn(['tail', '--from-id', all[0]!.id, '--job', 'Record', '--json']);
      await waitFor(() => events(tail.output().stdout).length >= 1, 10_000, 'the replay');
      await new Promise((r) => setTimeout(r, 300));
      tail.kill('SIGINT');
      await tail.exited;
      expect(events(tail.output().stdout).map((e) => e.jobId)).toEqual([all[2]!.jobId]);
    });

    it('prints aligned human lines and filters by pattern and queue', async () => {
      await project.run(['dispatch', '-'], { input: '{"job":"Record","queue":"a"}\n{"job":"Record","queue":"b"}\n' });
      await project.run(['pause', 'a']);
      const tail = project.spawn(['tail', '--since', '1h', 'job.dispatched', '--queue', 'b']);
      await waitFor(() => tail.output().stdout.includes('job.dispatched'), 10_000, 'the event');
      await new Promise((r) => setTimeout(r, 300));
      tail.kill('SIGINT');
      await tail.exited;
      const out = lines(tail.output().stdout);
      expect(out).toHaveLength(1);
      expect(out[0]).toMatch(/^\d\d:\d\d:\d\d .*job\.dispatched\s+b\s+Record\s+\S{26}/);
    });
  });

  describe('qtool metrics', () => {
    it('matches the counts of a run, per queue and per job, and exports Prometheus text', async () => {
      await project.run(['dispatch', '-'], {
        input: `${Array.from({ length: 12 }, () => '{"job":"Record","queue":"m"}').join('\n')}\n{"job":"Fail","queue":"m","tries":1}\n`,
      });
      await project.run(['work', '--queue', 'm', '--stop-when-empty', '--sleep', '100ms']);
      const json = JSON.parse((await project.run(['metrics', '--json', '--by-job'])).stdout);
      const byJob = Object.fromEntries(json.queues.map((q: { job: string }) => [q.job, q]));
      expect(byJob.Record).toMatchObject({ queue: 'm', processed: 12, failed: 0 });
      expect(byJob.Fail).toMatchObject({ processed: 0, failed: 1, failureRate: 1 });
      const status = JSON.parse((await project.run(['status', '--json'])).stdout).queues[0];
      expect(status.jobsPerMinute).toBeCloseTo(13 / 5, 1);
      expect((await project.run(['metrics'])).stdout).toMatch(/^m\s+/m);
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const exporter = project.spawn(['metrics', '--prometheus', `127.0.0.1:${port}`]);
      await waitFor(() => exporter.output().stderr.includes('serving Prometheus metrics'), 10_000, 'the exporter');
      const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      exporter.kill('SIGINT');
      expect(await exporter.exited).toBe(0);
      expect(scraped).toMatch(/^qtool_queue_processed_total\{queue="m"\} 12$/m);
      const prom = (await project.run(['metrics', '--prometheus'])).stdout;
      expect(prom).toMatch(/^qtool_queue_processed_total\{queue="m"\} 12$/m);
      expect(prom).toMatch(/^qtool_job_failure_ratio\{queue="m",job="Fail"\} 1$/m);
    });
  });
});
