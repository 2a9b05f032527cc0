import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Project, type RunResult, tempProject } from '../helpers/cli.js';

/** Flag values: mostly plausible, some hostile (empty, negative, huge, unicode, option-like). */
const value = fc.oneof(
  fc.constantFrom(
    '10s',
    '1h30m',
    '0',
    '3',
    '-1',
    '',
    ' ',
    '1e400',
    'NaN',
    '10,60',
    '2030-01-01T00:00:00Z',
    '--x',
    'x'.repeat(300),
  ),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: -10, max: 100_000 }).map(String),
);

/** Exit 0, or exit 2 with one line on stderr naming the problem: never a stack trace or another code. */
function cleanOutcome(result: RunResult): 'ok' | 'refused' {
  if (result.code === 0) return 'ok';
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^qtool: /);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return 'refused';
}

describe('property: CLI flags', () => {
  let project: Project;
  beforeAll(() => {
    project = tempProject(`export default { jobs: { A: { handle() {} } } };`);
  });
  afterAll(() => project.cleanup());

  it('dispatch with random flag values dispatches exactly the accepted jobs', async () => {
    const accepted: { args: string[]; id: string }[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(['--delay', '--tries', '--backoff', '--timeout', '--at', '--queue'], { minLength: 1 }),
        fc.array(value, { minLength: 6, maxLength: 6 }),
        async (flags, values) => {
          const args = ['dispatch', '--job', 'A', '--quiet', ...flags.flatMap((flag, i) => [flag, values[i]!])];
          if (args.includes('--delay') && args.includes('--at')) args.splice(args.indexOf('--at'), 2);
          const result = await project.run(args);
          if (cleanOutcome(result) === 'ok') accepted.push({ args, id: result.stdout.trim() });
        },
      ),
      { numRuns: 30 },
    );
    const status = JSON.parse((await project.run(['status', '--json'])).stdout) as {
      queues: { pending: number; delayed: number }[];
    };
    const counted = status.queues.reduce((n, q) => n + q.pending + q.delayed, 0);
    if (counted !== accepted.length) {
      // Say which accepted dispatch is not where status counts it (the inputs are random).
      const states = await Promise.all(
        accepted.map(async ({ args, id }) => {
          const shown = await project.run(['jobs', 'show', id, '--json']);
          const state = shown.code === 0 ? (JSON.parse(shown.stdout) as { state: string }).state : shown.stderr.trim();
          return `${id} ${state}: ${JSON.stringify(args)}`;
        }),
      );
      expect.fail(
        `status counts ${counted} of ${accepted.length} accepted jobs:\n${states.join('\n')}\n${JSON.stringify(status)}`,
      );
    }
  }, 120_000);

  it('work with random option values starts and stops cleanly or refuses with one line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(['--concurrency', '--sleep', '--lease', '--memory', '--max-jobs', '--tries', '--timeout'], {
          minLength: 1,
        }),
        fc.array(value, { minLength: 7, maxLength: 7 }),
        async (flags, values) => {
          const args = [
            'work',
            '--queue',
            'nothing-here',
            '--stop-when-empty',
            ...flags.flatMap((f, i) => [f, values[i]!]),
          ];
          cleanOutcome(await project.run(args, { timeoutMs: 15_000 }));
        },
      ),
      { numRuns: 20 },
    );
  }, 120_000);
});
