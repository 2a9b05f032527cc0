/** Shared failure codes, so callers never parse a driver's message. */
export type DriverErrorCode =
  | 'CONNECTION' // the store cannot be reached
  | 'BUSY' // the store stayed locked past the busy timeout
  | 'INVALID' // the request is malformed (e.g. unknown queue state)
  | 'CLOSED' // the driver was closed
  | 'INTERNAL';

export class DriverError extends Error {
  readonly code: DriverErrorCode;
  constructor(code: DriverErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DriverError';
    this.code = code;
  }
}
