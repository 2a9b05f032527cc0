import chalk from 'chalk';
import { render } from 'ink';
import type { Driver } from '../drivers/types.js';
import { App } from './app.js';

export interface TopOptions {
  driver: Driver;
  connection: string;
  intervalMs: number;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** NO_COLOR, --no-color or TERM=dumb: Ink colours through chalk, so chalk is switched off. */
  noColor: boolean;
}

const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?1049l';

/** Run the dashboard on the alternate screen until `q`, Ctrl-C or SIGTERM; the terminal is restored after. */
export async function runTop(options: TopOptions): Promise<void> {
  if (options.noColor) chalk.level = 0;
  const { stdout } = options;
  stdout.write(ENTER_ALTERNATE_SCREEN);
  try {
    // Ink's default renderer: it rewrites only when the frame changed (its incremental mode
    // garbled full-height frames in tmux at 80x24, so it stays off).
    const instance = render(
      <App driver={options.driver} connection={options.connection} intervalMs={options.intervalMs} />,
      { stdout, stdin: options.stdin, exitOnCtrlC: true, patchConsole: true, maxFps: 20 },
    );
    const stop = () => instance.unmount();
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop);
    try {
      await instance.waitUntilExit();
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGHUP', stop);
      instance.cleanup();
    }
  } finally {
    stdout.write(LEAVE_ALTERNATE_SCREEN);
  }
}
