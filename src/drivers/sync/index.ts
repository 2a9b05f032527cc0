import { createMemoryDriver } from '../memory/index.js';
import type { Driver, DriverCapabilities } from '../types.js';

/**
 * Laravel's sync connection: jobs run inline at dispatch, in the dispatching process. The store
 * is an in-process memory store flagged `inline`, so core's dispatcher runs each job as it is
 * pushed (and its failures land in this store's failed list for the life of the process).
 */
export function createSyncDriver(): Driver {
  const memory = createMemoryDriver();
  const capabilities: DriverCapabilities = { ...memory.capabilities, inline: true, crossProcess: false };
  const overrides: Partial<Driver> = { kind: 'sync', description: 'sync (jobs run inline at dispatch)', capabilities };
  return new Proxy(memory, {
    get(target, property, receiver) {
      if (property in overrides) return overrides[property as keyof Driver];
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
