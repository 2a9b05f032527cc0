import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Project, STORES, tempProject, waitFor } from '../helpers/cli.js';

const LONGEST_JOB_MS = 300;
const CONFIG = `
import { appendFileSync } from 'node:fs';
export default {
  jobs: {
    Busy: {
      async handle(data, ctx) {
        await new Promise((r) => setTimeout(r, data.ms));
        appendFileSync('ledger.txt', ctx.id + '\\n');
      },
    },
  },
};
`;

describe.each(STORES)('graceful shutdown under load (%s)', (store) => {
  let project: Project;
  afterEach(async () => project.cleanup());

  it('SIGTERM during a 1,000-job run exits 0 within the longest job, and loses and repeats nothing', async () => {
    project = tempProject(CONFIG, store);
    const jobs = Array.from({ length: 1000 }, (_, i) => ({ job: 'Busy', data: { ms: (i * 37) % LONGEST_JOB_MS } }));
    const dispatched = await project.run(['dispatch', '-', '--quiet'], { input: JSON.stringify(jobs) });
    expect(dispatched.code).toBe(0);
    const ids = dispatched.stdout.trim().split('\n');
    const ledger = () => {
      const path = join(project.dir, 'ledger.txt');
      return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : [];
    };

    const worker = project.spawn(['work', '--concurrency', '20', '--json']);
    await waitFor(() => ledger().length >= 100, 30_000, '100 jobs done');
    const signalledAt = Date.now();
    worker.kill('SIGTERM');
    const code = await worker.exited;
    const shutdownMs = Date.now() - signalledAt;
    expect(code).toBe(0);
    // The jobs in hand finish (each under LONGEST_JOB_MS); process exit and store close get a margin.
    expect(shutdownMs).toBeLessThan(LONGEST_JOB_MS + 2500);

    const status = JSON.parse((await project.run(['status', '--json'])).stdout);
    const queue = status.queues.find((q: { queue: string }) => q.queue === 'default');
    expect(queue.reserved).toBe(0);
    expect(queue.pending + ledger().length).toBe(1000);

    const drain = await project.run(['work', '--stop-when-empty', '--concurrency', '20', '--json'], {
      timeoutMs: 60_000,
    });
    expect(drain.code).toBe(0);
    const ran = ledger();
    expect(ran).toHaveLength(1000);
    expect(new Set(ran)).toEqual(new Set(ids));
  }, 90_000);
});
