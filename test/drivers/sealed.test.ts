import { Sealer } from '../../src/core/seal.js';
import { sealDriver } from '../../src/core/sealed-driver.js';
import { createMemoryStore } from '../../src/drivers/memory/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { defineDriverConformance } from './conformance/index.js';

// Signing and encryption sit in front of a driver: every contract case must pass through them
// unchanged (all jobs encrypted, the hardest case for equality of what goes in and comes out).
defineDriverConformance('memory behind signing and encryption', async () => {
  const shared = createMemoryStore();
  const sealer = new Sealer({ key: 'conformance-key-0123456789abcdefghijklmnop', encryptAll: true });
  const opened: Driver[] = [];
  return {
    async open() {
      const driver = sealDriver(shared.connect(), sealer, () => true);
      opened.push(driver);
      return driver;
    },
    async cleanup() {
      await Promise.all(opened.map((d) => d.close()));
    },
  };
});
