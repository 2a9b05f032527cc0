import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Project, STORES, tempProject, waitFor } from '../helpers/cli.js';

const HOUR = 3_600_000;
const CONFIG = `
import { appendFileSync } from 'node:fs';
export default {
  jobs: {
    Mark: {
      async handle(data, ctx) {
        appendFileSync('started.txt', ctx.id + ' ' + process.pid + '\\n');
        await new Promise((r) => setTimeout(r, data.ms ?? 0));
        appendFileSync('ledger.txt', ctx.id + ' ' + process.pid + '\\n');
      },
    },
  },
};
`;
// Loaded with --import into a worker: its clock runs SKEW_MS ahead of (or behind) everyone else's.
const SKEW = `
const real = Date.now;
const offset = Number(process.env.SKEW_MS);
Date.now = () => real() + offset;
`;

describe.each(STORES)('a worker with a skewed clock (%s)', (store) => {
  let project: Project;
  afterEach(async () => project.cleanup());

  const read = (name: string) => {
    const path = join(project.dir, name);
    return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean) : [];
  };
  const skewed = (ms: number) => ({
    SKEW_MS: String(ms),
    NODE_OPTIONS: `--import=${join(project.dir, 'skew.mjs')}`,
  });
  const dispatch = async (args: string[]) =>
    (await project.run(['dispatch', '--job', 'Mark', '--quiet', ...args])).stdout.trim();

  it('an hour ahead, it neither runs a delayed job early nor takes a job whose lease is held', async () => {
    project = tempProject(CONFIG, store);
    project.write('skew.mjs', SKEW);
    const delayed = await dispatch(['--delay', '10m']);
    const long = await dispatch(['--data', '{"ms": 4000}']);
    const honest = project.spawn(['work', '--lease', '30s', '--max-jobs', '1']);
    await waitFor(() => read('started.txt').length === 1, 15_000, 'the long job to start');
    const ahead = await project.run(['work', '--max-time', '2s'], { env: skewed(HOUR), timeoutMs: 20_000 });
    expect(ahead.code).toBe(0);
    expect(await honest.exited).toBe(0);
    expect(read('started.txt').map((l) => l.split(' ')[0])).toEqual([long]);
    expect(read('ledger.txt').map((l) => l.split(' ')[0])).toEqual([long]);
    const status = JSON.parse((await project.run(['status', '--json'])).stdout);
    expect(status.queues.find((q: { queue: string }) => q.queue === 'default')).toMatchObject({ delayed: 1 });
    expect(delayed).not.toBe(long);
  }, 40_000);

  it('an hour behind, it still runs due jobs at once', async () => {
    project = tempProject(CONFIG, store);
    project.write('skew.mjs', SKEW);
    const id = await dispatch([]);
    const behind = await project.run(['work', '--stop-when-empty'], { env: skewed(-HOUR), timeoutMs: 20_000 });
    expect(behind.code).toBe(0);
    expect(read('ledger.txt').map((l) => l.split(' ')[0])).toEqual([id]);
  }, 30_000);
});
