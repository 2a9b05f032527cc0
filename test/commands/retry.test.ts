import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisDriver } from '../../src/drivers/redis/index.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { makeEnvelope } from '../drivers/conformance/envelopes.js';
import { lines, type Project, REDIS_URL, STORES, type StoreKind, tempProject } from '../helpers/cli.js';

/** Each case runs the CLI a dozen times or more: room for a loaded 2-core machine. */
const E2E_TIMEOUT = 120_000;

/** Three job names that fail with the message in their data, on the first try. */
const CONFIG = `
const fail = { tries: 1, handle(data) { throw new Error(data.msg + '\\n    more detail'); } };
export default { jobs: { Invoice: fail, Resize: fail, Notify: fail } };
`;

interface Failed {
  id: string;
  name: string;
  queue: string;
  error: { message: string };
}

/** The project's own store, opened in the test process to seed it fast. */
function openStore(project: Project, store: StoreKind): Driver {
  if (store === 'sqlite') return createSqliteDriver({ path: join(project.dir, '.qtool', 'qtool.db') });
  return createRedisDriver({ url: REDIS_URL, prefix: `qtool-e2e:${basename(project.dir)}:` });
}

describe.each(STORES)('filtered retry and forget on %s', (store) => {
  let project: Project;
  beforeEach(() => {
    project = tempProject(CONFIG, store);
  });
  afterEach(() => project.cleanup());

  const failedNow = async (...filters: string[]): Promise<Failed[]> =>
    JSON.parse((await project.run(['failed', '--limit', '1000', '--json', ...filters])).stdout).failed;

  /** Invoice, Resize and Notify, each failing with a timeout and with bad input: six failed jobs. */
  async function seed(): Promise<Failed[]> {
    const jobs = ['Invoice', 'Resize', 'Notify'].flatMap((job) =>
      ['timeout after 30s', 'bad input: no id'].map((msg) =>
        JSON.stringify({ job, queue: job === 'Notify' ? 'mail' : 'default', data: { msg } }),
      ),
    );
    await project.run(['dispatch', '-', '--quiet'], { input: `${jobs.join('\n')}\n` });
    await project.run(['work', '--queue', 'default,mail', '--stop-when-empty', '--sleep', '50ms']);
    const failed = await failedNow();
    expect(failed).toHaveLength(6);
    return failed;
  }
  const idOf = (failed: Failed[], name: string, error: string) =>
    failed.find((f) => f.name === name && f.error.message.startsWith(error))!.id;

  it(
    'retries only the matching jobs; a dry run reports the count and a sample and changes nothing',
    async () => {
      const failed = await seed();
      const before = await failedNow();
      const status = JSON.parse((await project.run(['status', '--json'])).stdout).queues;

      const dry = await project.run(['retry', '--job', 'Invoice', '--error', '^time', '--dry-run', '--json']);
      expect(dry.code).toBe(0);
      const report = JSON.parse(dry.stdout);
      expect(report).toMatchObject({ dryRun: true, matched: 1 });
      expect(report.sample).toEqual([
        expect.objectContaining({
          id: idOf(failed, 'Invoice', 'timeout'),
          job: 'Invoice',
          queue: 'default',
          error: 'timeout after 30s',
        }),
      ]);
      const human = await project.run(['retry', '--error', '/TIMEOUT/i', '--dry-run']);
      expect(human.stdout).toMatch(/^would retry 3 failed job\(s\) matching --error \/TIMEOUT\/i$/m);
      expect(human.stdout).toMatch(/ID\s+JOB\s+QUEUE\s+FAILED\s+ERROR/);
      expect(lines(human.stdout).filter((l) => l.includes('timeout after 30s'))).toHaveLength(3);
      expect(await failedNow()).toEqual(before);
      expect(JSON.parse((await project.run(['status', '--json'])).stdout).queues).toEqual(status);

      const retried = await project.run(['retry', '--job', 'Invoice', '--error', '^time', '--quiet']);
      expect(retried.stdout).toBe(`${idOf(failed, 'Invoice', 'timeout')}\n`);
      const shown = JSON.parse(
        (await project.run(['jobs', 'show', idOf(failed, 'Invoice', 'timeout'), '--json'])).stdout,
      );
      expect(shown.state).toBe('pending');
      expect((await failedNow()).map((f) => f.id).sort()).toEqual(
        failed
          .map((f) => f.id)
          .filter((id) => id !== idOf(failed, 'Invoice', 'timeout'))
          .sort(),
      );

      const byQueue = JSON.parse((await project.run(['retry', '--queue', 'mail', '--error', 'bad', '--json'])).stdout);
      expect(byQueue).toMatchObject({ retried: 1, matched: 1, ids: [idOf(failed, 'Notify', 'bad input')] });
      const rest = await project.run(['retry', 'all', '--job', 'Resize']);
      expect(rest.stdout.trim()).toBe('retried 2 job(s)');
      expect((await failedNow()).map((f) => `${f.name} ${f.error.message.split('\n')[0]}`).sort()).toEqual([
        'Invoice bad input: no id',
        'Notify timeout after 30s',
      ]);
      expect((await project.run(['retry', '--job', 'Resize'])).stdout.trim()).toBe('no failed jobs to retry');
    },
    E2E_TIMEOUT,
  );

  it(
    'filters by time window, lists by filter, and forgets by filter',
    async () => {
      const failed = await seed();
      const count = async (...args: string[]) =>
        JSON.parse((await project.run(['retry', '--dry-run', '--json', ...args])).stdout).matched;
      expect(await count('--since', '1h')).toBe(6);
      expect(await count('--until', '1h')).toBe(0);
      expect(await count('--since', '2h', '--until', '1h')).toBe(0);
      expect(await count('--since', new Date(Date.now() + 3_600_000).toISOString())).toBe(0);
      expect(await count('--until', new Date(Date.now() + 3_600_000).toISOString(), '--job', 'Notify')).toBe(2);

      const listed = await failedNow('--job', 'Resize', '--error', 'bad');
      expect(listed.map((f) => f.id)).toEqual([idOf(failed, 'Resize', 'bad input')]);
      const table = await project.run(['failed', '--error', 'timeout', '--limit', '2']);
      expect(lines(table.stdout)).toHaveLength(3);

      const dry = await project.run(['failed', 'forget', '--job', 'Resize', '--dry-run']);
      expect(dry.stdout).toMatch(/^would forget 2 failed job\(s\) matching --job Resize$/m);
      expect(await failedNow()).toHaveLength(6);
      const forgot = JSON.parse((await project.run(['failed', 'forget', '--job', 'Resize', '--yes', '--json'])).stdout);
      expect(forgot).toMatchObject({ forgotten: 2, matched: 2 });
      const quiet = await project.run(['failed', 'forget', '--queue', 'mail', '--error', 'timeout', '--quiet']);
      expect(quiet.stdout).toBe(`${idOf(failed, 'Notify', 'timeout')}\n`);
      expect((await failedNow()).map((f) => f.name).sort()).toEqual(['Invoice', 'Invoice', 'Notify']);
      // A subcommand's --queue is its own, not the listing's (flush used to flush every queue).
      expect((await project.run(['failed', 'flush', '--queue', 'mail'])).stdout.trim()).toBe('flushed 1 failed job(s)');
      expect((await failedNow()).map((f) => f.name)).toEqual(['Invoice', 'Invoice']);
    },
    E2E_TIMEOUT,
  );

  it(
    'refuses bad filters with one line naming the flag, exit 2',
    async () => {
      const cases: [string[], RegExp][] = [
        [['retry', '--since', 'yesterday'], /^qtool: --since: "yesterday" is neither a duration/],
        [['retry', '--until', '10 parsecs'], /^qtool: --until: /],
        [['retry', '--error', '(unclosed'], /^qtool: --error: invalid regular expression \(unclosed/],
        [['failed', 'forget', '--error', '[z-a]'], /^qtool: --error: invalid regular expression/],
        [['failed', '--since', 'soon'], /^qtool: --since: /],
        [['retry', '--since', '1h', '--until', '2h'], /^qtool: --since 1h is later than --until 2h/],
        [['retry'], /^qtool: name failed job ids, "all", or a filter/],
        [['retry', '01ABC', '--job', 'Invoice'], /^qtool: ids name their jobs already/],
        [['failed', 'forget'], /^qtool: name failed job ids or a filter/],
        [['retry', '--queue', 'bad queue!'], /^qtool: --queue: /],
      ];
      for (const [args, message] of cases) {
        const result = await project.run(args);
        expect({ args, code: result.code }).toEqual({ args, code: 2 });
        expect(result.stderr).toMatch(message);
        expect(lines(result.stderr)).toHaveLength(1);
      }
    },
    E2E_TIMEOUT,
  );

  it(
    'streams thousands of failed jobs in batches of 1,000',
    async () => {
      const driver = openStore(project, store);
      try {
        // 2,500 Invoice failures and 300 others, seeded straight into the store.
        const envelopes = Array.from({ length: 2800 }, (_, i) =>
          makeEnvelope({ name: i < 2500 ? 'Invoice' : 'Resize', queue: i % 2 ? 'a' : 'b' }),
        );
        for (let i = 0; i < envelopes.length; i += 1000) await driver.jobPush(envelopes.slice(i, i + 1000));
        for (const queue of ['a', 'b']) {
          const reserved = await driver.jobReserve({ queues: [queue], workerId: 'seed', leaseMs: 60_000, limit: 2000 });
          for (const job of reserved)
            await driver.jobFail({ id: job.envelope.id, token: job.token, error: { message: 'gateway timeout' } });
        }
      } finally {
        await driver.close();
      }
      const dry = JSON.parse((await project.run(['retry', '--job', 'Invoice', '--dry-run', '--json'])).stdout);
      expect(dry.matched).toBe(2500);
      const result = await project.run(['retry', '--job', 'Invoice', '--json'], { timeoutMs: 60_000 });
      const out = JSON.parse(result.stdout);
      // Three batches of at most 1,000 ids each, not one call with 2,500.
      expect(out).toMatchObject({ retried: 2500, matched: 2500, batches: 3 });
      expect(out.ids).toHaveLength(100);
      const status = JSON.parse((await project.run(['status', '--json'])).stdout).queues;
      const total = (field: string) => status.reduce((n: number, q: Record<string, number>) => n + q[field]!, 0);
      expect(total('pending')).toBe(2500);
      expect(total('failed')).toBe(300);
    },
    E2E_TIMEOUT,
  );
});
