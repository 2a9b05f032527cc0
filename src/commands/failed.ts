import type { Command } from 'commander';
import { InputError, QtoolError } from '../core/errors.js';
import { listFailed } from '../core/failed-filter.js';
import { renderJobDetail } from '../output/job-detail.js';
import { createProgress } from '../output/progress.js';
import { type Io, withSession } from './context.js';
import {
  addFilterOptions,
  type FilterFlags,
  filterFromFlags,
  hasFilter,
  renderFailedTable,
  runBulk,
} from './failed-filters.js';
import { confirm, intFlag, queueFlag } from './flags.js';

type ForgetFlags = FilterFlags & { dryRun?: boolean; yes?: boolean; quiet?: boolean };

export function registerFailed(program: Command, io: Io): void {
  const failed = program
    .command('failed')
    .description(
      'list failed jobs (newest first, filtered with --job/--queue/--since/--until/--error); show, forget, flush or prune them',
    );
  addFilterOptions(failed)
    .option('--limit <n>', 'rows to show', '50')
    .option('--offset <n>', 'rows to skip', '0')
    .addHelpText(
      'after',
      "\nExamples:\n  $ qtool failed --queue podcasts\n  $ qtool failed --job SendInvoice --since 1h --error 'timeout'\n  $ qtool failed show 01JD3N5K8Q2W7Y4X6V9B1C0M3Z",
    )
    .action(async (flags: FilterFlags & { limit: string; offset: string }, command: Command) => {
      const filter = filterFromFlags(flags);
      const limit = intFlag('--limit', flags.limit, 1)!;
      const offset = intFlag('--offset', flags.offset, 0)!;
      await withSession(io, command, async (session) => {
        // Beyond a queue, filters need a scan of the failed store; the plain listing reads one page.
        const { queue, ...rest } = filter;
        const rows = hasFilter(rest)
          ? await listFailed(session.driver, filter, { limit, offset })
          : await session.driver.failedList({ queue, limit, offset });
        if (session.globals.json) return session.printJson({ failed: rows });
        if (rows.length === 0) return session.print(session.theme.dim('no failed jobs'));
        session.print(renderFailedTable(rows, session));
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

  const forget = failed
    .command('forget')
    .description('delete failed jobs by id, or every one matching filters (asks first on a terminal)')
    .argument('[ids...]', 'failed job ids (or none, with filters)');
  addFilterOptions(forget)
    .option('--dry-run', 'count the matching failed jobs and show the first 10; change nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('-q, --quiet', 'print only the forgotten ids, one per line')
    .addHelpText(
      'after',
      '\nExamples:\n  $ qtool failed forget 01JD3N5K8Q2W7Y4X6V9B1C0M3Z\n  $ qtool failed forget --job ResizeImage --until 7d --yes',
    )
    .action(async (ids: string[], _flags: unknown, command: Command) => {
      const flags = subcommandFlags<ForgetFlags>(command);
      const filter = filterFromFlags(flags);
      if (ids.length > 0 && (hasFilter(filter) || flags.dryRun))
        throw new InputError('ids name their jobs already: give ids or filters, not both');
      if (ids.length === 0 && !hasFilter(filter))
        throw new InputError('name failed job ids or a filter (--job, --queue, --since, --until, --error)');
      await withSession(io, command, async (session) => {
        if (ids.length === 0) return runBulk(io, session, { action: 'forget', flags, filter });
        const removed = await session.driver.failedForget(ids);
        const missing = ids.filter((id) => !removed.includes(id));
        if (session.globals.json) session.printJson({ forgotten: removed, missing });
        else for (const id of removed) session.print(flags.quiet ? id : `forgot ${id}`);
        if (missing.length) throw new QtoolError(`no failed job ${missing.join(', ')}`);
      });
    });

  failed
    .command('flush')
    .description('delete every failed job (of one queue with --queue)')
    .option('--queue <name>', 'only this queue')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (_flags: unknown, command: Command) => {
      const flags = subcommandFlags<{ queue?: string; yes?: boolean }>(command);
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

/**
 * A subcommand's flags, with those that `failed` itself also defines (--queue, --job...): the CLI
 * parses options anywhere on the line, so `failed flush --queue Q` hands --queue to `failed`.
 */
function subcommandFlags<T>(command: Command): T {
  return { ...command.parent?.opts(), ...command.opts() } as T;
}
