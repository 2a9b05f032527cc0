import type { Command } from 'commander';
import { createProgress } from '../output/progress.js';
import { type Io, withSession } from './context.js';
import { confirm, queueFlag } from './flags.js';

export function registerQueueAdmin(program: Command, io: Io): void {
  program
    .command('clear')
    .description('delete the pending and delayed jobs of a queue (running jobs finish)')
    .argument('<queue>', 'queue name')
    .option('-y, --yes', 'do not ask for confirmation (asked only on a terminal)')
    .addHelpText(
      'after',
      `
Failed jobs are kept (see qtool failed flush); reserved jobs run to their end.

Examples:
  $ qtool clear podcasts
  $ qtool clear podcasts --yes --json`,
    )
    .action(async (queue: string, flags: { yes?: boolean }, command: Command) => {
      queueFlag('queue', queue);
      await confirm(io, `delete every pending and delayed job of ${queue}?`, flags.yes);
      await withSession(io, command, async (session) => {
        const stats = (await session.driver.queueStats()).find((q) => q.queue === queue);
        const expected = stats ? stats.pending + stats.delayed : 0;
        const progress = expected > 1000 ? createProgress(io, 'clear', expected) : null;
        const count = await session.driver
          .queueClear(queue, { onProgress: (cleared) => progress?.update(Math.min(cleared, expected)) })
          .finally(() => progress?.stop());
        await session.driver.eventsAppend([{ name: 'queue.cleared', queue, details: { count } }]);
        if (session.globals.json) return session.printJson({ queue, cleared: count });
        session.print(`cleared ${count} job(s) from ${queue}`);
      });
    });

  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    program
      .command(name)
      .description(paused ? 'pause a queue: workers skip it until resumed' : 'resume a paused queue')
      .argument('<queue>', 'queue name')
      .addHelpText(
        'after',
        paused
          ? `
Jobs can still be dispatched to a paused queue; running jobs finish.

Examples:
  $ qtool pause podcasts
  $ qtool pause podcasts --connection redis://127.0.0.1:6379/0`
          : `
Examples:
  $ qtool resume podcasts
  $ qtool resume podcasts --json`,
      )
      .action(async (queue: string, _flags: unknown, command: Command) => {
        queueFlag('queue', queue);
        await withSession(io, command, async (session) => {
          if (paused) await session.driver.queuePause(queue);
          else await session.driver.queueResume(queue);
          await session.driver.eventsAppend([{ name: paused ? 'queue.paused' : 'queue.resumed', queue }]);
          if (session.globals.json) return session.printJson({ queue, paused });
          session.print(`${paused ? 'paused' : 'resumed'} ${queue}`);
        });
      });
  }

  program
    .command('restart')
    .description('make every running worker exit after its current job (a supervisor restarts it)')
    .addHelpText(
      'after',
      `
Run it after a deploy: workers started before the signal exit (code 0) once their job is done.

Examples:
  $ qtool restart
  $ qtool restart --connection redis://127.0.0.1:6379/0`,
    )
    .action(async (_flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const now = await session.driver.now();
        await session.driver.metaSet('restart', String(now));
        if (session.globals.json) return session.printJson({ restartRequestedAt: now });
        session.print('broadcast restart signal: workers exit after their current job');
      });
    });
}
