import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerBatch } from './commands/batch.js';
import { registerChain } from './commands/chain.js';
import { registerCompletion } from './commands/completion.js';
import type { Io } from './commands/context.js';
import { registerDispatch } from './commands/dispatch.js';
import { registerDoctor } from './commands/doctor.js';
import { registerFailed } from './commands/failed.js';
import { registerInit } from './commands/init.js';
import { registerJobs } from './commands/jobs.js';
import { registerLocks } from './commands/locks.js';
import { registerMetrics } from './commands/metrics.js';
import { registerQueueAdmin } from './commands/queue-admin.js';
import { registerRetry } from './commands/retry.js';
import { registerStatus } from './commands/status.js';
import { registerTail } from './commands/tail.js';
import { registerThrottle } from './commands/throttle.js';
import { registerTop } from './commands/top.js';
import { registerWhy } from './commands/why.js';
import { registerWork } from './commands/work.js';
import { maskUrl } from './core/connection.js';
import { QtoolError } from './core/errors.js';
import { DriverError } from './drivers/errors.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/**
 * The whole command tree, wired to `io`. `setExitCode` receives the code of commands that end with
 * one of their own (work, doctor). Tests and the docs capture walk this tree.
 */
export function buildProgram(io: Io, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command('qtool')
    .description('qtool: job queues for Node and TypeScript, on an embedded SQLite file or Redis')
    .version(version, '-v, --version', 'print the version')
    .option(
      '--connection <name|url>',
      'a connection from the config, or a URL: sqlite:path, redis://host:port/db, memory:, sync: (default: $QTOOL_CONNECTION, else sqlite:.qtool/qtool.db)',
    )
    .option('--config <file>', 'config file (default: qtool.config.{ts,mjs,js,json} in this directory)')
    .option('--json', 'machine-readable output (one JSON document, or NDJSON for streams)')
    .option('--no-color', 'no colours (also NO_COLOR=1)')
    .showSuggestionAfterError(true)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Help wraps to the terminal it is written to (80 columns when that is not a terminal).
      getOutHelpWidth: () => (io.stdout.isTTY && io.stdout.columns ? io.stdout.columns : 80),
      getErrHelpWidth: () => 80,
      outputError: (text, write) => write(`qtool: ${text.replace(/^error: /, '').trim()}\n`),
    });
  program.enablePositionalOptions(false);

  registerDispatch(program, io);
  registerChain(program, io);
  registerBatch(program, io);
  registerWork(program, io, setExitCode);
  registerStatus(program, io);
  registerJobs(program, io);
  registerFailed(program, io);
  registerRetry(program, io);
  registerQueueAdmin(program, io);
  registerLocks(program, io);
  registerThrottle(program, io);
  registerTail(program, io);
  registerMetrics(program, io);
  registerWhy(program, io, setExitCode);
  registerInit(program, io);
  registerCompletion(program, io);
  registerDoctor(program, io, setExitCode);
  registerTop(program, io);
  for (const command of program.commands) command.exitOverride().showSuggestionAfterError(true);
  return program;
}

/** Run the CLI; returns the exit code (0 ok, 1 runtime failure, 2 bad usage or input). */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    // Commander has printed its own message (through outputError) already.
    return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
      ? 0
      : 2;
  }
  if (error instanceof QtoolError) {
    io.stderr.write(`qtool: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof DriverError) {
    io.stderr.write(`qtool: ${maskUrl(error.message)}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`qtool: ${maskUrl(message.split('\n')[0] ?? '')}\n`);
  if (io.env.QTOOL_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return 1;
}
