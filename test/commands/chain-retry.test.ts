import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lines, type Project, STORES, tempProject } from '../helpers/cli.js';

/** Each case runs the CLI a dozen times or more: room for a loaded 2-core machine. */
const E2E_TIMEOUT = 120_000;

/** Gate fails until a marker file exists: a link that fails once and succeeds on retry. */
const CONFIG = `
import { appendFileSync, existsSync } from 'node:fs';
export default {
  jobs: {
    Step: { handle(data) { appendFileSync('ledger.txt', data.tag + '\\n'); } },
    Gate: {
      tries: 1,
      handle(data) {
        if (!existsSync('marker')) throw new Error('marker missing');
        appendFileSync('ledger.txt', data.tag + '\\n');
      },
    },
    Caught: { handle(data) { appendFileSync('caught.txt', data.failed.job + '\\n'); } },
  },
};
`;

const CHAIN = {
  chain: [
    { job: 'Step', data: { tag: 'a' } },
    { job: 'Gate', data: { tag: 'b' } },
    { job: 'Step', data: { tag: 'c' } },
  ],
  catch: { job: 'Caught' },
};

describe.each(STORES)('chains and retry on %s', (store) => {
  let project: Project;
  beforeEach(() => {
    project = tempProject(CONFIG, store);
  });
  afterEach(() => project.cleanup());
  const read = (name: string) =>
    existsSync(join(project.dir, name)) ? readFileSync(join(project.dir, name), 'utf8') : '';
  const work = () => project.run(['work', '--stop-when-empty', '--sleep', '100ms']);

  it(
    'retrying the failed link resumes the chain: the later links run after it',
    async () => {
      project.write('chain.json', CHAIN);
      const first = (await project.run(['chain', 'chain.json', '--quiet'])).stdout;
      expect(first).toMatch(/^[0-9A-Z]{26}\n$/);
      await work();
      expect(lines(read('ledger.txt'))).toEqual(['a']);
      expect(lines(read('caught.txt'))).toEqual(['Gate']);
      const [failed] = JSON.parse((await project.run(['failed', '--json'])).stdout).failed;
      expect(failed.name).toBe('Gate');

      const shown = await project.run(['failed', 'show', failed.id]);
      expect(shown.stdout).toMatch(
        new RegExp(`link 2 of 3 failed here; \`qtool retry ${failed.id}\` resumes the chain`),
      );
      expect(shown.stdout).toMatch(/done\s+1 link\(s\) before this one/);
      expect(shown.stdout).toMatch(/failed\s+2\. Gate/);
      expect(shown.stdout).toMatch(/to come\s+3\. Step/);
      expect((await project.run(['jobs', 'show', failed.id])).stdout).toMatch(/failed\s+2\. Gate/);

      project.write('marker', '');
      expect((await project.run(['retry', failed.id, '--quiet'])).stdout).toBe(`${failed.id}\n`);
      const pending = await project.run(['jobs', 'show', failed.id]);
      expect(pending.stdout).toMatch(/this\s+2\. Gate/);
      expect(pending.stdout).toMatch(/waiting\s+3\. Step/);
      await work();
      expect(lines(read('ledger.txt'))).toEqual(['a', 'b', 'c']);
      expect(JSON.parse((await project.run(['failed', '--json'])).stdout).failed).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    'chain --dry-run reports each link and the catch job and changes nothing',
    async () => {
      project.write('chain.json', CHAIN);
      const before = (await project.run(['status', '--json'])).stdout;
      const human = await project.run(['chain', 'chain.json', '--queue', 'work', '--dry-run']);
      expect(human.code).toBe(0);
      expect(lines(human.stdout)).toEqual([
        '1. Step: would be queued on work, available now',
        '2. Gate: would be queued on work after link 1 succeeds',
        '3. Step: would be queued on work after link 2 succeeds',
        'catch Caught: would be queued on work if a link finally fails',
      ]);
      expect((await project.run(['status', '--json'])).stdout).toBe(before);
      expect(JSON.parse((await project.run(['jobs', 'work', '--json'])).stdout).jobs).toEqual([]);

      // The head alone is pushed now, so only it can be skipped, and then nothing after it runs.
      const holder = (
        await project.run(['dispatch', '--job', 'Step', '--unique', 'only-one', '--quiet'])
      ).stdout.trim();
      project.write('unique.json', { chain: [{ job: 'Step', unique: 'only-one' }, { job: 'Gate' }] });
      const report = JSON.parse((await project.run(['chain', 'unique.json', '--dry-run', '--json'])).stdout);
      expect(report.dryRun).toBe(true);
      expect(report.links).toMatchObject([
        { link: 1, job: 'Step', outcome: 'duplicate', heldBy: holder },
        { link: 2, job: 'Gate', outcome: 'never' },
      ]);
      expect(report.catch).toBeNull();

      project.write('bad.json', { chain: [{ job: 'Step' }, { job: 'Gate', tries: -1 }] });
      const bad = await project.run(['chain', 'bad.json', '--dry-run']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/bad\.json chain link 2: field 'tries'/);
    },
    E2E_TIMEOUT,
  );
});
