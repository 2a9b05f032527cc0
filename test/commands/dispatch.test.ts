import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lines, type Project, STORES, tempProject } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';

describe.each(STORES)('on %s', (store) => {
  let project: Project;
  beforeEach(() => {
    project = tempProject(E2E_CONFIG, store);
  });
  afterEach(() => project.cleanup());

  async function pending(queue = 'default'): Promise<number> {
    const status = await project.run(['status', '--json']);
    const stats = JSON.parse(status.stdout).queues.find((q: { queue: string }) => q.queue === queue);
    return stats ? stats.pending + stats.delayed : 0;
  }

  describe('qtool dispatch', () => {
    it('dispatches a file and prints the id', async () => {
      project.write('job.json', { job: 'Record', queue: 'podcasts', data: { tag: 'x' } });
      const result = await project.run(['dispatch', 'job.json']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(await pending('podcasts')).toBe(1);
    });

    it('reads an array, NDJSON from stdin, and --job/--data; --json gives each result', async () => {
      project.write('jobs.json', [{ job: 'Record' }, { job: 'Record', delay: '1h' }]);
      expect(lines((await project.run(['dispatch', 'jobs.json'])).stdout)).toHaveLength(2);
      const nd = await project.run(['dispatch', '-', '--json'], {
        input: '{"job":"Record"}\n{"job":"Record"}\n{"job":"Record"}\n',
      });
      expect(JSON.parse(nd.stdout).jobs.map((j: { status: string }) => j.status)).toEqual([
        'queued',
        'queued',
        'queued',
      ]);
      const inline = await project.run([
        'dispatch',
        '--job',
        'Record',
        '--data',
        '{"tag":"inline"}',
        '--queue',
        'q2',
        '--quiet',
      ]);
      expect(inline.code).toBe(0);
      expect(await pending()).toBe(5);
      expect(await pending('q2')).toBe(1);
    });

    it('stores a dispatch of several batches whole and in order (Redis keeps batches in flight)', async () => {
      const count = 3500; // four batches of 1,000
      const input = Array.from({ length: count }, (_, n) => JSON.stringify({ job: 'Record', data: { tag: `n${n}` } }));
      const result = await project.run(['dispatch', '-', '--json'], { input: input.join('\n') });
      expect(result.code).toBe(0);
      const ids = JSON.parse(result.stdout).jobs.map((j: { id: string; status: string }) => j.id);
      expect(ids).toHaveLength(count);
      expect([...ids].sort()).toEqual(ids); // ids are made in input order: the results come back in it
      expect(await pending()).toBe(count);
      // One slot runs them first in, first out: the ledger follows the input.
      expect((await project.run(['work', '--stop-when-empty', '--sleep', '200ms'], { timeoutMs: 60_000 })).code).toBe(
        0,
      );
      const ledger = lines(readFileSync(join(project.dir, 'ledger.txt'), 'utf8'));
      expect(ledger.map((l) => l.split(' ')[1])).toEqual(input.map((_, n) => `n${n}`));
    });

    it('dispatches none of an NDJSON stream whose line 3 is malformed, exit 2 naming line 3', async () => {
      project.write('bad.ndjson', '{"job":"Record"}\n{"job":"Record"}\n{"job": "Record",\n{"job":"Record"}\n');
      const result = await project.run(['dispatch', 'bad.ndjson']);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toMatch(/^qtool: bad\.ndjson line 3: invalid JSON/);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stdout).toBe('');
      expect(await pending()).toBe(0);
    });

    it('names the index and field of an invalid job and dispatches none', async () => {
      project.write('bad.json', [{ job: 'Record' }, { job: 'Record', tries: -2 }]);
      const negative = await project.run(['dispatch', 'bad.json']);
      expect(negative.code).toBe(2);
      expect(negative.stderr).toMatch(/bad\.json job at index 1: field 'tries'/);
      project.write('bad2.json', [{ job: 'Record', delay: '10 parsecs' }]);
      expect((await project.run(['dispatch', 'bad2.json'])).stderr).toMatch(/index 0: field 'delay': invalid duration/);
      project.write('bad3.json', { job: 'Record', priority: 5 });
      expect((await project.run(['dispatch', 'bad3.json'])).stderr).toMatch(/unknown field 'priority'/);
      expect(await pending()).toBe(0);
    });

    it('rejects bad flags with exit 2 and one line', async () => {
      project.write('job.json', { job: 'Record' });
      for (const [args, message] of [
        [['--delay', 'soon'], /--delay: invalid duration "soon"/],
        [['--tries', '-1'], /--tries: expected a whole number/],
        [['--at', 'tomorrow'], /--at: invalid date/],
        [['--backoff', '10,x'], /--backoff/],
        [['--queue', 'a b'], /--queue/],
        [['--connection', 'nosuch'], /unknown connection "nosuch"/],
      ] as const) {
        const result = await project.run(['dispatch', 'job.json', ...args]);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(lines(result.stderr)).toHaveLength(1);
      }
      expect((await project.run(['dispatch', 'missing.json'])).stderr).toMatch(/cannot read job file missing\.json/);
      expect((await project.run(['dispatch', '--job', 'Record', '--data', '{nope'])).stderr).toMatch(
        /--data: invalid JSON/,
      );
      expect(await pending()).toBe(0);
    });

    it('delays with --delay and --at, and flags fill in only what the job leaves out', async () => {
      project.write('job.json', [{ job: 'Record' }, { job: 'Record', queue: 'own' }]);
      const result = await project.run(['dispatch', 'job.json', '--delay', '1h30m', '--queue', 'flagged', '--json']);
      const [first, second] = JSON.parse(result.stdout).jobs;
      const shown = JSON.parse((await project.run(['jobs', 'show', first.id, '--json'])).stdout);
      expect(shown.state).toBe('delayed');
      expect(shown.envelope.queue).toBe('flagged');
      expect(shown.availableAt - shown.envelope.dispatchedAt).toBe(5_400_000);
      expect(JSON.parse((await project.run(['jobs', 'show', second.id, '--json'])).stdout).envelope.queue).toBe('own');
    });
  });
});

describe('the embedded SQLite store', () => {
  it('is created owner-only in .qtool/', async () => {
    const project = tempProject(E2E_CONFIG);
    try {
      await project.run(['dispatch', '--job', 'Record']);
      expect(statSync(`${project.dir}/.qtool`).mode & 0o777).toBe(0o700);
      expect(statSync(`${project.dir}/.qtool/qtool.db`).mode & 0o777).toBe(0o600);
    } finally {
      await project.cleanup();
    }
  });
});
