import { type JobEnvelope, plainEnvelope } from '../../../src/core/envelope.js';
import { newJobId } from '../../../src/core/ids.js';

/** A stored envelope with sensible defaults, for driver tests. */
export function makeEnvelope(overrides: Partial<JobEnvelope> = {}): JobEnvelope {
  return plainEnvelope({ id: newJobId(), name: 'TestJob', queue: 'default', data: { n: 1 }, ...overrides });
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
