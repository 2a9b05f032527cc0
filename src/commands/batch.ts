import type { Command } from 'commander';
import { dispatchBatch } from '../core/batch.js';
import { dispatchOptionsFrom } from '../core/dispatch.js';
import { type DispatchInput, entryToInput } from '../core/envelope-builder.js';
import { InputError, QtoolError } from '../core/errors.js';
import { readJobFile } from '../core/jobfile.js';
import type { BatchState } from '../drivers/types.js';
import { relativeTime } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { type Io, withSession } from './context.js';
import { intFlag, queueFlag } from './flags.js';

interface BatchFlags {
  allowFailures?: boolean;
  then?: string;
  catch?: string;
  finally?: string;
  queue?: string;
  name?: string;
  quiet?: boolean;
}

export function batchProgress(b: BatchState): string {
  const done = b.total - b.pending;
  const state = b.cancelledAt ? 'cancelled' : b.pending === b.failed ? 'finished' : 'running';
  return `${done}/${b.total} done, ${b.pending} pending, ${b.failed} failed (${state})`;
}

async function readInputs(files: string[], io: Io): Promise<DispatchInput[]> {
  const now = Date.now();
  const inputs: DispatchInput[] = [];
  for (const file of files)
    inputs.push(...(await readJobFile(file, { stdin: io.stdin })).entries.map((e) => entryToInput(e, now)));
  return inputs;
}

async function readOne(flag: string, file: string | undefined, io: Io): Promise<DispatchInput | null> {
  if (!file) return null;
  const inputs = await readInputs([file], io);
  if (inputs.length !== 1) throw new InputError(`${flag} ${file}: expected one job, found ${inputs.length}`);
  return inputs[0]!;
}

export function registerBatch(program: Command, io: Io): void {
  const batch = program
    .command('batch')
    .description('run jobs in parallel as one batch, with then / catch / finally jobs; show or cancel a batch')
    .argument('[files...]', 'job files (each may hold several jobs), or - for stdin')
    .option('--allow-failures', 'keep running the other jobs after one fails (default: the first failure cancels)')
    .option('--then <file>', 'job dispatched when every job succeeded')
    .option('--catch <file>', 'job dispatched on the first failure (gets data.failed)')
    .option('--finally <file>', 'job dispatched once every job has run')
    .option('--queue <name>', 'queue for jobs that name none (default: the job\'s or "default")')
    .option('--name <name>', 'a name to recognise the batch by')
    .option('-q, --quiet', 'print only the batch id')
    .addHelpText(
      'after',
      `
Callback jobs get data.batch = { id, name, total, pending, failed, failedIds }.

Examples:
  $ qtool batch import-*.json --then notify.json --catch alert.json --finally cleanup.json
  $ qtool batch show 01JD3N5K8Q2W7Y4X6V9B1C0M3Z`,
    )
    .action(async (files: string[], flags: BatchFlags, command: Command) => {
      if (files.length === 0)
        throw new InputError('name job files for the batch, or - for stdin (or: batch show|cancel <id>)');
      const inputs = await readInputs(files, io);
      const [thenJob, catchJob, finallyJob] = [
        await readOne('--then', flags.then, io),
        await readOne('--catch', flags.catch, io),
        await readOne('--finally', flags.finally, io),
      ];
      const queue = queueFlag('--queue', flags.queue);
      await withSession(io, command, async (session) => {
        const { batchId, results } = await dispatchBatch(
          session.driver,
          inputs,
          {
            name: flags.name,
            allowFailures: flags.allowFailures,
            onSuccess: thenJob,
            onFailure: catchJob,
            onFinish: finallyJob,
            queue,
          },
          dispatchOptionsFrom(session.loaded.config, session.target.name),
        );
        if (session.globals.json) return session.printJson({ batch: batchId, jobs: results });
        if (flags.quiet) return session.print(batchId);
        session.print(`batch ${batchId} (${inputs.length} jobs)`);
      });
    });

  batch
    .command('show')
    .description('progress of a batch: total, pending, failed, failed job ids')
    .argument('<id>', 'batch id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const state = await session.driver.batchGet(id);
        if (!state) throw new QtoolError(`no batch ${id}`);
        if (session.globals.json) return session.printJson(state);
        session.print(`batch ${state.id}${state.name ? ` (${state.name})` : ''}: ${batchProgress(state)}`);
        if (state.failedIds.length) session.print(`failed jobs: ${state.failedIds.join(', ')}`);
        const callbacks = [
          ['then', state.onSuccess],
          ['catch', state.onFailure],
          ['finally', state.onFinish],
        ]
          .filter(([, link]) => link)
          .map(([label, link]) => `${label}: ${(link as { name: string }).name}`);
        if (callbacks.length) session.print(callbacks.join('   '));
      });
    });

  batch
    .command('cancel')
    .description('cancel a batch: jobs not yet started are skipped')
    .argument('<id>', 'batch id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const state = await session.driver.batchCancel(id);
        if (!state) throw new QtoolError(`no batch ${id}`);
        await session.driver.eventsAppend([{ name: 'batch.cancelled', details: { batch: id } }]);
        if (session.globals.json) return session.printJson(state);
        session.print(`cancelled batch ${id}: ${batchProgress(state)}`);
      });
    });

  batch
    .command('list')
    .description('recent batches, newest first')
    .option('--limit <n>', 'rows to show', '20')
    .option('-q, --quiet', 'print only the batch ids, one per line')
    .action(async (flags: { limit: string; quiet?: boolean }, command: Command) => {
      const limit = intFlag('--limit', flags.limit, 1)!;
      await withSession(io, command, async (session) => {
        const batches = await session.driver.batchList({ limit });
        if (session.globals.json) return session.printJson({ batches });
        // `batch list -q`: Commander hands -q to `batch`, which has one too.
        if (flags.quiet || command.optsWithGlobals().quiet) return session.printLines(batches.map((b) => b.id));
        if (batches.length === 0) return session.print(session.theme.dim('no batches'));
        session.print(
          renderTable(
            ['ID', 'NAME', 'CREATED', 'PROGRESS'],
            batches.map((b) => [b.id, b.name ?? '', relativeTime(b.createdAt), batchProgress(b)]),
          ),
        );
      });
    });
}
