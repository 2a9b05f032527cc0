import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { bashCompletion, fishCompletion, zshCompletion } from '../output/completion.js';
import type { Io } from './context.js';

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
}
