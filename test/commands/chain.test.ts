import { existsSync, readFileSync } from 'node:fs';
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
  const read = (name: string) =>
    existsSync(join(project.dir, name)) ? readFileSync(join(project.dir, name), 'utf8') : '';

  describe('qtool chain', () => {
    it('runs links strictly in order from several files', async () => {
      project.write('a.json', { job: 'Record', data: { tag: 'a' } });
      project.write('b.json', [
        { job: 'Record', data: { tag: 'b' } },
        { job: 'Record', data: { tag: 'c' } },
      ]);
      const result = await project.run(['chain', 'a.json', 'b.json', '--queue', 'chained']);
      expect(result.stdout).toMatch(/^chain \S+ \(3 links\), first job \S+$/m);
      await project.run(['work', '--queue', 'chained', '--stop-when-empty', '--sleep', '100ms', '--concurrency', '3']);
      expect(lines(read('ledger.txt')).map((l) => l.split(' ')[1])).toEqual(['a', 'b', 'c']);
    });

    it('stops at a final failure and dispatches the catch job with the failure in its data', async () => {
      project.write('chain.json', {
        chain: [
          { job: 'Record', data: { tag: 'first' } },
          { job: 'Fail', tries: 1, data: { why: 'link two' } },
          { job: 'Record', data: { tag: 'never' } },
        ],
        catch: { job: 'Echo', data: { text: 'caught', code: 0 } },
      });
      const out = JSON.parse((await project.run(['chain', 'chain.json', '--json'])).stdout);
      expect(out.links).toBe(3);
      const run = await project.run(['work', '--stop-when-empty', '--sleep', '100ms', '--json']);
      const results = lines(run.stdout).map((l) => JSON.parse(l));
      expect(results.map((r) => `${r.job}:${r.status}`)).toEqual(['Record:completed', 'Fail:failed', 'Echo:completed']);
      expect(read('ledger.txt')).not.toContain('never');
      const failedId = results[1].id;
      const shown = await project.run(['failed', 'show', failedId]);
      expect(shown.stdout).toMatch(/link 2 of 3/);
    });

    it('shows the chain in jobs show, and refuses a bad chain file naming the link', async () => {
      project.write('chain.json', { chain: [{ job: 'Record' }, { job: 'Record', tries: 'x' }] });
      const bad = await project.run(['chain', 'chain.json']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/chain\.json chain link 2: field 'tries'/);
      project.write('ok.json', {
        chain: [
          { job: 'Record', data: { tag: 'one' } },
          { job: 'Record', data: { tag: 'two' } },
        ],
        queue: 'q',
      });
      const first = JSON.parse((await project.run(['chain', 'ok.json', '--json'])).stdout).first;
      const shown = await project.run(['jobs', 'show', first]);
      expect(shown.stdout).toMatch(/chain\s+\S+: link 1 of 2/);
      expect(shown.stdout).toMatch(/waiting\s+2\. Record/);
    });
  });
});
