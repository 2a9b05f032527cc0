import { createMemoryStore } from '../../src/drivers/memory/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { defineDriverConformance } from './conformance/index.js';

defineDriverConformance('memory', async () => {
  const shared = createMemoryStore();
  const opened: Driver[] = [];
  return {
    async open() {
      const driver = shared.connect();
      opened.push(driver);
      return driver;
    },
    async cleanup() {
      await Promise.all(opened.map((d) => d.close()));
    },
  };
});
