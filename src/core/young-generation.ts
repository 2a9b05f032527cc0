import { setFlagsFromString } from 'node:v8';

const USER_SEMI_SPACE_FLAG = /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/;

/** The CLI's global options that take their value in the next argument (see cli.ts). */
export const GLOBAL_OPTIONS_WITH_VALUE = ['--connection', '--config'];

/**
 * Keep V8's young generation at its starting size (1 MB semi-spaces) for the life of a worker
 * process. Under a steady stream of jobs V8 keeps doubling the new space up to its 16 MB
 * semi-space cap, memory a worker holds and never needs: 30,000 no-op Redis jobs at concurrency 50
 * end at 97-113 MB RSS by default and 83-88 MB pinned, at the same throughput (bench/README.md,
 * session nine). The growth factor is the one young-generation flag V8 still reads after start-up
 * (`--max-semi-space-size` is fixed when the isolate is made), and it only stops growth: it has to
 * be set before the CLI loads (loading it, the config and the store took the new space to 16 MB),
 * so bin/qtool.js sets it for `qtool work` first thing. Only for processes qtool owns, never from
 * the library inside an application, and not when the user sized the young generation themselves.
 */
export function keepYoungGenerationSmall(
  nodeOptions = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`,
): boolean {
  if (USER_SEMI_SPACE_FLAG.test(nodeOptions)) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}

/** The subcommand a qtool command line runs (its first word that is not an option or an option's value). */
export function commandOf(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.includes(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}
