import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { bashCompletion, fishCompletion, QUEUE_NAMES_COMMAND, zshCompletion } from '../output/completion.js';
import { type Io, withSession } from './context.js';

export function registerCompletion(program: Command, io: Io): void {
  program
    .command('completion')
    .description('print a shell completion script for commands and flags')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      '\nExamples:\n  $ eval "$(qtool completion bash)"\n  $ qtool completion fish > ~/.config/fish/completions/qtool.fish',
    )
    .action((shell: string) => {
      const render = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion }[shell];
      if (!render) throw new InputError(`completion: unknown shell "${shell}" (bash, zsh or fish)`);
      io.stdout.write(render(program));
    });

  // What the completion scripts call for queue names: the store's queues, one per line. It never
  // creates a store, and says nothing at all when there is none or it cannot be reached.
  program
    .command(QUEUE_NAMES_COMMAND, { hidden: true })
    .description('print the queue names of the store, for shell completion')
    .action(async (_flags: unknown, command: Command) => {
      try {
        await withSession(
          io,
          command,
          async (session) => {
            for (const { queue } of await session.driver.queueStats()) io.stdout.write(`${queue}\n`);
          },
          { existingOnly: true },
        );
      } catch {
        // A completion must not print errors into the user's prompt.
      }
    });
}
