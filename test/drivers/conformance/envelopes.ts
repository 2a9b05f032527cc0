import type { JobEnvelope } from '../../../src/core/envelope.js';
import { newJobId } from '../../../src/core/ids.js';

/** A stored envelope with sensible defaults, for driver tests. */
export function makeEnvelope(overrides: Partial<JobEnvelope> = {}): JobEnvelope {
  const now = Date.now();
  return {
    id: newJobId(),
    name: 'TestJob',
    queue: 'default',
    connection: null,
    data: { n: 1 },
    attempts: 0,
    exceptions: 0,
    lockWaits: 0,
    maxTries: null,
    maxExceptions: null,
    backoff: null,
    timeout: null,
    failOnTimeout: false,
    retryUntil: null,
    middleware: [],
    unique: null,
    idempotencyKey: null,
    chain: null,
    tags: [],
    dispatchedAt: now,
    availableAt: now,
    ...overrides,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll until `check` holds (drivers on 2 cores: no exact sleeps). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(20);
  }
}
