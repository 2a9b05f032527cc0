import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import type { Io } from './context.js';
import { configTemplate, HELLO_JOB } from './init-templates.js';

export function registerInit(program: Command, io: Io): void {
  program
    .command('init')
    .description('write a commented qtool.config.ts (or .mjs with --js) and examples/hello.json to start from')
    .option('--js', 'write qtool.config.mjs (plain JavaScript, no imports) instead of TypeScript')
    .option('--force', 'overwrite files that exist')
    .addHelpText(
      'after',
      '\nExamples:\n  $ qtool init && qtool dispatch examples/hello.json && qtool work --stop-when-empty\n  $ qtool init --js',
    )
    .action((flags: { js?: boolean; force?: boolean }) => {
      const config = join(io.cwd, flags.js ? 'qtool.config.mjs' : 'qtool.config.ts');
      const hello = join(io.cwd, 'examples', 'hello.json');
      const existing = [config, hello].filter((file) => existsSync(file));
      if (existing.length && !flags.force) {
        throw new InputError(
          `${existing.map((f) => f.slice(io.cwd.length + 1)).join(' and ')} already exist (use --force to overwrite)`,
        );
      }
      writeFileSync(config, configTemplate(flags.js ?? false));
      mkdirSync(join(io.cwd, 'examples'), { recursive: true });
      writeFileSync(hello, HELLO_JOB);
      const name = flags.js ? 'qtool.config.mjs' : 'qtool.config.ts';
      io.stdout.write(
        `wrote ${name} and examples/hello.json\n\nnext:\n  npx qtool dispatch examples/hello.json\n  npx qtool work --stop-when-empty\n  npx qtool status\n`,
      );
    });
}
