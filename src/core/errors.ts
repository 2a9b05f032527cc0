/**
 * Errors that reach the user as one line `qtool: <message>`. `exitCode` 2 is bad usage or bad
 * input, 1 a runtime failure. Only src/cli.ts turns them into a process exit.
 */
export class QtoolError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QtoolError';
    this.exitCode = exitCode;
  }
}

/** Bad flags, bad job files, bad config: exit 2. */
export class InputError extends QtoolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
    this.name = 'InputError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The first line of an error message, for tables and log lines. */
export function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
