import type { Driver } from '../../../src/drivers/types.js';

/**
 * A store under test. `open()` returns a new connection to the same store (for memory, a
 * handle on the same in-process store), so cases can race several clients; `cleanup()` closes
 * every connection it opened and removes the store (temp file, key prefix).
 */
export interface StoreUnderTest {
  open(): Promise<Driver>;
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreUnderTest>;
