import type { Command } from 'commander';
import { firstLine, QtoolError } from '../core/errors.js';
import type { FailedRecord } from '../drivers/types.js';
import { relativeTime } from '../output/format.js';
import { renderJobDetail } from '../output/job-detail.js';
import { createProgress } from '../output/progress.js';
import { renderTable } from '../output/table.js';
import { type Io, withSession } from './context.js';
import { confirm, intFlag, queueFlag } from './flags.js';

export function registerFailed(program: Command, io: Io): void {
  const failed = program
    .command('failed')
    .description('list failed jobs (newest first); show, forget, flush or prune them')
    .option('--queue <name>', 'only this queue')
    .option('--limit <n>', 'rows to show', '50')
    .option('--offset <n>', 'rows to skip', '0')
    .addHelpText(
      'after',
      '\nExamples:\n  $ qtool failed --queue podcasts\n  $ qtool failed show 01JD3N5K8Q2W7Y4X6V9B1C0M3Z',
    )
    .action(async (flags: { queue?: string; limit: string; offset: string }, command: Command) => {
      const queue = queueFlag('--queue', flags.queue);
      const limit = intFlag('--limit', flags.limit, 1)!;
      const offset = intFlag('--offset', flags.offset, 0)!;
      await withSession(io, command, async (session) => {
        const rows = await session.driver.failedList({ queue, limit, offset });
        if (session.globals.json) return session.printJson({ failed: rows });
        if (rows.length === 0) return session.print(session.theme.dim('no failed jobs'));
        const now = Date.now();
        session.print(
          renderTable(
            ['ID', 'JOB', 'QUEUE', 'FAILED', 'ERROR'],
            rows.map((r: FailedRecord) => [
              r.id,
              r.name,
              r.queue,
              relativeTime(r.failedAt, now),
              session.theme.red(firstLine(r.error.message)),
            ]),
          ),
        );
      });
    });

  failed
    .command('show')
    .description('one failed job: whole error and stack, payload, attempts')
    .argument('<id>', 'failed job id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const record = await session.driver.failedGet(id);
        if (!record) throw new QtoolError(`no failed job ${id}`);
        if (session.globals.json) return session.printJson(record);
        session.print(
          renderJobDetail(
            {
              envelope: record.envelope,
              state: 'failed',
              availableAt: record.failedAt,
              reservedBy: null,
              reservedAt: null,
              leaseUntil: null,
              history: record.history,
              failedAt: record.failedAt,
              error: record.error,
            },
            session.theme,
          ),
        );
      });
    });

  failed
    .command('forget')
    .description('delete failed jobs by id')
    .argument('<id...>', 'failed job ids')
    .action(async (ids: string[], _flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const removed = await session.driver.failedForget(ids);
        const missing = ids.filter((id) => !removed.includes(id));
        if (session.globals.json) session.printJson({ forgotten: removed, missing });
        else for (const id of removed) session.print(`forgot ${id}`);
        if (missing.length) throw new QtoolError(`no failed job ${missing.join(', ')}`);
      });
    });

  failed
    .command('flush')
    .description('delete every failed job (of one queue with --queue)')
    .option('--queue <name>', 'only this queue')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (flags: { queue?: string; yes?: boolean }, command: Command) => {
      const queue = queueFlag('--queue', flags.queue);
      await confirm(io, `delete every failed job${queue ? ` of ${queue}` : ''}?`, flags.yes);
      await withSession(io, command, async (session) => {
        const count = await session.driver.failedFlush({ queue });
        if (session.globals.json) return session.printJson({ flushed: count });
        session.print(`flushed ${count} failed job(s)`);
      });
    });

  failed
    .command('prune')
    .description('delete failed jobs older than N hours')
    .requiredOption('--hours <n>', 'age in hours (Laravel: queue:prune-failed --hours)')
    .action(async (flags: { hours: string }, command: Command) => {
      const hours = intFlag('--hours', flags.hours, 0)!;
      await withSession(io, command, async (session) => {
        const progress = createProgress(io, 'prune', 0);
        const before = (await session.driver.now()) - hours * 3_600_000;
        const count = await session.driver.failedPrune({ before }).finally(() => progress?.stop());
        if (session.globals.json) return session.printJson({ pruned: count });
        session.print(`pruned ${count} failed job(s) older than ${hours}h`);
      });
    });
}
