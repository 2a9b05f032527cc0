import type { Command } from 'commander';
import { InputError, QtoolError } from '../core/errors.js';
import { type Io, withSession } from './context.js';
import { addFilterOptions, type FilterFlags, filterFromFlags, hasFilter, runBulk } from './failed-filters.js';

type RetryFlags = FilterFlags & { dryRun?: boolean; yes?: boolean; quiet?: boolean };

export function registerRetry(program: Command, io: Io): void {
  const command = program
    .command('retry')
    .description('push failed jobs back on their queue (attempts reset, same id): by id, all, or by filter')
    .argument('[ids...]', 'failed job ids, or "all" (filters narrow "all"; filters alone mean "all" too)');
  addFilterOptions(command)
    .option('--dry-run', 'count the matching failed jobs and show the first 10; change nothing')
    .option('-y, --yes', 'do not ask for confirmation before a bulk retry')
    .option('-q, --quiet', 'print only the retried ids, one per line')
    .addHelpText(
      'after',
      `
A bulk retry streams the failed store in batches of 1,000 (flat memory, progress bar on a
terminal) and leaves alone jobs that fail after it starts. Retrying a failed chain link resumes
the chain: the links after it run when it succeeds.

Examples:
  $ qtool retry 01JD3N5K8Q2W7Y4X6V9B1C0M3Z
  $ qtool retry all --queue podcasts
  $ qtool retry --job SendInvoice --since 2h --error 'ECONNRESET|timeout' --dry-run`,
    )
    .action(async (ids: string[], flags: RetryFlags, command: Command) => {
      const filter = filterFromFlags(flags);
      const all = ids.length === 1 && ids[0] === 'all';
      if (!all && ids.includes('all')) throw new InputError('"all" cannot be mixed with ids');
      const byIds = ids.length > 0 && !all;
      if (byIds && (hasFilter(filter) || flags.dryRun))
        throw new InputError('ids name their jobs already: filters and --dry-run go with "all" or no ids');
      if (ids.length === 0 && !hasFilter(filter))
        throw new InputError('name failed job ids, "all", or a filter (--job, --queue, --since, --until, --error)');
      await withSession(io, command, async (session) => {
        if (!byIds) return runBulk(io, session, { action: 'retry', flags, filter });
        const retried = await session.driver.failedRetry({ ids });
        const missing = ids.filter((id) => !retried.includes(id));
        if (session.globals.json) session.printJson({ retried: retried.length, ids: retried, missing });
        else for (const id of retried) session.print(flags.quiet ? id : `retried ${id}`);
        if (missing.length) throw new QtoolError(`no failed job ${missing.join(', ')}`);
      });
    });
}
