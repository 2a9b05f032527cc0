import type { Readable, Writable } from 'node:stream';
import type { ChalkInstance } from 'chalk';
import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../core/config.js';
import { type ConnectionTarget, maskUrl, openDriver, resolveConnection } from '../core/connection.js';
import type { Driver } from '../drivers/types.js';
import { makeTheme } from '../output/theme.js';

/** Everything a command touches outside itself, so tests can run commands in-process. */
export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Globals {
  connection?: string;
  config?: string;
  json: boolean;
  color: boolean;
}

export function globalsOf(command: Command): Globals {
  const options = command.optsWithGlobals() as {
    connection?: string;
    config?: string;
    json?: boolean;
    color?: boolean;
  };
  return {
    connection: options.connection,
    config: options.config,
    json: Boolean(options.json),
    color: options.color !== false,
  };
}

/** A command's view of the store: config, connection and driver, closed when the command ends. */
export class Session {
  private constructor(
    readonly io: Io,
    readonly globals: Globals,
    readonly loaded: LoadedConfig,
    readonly target: ConnectionTarget,
    readonly driver: Driver,
  ) {}

  static async open(
    io: Io,
    globals: Globals,
    options: { reconnect?: boolean; existingOnly?: boolean } = {},
  ): Promise<Session> {
    const loaded = await loadConfig(io.cwd, globals.config ?? io.env.QTOOL_CONFIG);
    const target = resolveConnection(loaded, globals.connection, io.env);
    // Relative SQLite paths given on the command line or in the environment are relative to where
    // the user stands; those in a config file to the config's folder.
    const fromConfig = !globals.connection && !io.env.QTOOL_CONNECTION && loaded.path !== null;
    const driver = await openDriver(target, {
      reconnect: options.reconnect,
      existingOnly: options.existingOnly,
      baseDir: fromConfig ? loaded.baseDir : io.cwd,
      config: loaded.config,
      env: io.env,
    });
    return new Session(io, globals, loaded, target, driver);
  }

  get theme(): ChalkInstance {
    return makeTheme(this.io.stdout, !this.globals.color, this.io.env);
  }

  get connectionLabel(): string {
    return maskUrl(this.driver.description);
  }

  print(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** One line each (ids for --quiet); nothing at all for an empty list. */
  printLines(lines: string[]): void {
    for (const line of lines) this.print(line);
  }

  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}

/** Open a session, run `body`, and always close the store. */
export async function withSession<T>(
  io: Io,
  command: Command,
  body: (session: Session) => Promise<T>,
  options?: { reconnect?: boolean; existingOnly?: boolean },
): Promise<T> {
  const session = await Session.open(io, globalsOf(command), options);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}
