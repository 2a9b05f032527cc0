import type { Command } from 'commander';
import { formatDuration } from '../core/duration.js';
import { InputError, QtoolError } from '../core/errors.js';
import type { JobRecord, LiveJobState } from '../drivers/types.js';
import { relativeTime } from '../output/format.js';
import { renderJobDetail } from '../output/job-detail.js';
import { renderTable } from '../output/table.js';
import { type Io, withSession } from './context.js';
import { intFlag, queueFlag } from './flags.js';

const STATES: LiveJobState[] = ['pending', 'delayed', 'reserved'];

export function registerJobs(program: Command, io: Io): void {
  const jobs = program
    .command('jobs')
    .description('list the jobs of a queue by state, show or delete one')
    .argument('[queue]', 'queue to list')
    .option('--state <state>', `one of ${STATES.join(', ')}`, 'pending')
    .option('--limit <n>', 'rows to show', '50')
    .option('--offset <n>', 'rows to skip', '0')
    .option('-q, --quiet', 'print only the job ids, one per line')
    .addHelpText(
      'after',
      '\nExamples:\n  $ qtool jobs podcasts --state delayed\n  $ qtool jobs show 01JD3N5K8Q2W7Y4X6V9B1C0M3Z\n  $ qtool jobs podcasts --quiet | xargs qtool jobs delete',
    )
    .action(
      async (
        queue: string | undefined,
        flags: { state: string; limit: string; offset: string; quiet?: boolean },
        command: Command,
      ) => {
        if (!queue) throw new InputError('name a queue: qtool jobs <queue> (or qtool jobs show <id>)');
        queueFlag('queue', queue);
        const state = flags.state as LiveJobState;
        if (!STATES.includes(state))
          throw new InputError(`--state: expected one of ${STATES.join(', ')}, got "${flags.state}"`);
        const limit = intFlag('--limit', flags.limit, 1)!;
        const offset = intFlag('--offset', flags.offset, 0)!;
        await withSession(io, command, async (session) => {
          const rows = await session.driver.jobList({ queue, state, limit, offset });
          if (session.globals.json) return session.printJson({ queue, state, jobs: rows });
          if (flags.quiet) return session.printLines(rows.map((r) => r.envelope.id));
          if (rows.length === 0) return session.print(session.theme.dim(`no ${state} jobs on ${queue}`));
          const now = Date.now();
          session.print(
            renderTable(
              [
                'ID',
                'JOB',
                'ATTEMPTS',
                state === 'reserved' ? 'WORKER' : 'AVAILABLE',
                state === 'reserved' ? 'RUNNING' : 'DISPATCHED',
              ],
              rows.map((r: JobRecord) => [
                r.envelope.id,
                r.envelope.name,
                r.envelope.attempts,
                state === 'reserved' ? (r.reservedBy ?? '') : relativeTime(r.availableAt, now),
                state === 'reserved'
                  ? formatDuration(now - (r.reservedAt ?? now))
                  : relativeTime(r.envelope.dispatchedAt, now),
              ]),
            ),
          );
        });
      },
    );

  jobs
    .command('show')
    .description('show one job: payload, attempts, state, chain, error')
    .argument('<id>', 'job id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const record = await session.driver.jobGet(id);
        if (!record) throw new QtoolError(`no job ${id} (completed jobs are not kept)`);
        if (session.globals.json) return session.printJson(record);
        session.print(renderJobDetail(record, session.theme));
      });
    });

  jobs
    .command('delete')
    .description('delete a pending, delayed or reserved job')
    .argument('<id...>', 'job ids')
    .action(async (ids: string[], _flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const results = [];
        for (const id of ids) results.push({ id, deleted: await session.driver.jobDelete(id) });
        if (session.globals.json) return session.printJson({ results });
        for (const r of results) session.print(r.deleted ? `deleted ${r.id}` : `not found ${r.id}`);
        if (results.some((r) => !r.deleted))
          throw new QtoolError(`${results.filter((r) => !r.deleted).length} job(s) not found`);
      });
    });
}
