import { createMemoryDriver } from '../memory/index.js';
import type { Driver } from '../types.js';

/**
 * Laravel's sync connection: jobs run inline at dispatch, in the dispatching process. The store
 * is an in-process memory store flagged `inline`, so core's dispatcher runs each job as it is
 * pushed (and its failures land in this store's failed list for the life of the process).
 */
export function createSyncDriver(): Driver {
  const memory = createMemoryDriver();
  return Object.assign(Object.create(memory) as Driver, {
    kind: 'sync',
    description: 'sync (jobs run inline at dispatch)',
    capabilities: { ...memory.capabilities, inline: true, crossProcess: false },
  });
}
