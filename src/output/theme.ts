import { Chalk, type ChalkInstance } from 'chalk';

/** Colour only on a TTY, never with NO_COLOR or --no-color. */
export function makeTheme(
  stream: NodeJS.WriteStream | { isTTY?: boolean },
  noColor = false,
  env = process.env,
): ChalkInstance {
  const enabled =
    !noColor && !('NO_COLOR' in env && env.NO_COLOR !== '') && Boolean(stream.isTTY) && env.TERM !== 'dumb';
  return new Chalk({ level: enabled ? (env.FORCE_COLOR === '3' ? 3 : 1) : 0 });
}
