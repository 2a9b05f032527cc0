import type { Command } from 'commander';
import { dispatchJobs, dispatchOptionsFrom } from '../core/dispatch.js';
import { dryRunDispatch } from '../core/dry-run.js';
import { type DispatchInput, entryToInput, withDefaults } from '../core/envelope-builder.js';
import { InputError } from '../core/errors.js';
import { readJobFile, validate } from '../core/jobfile.js';
import type { PushResult } from '../drivers/types.js';
import { createProgress } from '../output/progress.js';
import { type Io, withSession } from './context.js';
import { backoffFlag, durationFlag, instantFlag, intFlag, queueFlag } from './flags.js';

interface DispatchFlags {
  job?: string;
  data?: string;
  queue?: string;
  delay?: string;
  at?: string;
  tries?: string;
  backoff?: string;
  timeout?: string;
  unique?: string;
  uniqueFor?: string;
  idempotencyKey?: string;
  quiet?: boolean;
  dryRun?: boolean;
}

export function registerDispatch(program: Command, io: Io): void {
  program
    .command('dispatch')
    .description('put jobs on a queue from a JSON file, an array, NDJSON, stdin (-) or --job/--data')
    .argument('[file]', 'job file (JSON object, array or NDJSON), or - for stdin')
    .option('--job <name>', 'dispatch one job by name instead of a file')
    .option('--data <json>', 'the job data, with --job (default: {})')
    .option('--queue <name>', 'queue for jobs that name none (default: the job\'s or "default")')
    .option('--delay <duration>', 'make jobs available after a delay: 10s, 10m, 1h30m')
    .option('--at <iso>', 'make jobs available at an ISO-8601 time')
    .option('--tries <n>', "times a job may run (0: unlimited; default: the worker's, 1)")
    .option('--backoff <list>', "seconds between tries, e.g. 10,60 (last repeats; default: the worker's, 0)")
    .option('--timeout <duration>', "time an attempt may take (default: the worker's, 60s)")
    .option('--unique <key>', 'skip the dispatch while another job holds this unique key')
    .option('--unique-for <duration>', 'how long the unique key is held at most (default: until the job ends)')
    .option('--idempotency-key <key>', "a repeat within 24h returns the first job's id instead of dispatching")
    .option('-q, --quiet', 'print only the job ids, one per line (a unique-key skip is reported on stderr)')
    .option('--dry-run', 'validate and report what would happen to each job now; change nothing')
    .addHelpText(
      'after',
      `
Flags fill in what a job leaves out; a job's own fields win. All or nothing: one invalid job
dispatches none, and the error names its index or line and the field.

Examples:
  $ qtool dispatch examples/podcast.json --delay=10s
  $ qtool dispatch --job ProcessPodcast --data '{"podcastId": 42}' --queue podcasts
  $ cat jobs.ndjson | qtool dispatch - --json`,
    )
    .action(async (file: string | undefined, flags: DispatchFlags, command: Command) => {
      const defaults = flagDefaults(flags);
      const inputs = await readInputs(file, flags, io);
      const jobs = inputs.map((input) => withDefaults(input, defaults));
      await withSession(io, command, async (session) => {
        if (flags.dryRun) {
          const report = await dryRunDispatch(
            session.driver,
            jobs,
            dispatchOptionsFrom(session.loaded.config, session.target.name),
          );
          if (session.globals.json) return session.printJson({ dryRun: true, jobs: report });
          for (const r of report) session.print(`${jobs.length > 1 ? `${r.index}: ` : ''}${r.job}: ${r.detail}`);
          return;
        }
        const progress = jobs.length >= 5000 ? createProgress(io, 'dispatch', jobs.length) : null;
        const outcome = await dispatchJobs(session.driver, jobs, {
          ...dispatchOptionsFrom(session.loaded.config, session.target.name),
          onProgress: (done) => progress?.update(done),
        }).finally(() => progress?.stop());
        if (session.globals.json) return session.printJson({ jobs: outcome.results });
        for (const result of outcome.results) {
          if (!flags.quiet) session.print(humanResult(result, session.theme));
          else if (result.status === 'duplicate') io.stderr.write(`${humanResult(result, session.theme)}\n`);
          else session.print(result.status === 'existing' ? result.existingId : result.id);
        }
      });
    });
}

function flagDefaults(flags: DispatchFlags): Partial<DispatchInput> {
  if (flags.delay !== undefined && flags.at !== undefined) throw new InputError('--delay and --at: give one, not both');
  if (flags.uniqueFor !== undefined && flags.unique === undefined)
    throw new InputError('--unique-for needs --unique KEY');
  const uniqueFor = durationFlag('--unique-for', flags.uniqueFor);
  return {
    queue: queueFlag('--queue', flags.queue),
    delaySeconds: durationFlag('--delay', flags.delay),
    at: instantFlag('--at', flags.at),
    tries: intFlag('--tries', flags.tries),
    backoff: backoffFlag(flags.backoff),
    timeout: durationFlag('--timeout', flags.timeout),
    unique: flags.unique ? { key: flags.unique, ttl: uniqueFor ?? null, untilProcessing: false } : undefined,
    idempotencyKey: flags.idempotencyKey,
  };
}

async function readInputs(file: string | undefined, flags: DispatchFlags, io: Io): Promise<DispatchInput[]> {
  const now = Date.now();
  if (flags.job !== undefined) {
    if (file !== undefined) throw new InputError('give a job file or --job, not both');
    let data: unknown = {};
    if (flags.data !== undefined) {
      try {
        data = JSON.parse(flags.data);
      } catch (error) {
        throw new InputError(`--data: invalid JSON (${(error as Error).message})`);
      }
    }
    return [entryToInput(validate({ job: flags.job, data }, '--job'), now)];
  }
  if (flags.data !== undefined) throw new InputError('--data needs --job NAME');
  if (file === undefined) throw new InputError('name a job file, - for stdin, or --job NAME');
  const progress = createProgress(io, 'read', 0);
  try {
    const parsed = await readJobFile(file, { stdin: io.stdin, onProgress: (lines) => progress?.update(lines) });
    return parsed.entries.map((entry) => entryToInput(entry, now));
  } finally {
    progress?.stop();
  }
}

function humanResult(result: PushResult, theme: { yellow(text: string): string; dim(text: string): string }): string {
  if (result.status === 'queued') return result.id;
  if (result.status === 'duplicate')
    return theme.yellow(`skipped (unique key ${result.uniqueKey} held by ${result.heldBy})`);
  return `${result.existingId} ${theme.dim(`(existing: idempotency key ${result.idempotencyKey})`)}`;
}
