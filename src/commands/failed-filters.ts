import type { Command } from 'commander';
import { firstLine, InputError } from '../core/errors.js';
import {
  bulkFailed,
  type FailedFilter,
  parseErrorPattern,
  parseTimeBound,
  resolveBound,
  type TimeBound,
} from '../core/failed-filter.js';
import type { FailedRecord } from '../drivers/types.js';
import { relativeTime } from '../output/format.js';
import { createProgress } from '../output/progress.js';
import { renderTable } from '../output/table.js';
import type { Io, Session } from './context.js';
import { confirm, queueFlag, willAsk } from './flags.js';

/** The filter flags shared by `retry`, `failed` and `failed forget`. */
export interface FilterFlags {
  job?: string;
  queue?: string;
  since?: string;
  until?: string;
  error?: string;
}

const SAMPLE = 10;

export function addFilterOptions(command: Command): Command {
  return command
    .option('--job <name>', 'only jobs of this name')
    .option('--queue <name>', 'only this queue')
    .option('--since <when>', 'failed at or after: a duration ago (1h, 2d) or an ISO-8601 time')
    .option('--until <when>', 'failed at or before: a duration ago (10m) or an ISO-8601 time')
    .option('--error <regex>', 'error message matches this regular expression (or /regex/i)');
}

/** Validated at the edge: a bad value exits 2 naming its flag. */
export function filterFromFlags(flags: FilterFlags): FailedFilter {
  const filter: FailedFilter = {};
  if (flags.job !== undefined) {
    if (flags.job.trim() === '') throw new InputError('--job: give a job name');
    filter.job = flags.job;
  }
  filter.queue = queueFlag('--queue', flags.queue);
  filter.since = boundFlag('--since', flags.since);
  filter.until = boundFlag('--until', flags.until);
  if (filter.since && filter.until) {
    const now = Date.now();
    if (resolveBound(filter.since, now) > resolveBound(filter.until, now))
      throw new InputError(`--since ${flags.since} is later than --until ${flags.until}`);
  }
  if (flags.error !== undefined) {
    try {
      filter.error = parseErrorPattern(flags.error);
    } catch (error) {
      throw new InputError(`--error: invalid regular expression ${flags.error} (${(error as Error).message})`);
    }
  }
  return filter;
}

function boundFlag(flag: string, value: string | undefined): TimeBound | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTimeBound(value);
  } catch (error) {
    throw new InputError(`${flag}: ${(error as Error).message}`);
  }
}

export function hasFilter(filter: FailedFilter): boolean {
  return Object.values(filter).some((value) => value !== undefined);
}

/** The flags as typed, for questions and messages. */
function describeFlags(flags: FilterFlags): string {
  const parts = (['job', 'queue', 'since', 'until', 'error'] as const)
    .filter((name) => flags[name] !== undefined)
    .map((name) => `--${name} ${flags[name]}`);
  return parts.length ? ` matching ${parts.join(' ')}` : '';
}

export function renderFailedTable(rows: FailedRecord[], session: Session): string {
  const now = Date.now();
  return renderTable(
    ['ID', 'JOB', 'QUEUE', 'FAILED', 'ERROR'],
    rows.map((r) => [
      r.id,
      r.name,
      r.queue,
      relativeTime(r.failedAt, now),
      session.theme.red(firstLine(r.error.message)),
    ]),
  );
}

export interface BulkCommand {
  action: 'retry' | 'forget';
  flags: FilterFlags & { dryRun?: boolean; yes?: boolean; quiet?: boolean };
  filter: FailedFilter;
}

const WORDS = {
  retry: { doing: 'retry', done: 'retried', json: 'retried', none: 'no failed jobs to retry' },
  forget: { doing: 'forget', done: 'forgot', json: 'forgotten', none: 'no failed jobs to forget' },
};

/**
 * Retry or forget every failed job matching the filter, streamed in batches with a progress bar;
 * a dry run counts and samples instead. On a terminal, asks first (after counting) unless --yes.
 */
export async function runBulk(io: Io, session: Session, { action, flags, filter }: BulkCommand): Promise<void> {
  const words = WORDS[action];
  const driver = session.driver;
  // --json wins over --quiet: one JSON document, not ids before it.
  const quiet = flags.quiet && !session.globals.json;
  const quietIds = (ids: string[]) => {
    if (quiet) for (const id of ids) session.print(id);
  };
  let until: number | undefined;
  if (flags.dryRun || willAsk(io, flags.yes)) {
    const count = await withProgress(io, session, filter, 'scan', (onProgress) =>
      bulkFailed(driver, filter, {
        action: 'count',
        sample: SAMPLE,
        onProgress,
        onMatch: flags.dryRun && quiet ? (record) => session.print(record.id) : undefined,
      }),
    );
    if (flags.dryRun) return printDryRun(session, words.doing, count.matched, count.sample, flags);
    if (count.matched === 0) return session.print(words.none);
    await confirm(io, `${words.doing} ${count.matched} failed job(s)${describeFlags(flags)}?`, flags.yes);
    until = count.until;
  }
  const ids: string[] = [];
  const result = await withProgress(io, session, filter, action, (onProgress) =>
    bulkFailed(driver, filter, {
      action,
      until,
      onProgress,
      onBatch: (done) => {
        if (ids.length < 100) ids.push(...done.slice(0, 100 - ids.length));
        quietIds(done);
      },
    }),
  );
  if (session.globals.json)
    return session.printJson({ [words.json]: result.done, matched: result.matched, ids, batches: result.batches });
  if (quiet) return;
  session.print(result.done === 0 ? words.none : `${words.done} ${result.done} job(s)`);
}

async function withProgress<T>(
  io: Io,
  session: Session,
  filter: FailedFilter,
  label: string,
  body: (onProgress: (p: { scanned: number }) => void) => Promise<T>,
): Promise<T> {
  if (!io.stderr.isTTY) return body(() => {});
  const total = (await session.driver.queueStats())
    .filter((q) => !filter.queue || q.queue === filter.queue)
    .reduce((n, q) => n + q.failed, 0);
  const progress = createProgress(io, label, total);
  try {
    return await body(({ scanned }) => progress?.update(scanned));
  } finally {
    progress?.stop();
  }
}

function printDryRun(
  session: Session,
  verb: string,
  matched: number,
  sample: FailedRecord[],
  flags: BulkCommand['flags'],
): void {
  if (session.globals.json) {
    session.printJson({
      dryRun: true,
      matched,
      sample: sample.map((r) => ({
        id: r.id,
        job: r.name,
        queue: r.queue,
        failedAt: new Date(r.failedAt).toISOString(),
        error: firstLine(r.error.message),
      })),
    });
    return;
  }
  if (flags.quiet) return;
  session.print(`would ${verb} ${matched} failed job(s)${describeFlags(flags)}`);
  if (sample.length === 0) return;
  session.print(renderFailedTable(sample, session));
  if (matched > sample.length) session.print(session.theme.dim(`… and ${matched - sample.length} more`));
}
