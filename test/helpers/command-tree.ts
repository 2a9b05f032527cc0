import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { buildProgram, main } from '../../src/cli.js';
import type { Io } from '../../src/commands/context.js';

export interface CommandNode {
  /** e.g. [] for the program, ['failed', 'prune'] for a subcommand. */
  path: string[];
  command: Command;
}

function captureIo(): Io & { output(): string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => {
    text += chunk;
  });
  return {
    stdout,
    stderr: stdout,
    stdin: new PassThrough(),
    env: { NO_COLOR: '1', COLUMNS: '80' },
    cwd: process.cwd(),
    output: () => text,
  };
}

/**
 * Every command of the tree, the program first, without Commander's implicit `help` and the
 * hidden `__` commands shell completions call (not for users, so not in help or docs).
 */
export function commandTree(): CommandNode[] {
  const nodes: CommandNode[] = [];
  const walk = (command: Command, path: string[]) => {
    nodes.push({ path, command });
    for (const sub of command.commands)
      if (sub.name() !== 'help' && !sub.name().startsWith('__')) walk(sub, [...path, sub.name()]);
  };
  walk(buildProgram(captureIo()), []);
  return nodes;
}

/** `qtool <path> --help` as the binary prints it on a pipe (80 columns, no colour). */
export async function helpText(path: string[]): Promise<string> {
  const io = captureIo();
  const code = await main([...path, '--help'], io);
  if (code !== 0) throw new Error(`qtool ${path.join(' ')} --help exited ${code}`);
  return io.output();
}
