import type { Command } from 'commander';
import { explainJob } from '../core/why.js';
import { type Io, withSession } from './context.js';

export function registerWhy(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('why')
    .description('the one reason a job is not running (or what it is doing), with the blocking key or job')
    .argument('<id>', 'job id')
    .addHelpText(
      'after',
      '\nExamples:\n  $ qtool why 01JD3N5K8Q2W7Y4X6V9B1C0M3Z\n  $ qtool why 01JD3N5K8Q2W7Y4X6V9B1C0M3Z --json | jq .cause',
    )
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const why = await explainJob(session.driver, id);
        // An unknown id is an answer (the job completed, or never existed), but not a success.
        if (why.cause === 'not-found') setExitCode(1);
        if (session.globals.json) return session.printJson(why);
        session.print(`${session.theme.bold(why.cause)}: ${why.answer}`);
      });
    });
}
