import type { Command } from 'commander';
import { InputError, QtoolError } from '../core/errors.js';
import { createProgress } from '../output/progress.js';
import { type Io, withSession } from './context.js';
import { queueFlag } from './flags.js';

const BATCH = 1000;

export function registerRetry(program: Command, io: Io): void {
  program
    .command('retry')
    .description('push failed jobs back on their queue (attempts reset, same id)')
    .argument('<ids...>', 'failed job ids, or "all"')
    .option('--queue <name>', 'with "all": only this queue')
    .addHelpText(
      'after',
      '\nExamples:\n  $ qtool retry 01JD3N5K8Q2W7Y4X6V9B1C0M3Z\n  $ qtool retry all --queue podcasts',
    )
    .action(async (ids: string[], flags: { queue?: string }, command: Command) => {
      const queue = queueFlag('--queue', flags.queue);
      const all = ids.length === 1 && ids[0] === 'all';
      if (!all && ids.includes('all')) throw new InputError('"all" cannot be mixed with ids');
      if (!all && queue) throw new InputError('--queue goes with "all"; ids name their jobs already');
      await withSession(io, command, async (session) => {
        let retried: string[] = [];
        if (all) {
          // Batches keep memory flat however many jobs failed.
          const total = (await session.driver.queueStats())
            .filter((q) => !queue || q.queue === queue)
            .reduce((n, q) => n + q.failed, 0);
          const progress = total > BATCH ? createProgress(io, 'retry', total) : null;
          let count = 0;
          for (;;) {
            const batch = await session.driver.failedRetry({ queue, limit: BATCH });
            count += batch.length;
            if (retried.length < 100) retried.push(...batch.slice(0, 100 - retried.length));
            progress?.update(count);
            if (batch.length < BATCH) break;
          }
          progress?.stop();
          if (session.globals.json) return session.printJson({ retried: count, ids: retried });
          return session.print(count === 0 ? 'no failed jobs to retry' : `retried ${count} job(s)`);
        }
        retried = await session.driver.failedRetry({ ids });
        const missing = ids.filter((id) => !retried.includes(id));
        if (session.globals.json) session.printJson({ retried: retried.length, ids: retried, missing });
        else for (const id of retried) session.print(`retried ${id}`);
        if (missing.length) throw new QtoolError(`no failed job ${missing.join(', ')}`);
      });
    });
}
