import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { type Io, withSession } from './context.js';
import { durationFlag } from './flags.js';

export function registerTop(program: Command, io: Io): void {
  program
    .command('top')
    .description('live dashboard: queues, failed jobs, workers, locks, throttles, events (keys: ? for help)')
    .option('--interval <duration>', 'refresh interval', '1s')
    .addHelpText(
      'after',
      '\nExamples:\n  $ qtool top\n  $ qtool top --interval 2s --connection redis://127.0.0.1:6379/0',
    )
    .action(async (flags: { interval: string }, command: Command) => {
      const seconds = durationFlag('--interval', flags.interval)!;
      if (seconds < 0.1) throw new InputError('--interval: at least 100ms');
      if (!io.stdout.isTTY) {
        throw new InputError(
          'top needs a terminal: stdout is not a TTY (for plain refreshing output use `qtool status --watch`)',
        );
      }
      if (!io.stdin.isTTY) throw new InputError('top needs a terminal: stdin is not a TTY (it reads keys)');
      if (command.optsWithGlobals().json) throw new InputError('top has no --json output; use `qtool status --json`');
      await withSession(
        io,
        command,
        async (session) => {
          // Ink, React and the dashboard load only here, so every other command starts fast.
          const { runTop } = await import('../tui/run.js');
          await runTop({
            driver: session.driver,
            connection: session.connectionLabel,
            intervalMs: Math.round(seconds * 1000),
            stdout: io.stdout as NodeJS.WriteStream,
            stdin: io.stdin as NodeJS.ReadStream,
            noColor: session.theme.level === 0,
          });
        },
        { reconnect: true },
      );
    });
}
