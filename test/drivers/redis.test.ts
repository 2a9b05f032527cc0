import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisDriver } from '../../src/drivers/redis/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { defineDriverConformance } from './conformance/index.js';

export const REDIS_URL = process.env.QTOOL_TEST_REDIS ?? 'redis://127.0.0.1:6379/0';

/** Delete every key under a test prefix (SCAN is fine here: test cleanup, never a hot path). */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

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
      await dropPrefix(prefix);
    },
  };
});
