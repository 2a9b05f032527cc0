import { randomBytes } from 'node:crypto';
import { createRedisDriver } from '../../src/drivers/redis/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { dropRedisPrefix, REDIS_URL } from '../helpers/cli.js';
import { defineDriverConformance } from './conformance/index.js';

// Each store gets its own key prefix on the shared server; open() is a new connection.
defineDriverConformance('redis', async () => {
  const prefix = `qtool-test:${randomBytes(4).toString('hex')}:`;
  const opened: Driver[] = [];
  return {
    async open() {
      const driver = createRedisDriver({ url: REDIS_URL, prefix });
      opened.push(driver);
      return driver;
    },
    async cleanup() {
      await Promise.all(opened.map((d) => d.close()));
      await dropRedisPrefix(prefix);
    },
  };
});
