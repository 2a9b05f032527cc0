import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisDriver } from '../../src/drivers/redis/index.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { dropRedisPrefix, REDIS_URL } from '../helpers/cli.js';
import { makeEnvelope } from './conformance/envelopes.js';

/**
 * Many failures in one millisecond (a batch failing at once) must page exactly too. The stores'
 * failure times are set equal behind the drivers' backs, which the conformance suite cannot do.
 */
describe.each(['sqlite', 'redis'] as const)('failedScan with equal failure times on %s', (kind) => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(): Promise<{ driver: Driver; sameTime(ids: string[]): Promise<void> }> {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'qtool-ties-'));
      const path = join(dir, 'q.db');
      const driver = createSqliteDriver({ path });
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      cleanups.push(() => driver.close());
      return {
        driver,
        async sameTime() {
          const db = new Database(path);
          db.prepare('UPDATE failed_jobs SET failed_at = 1000').run();
          db.close();
        },
      };
    }
    const prefix = `qtool-test:${randomBytes(4).toString('hex')}:`;
    const driver = createRedisDriver({ url: REDIS_URL, prefix });
    const redis = new Redis(REDIS_URL);
    cleanups.push(() => dropRedisPrefix(prefix));
    cleanups.push(() => redis.disconnect());
    cleanups.push(() => driver.close());
    return {
      driver,
      async sameTime(ids) {
        await redis.zadd(`${prefix}{q}:failed`, 'XX', ...ids.flatMap((id) => [1000, id]));
      },
    };
  }

  it('keeps id order within the millisecond and resumes after a removed cursor record', async () => {
    const { driver, sameTime } = await setup();
    const envelopes = Array.from({ length: 9 }, () => makeEnvelope({ queue: 'q' }));
    await driver.jobPush(envelopes);
    for (const job of await driver.jobReserve({ queues: ['q'], workerId: 'w', leaseMs: 30_000, limit: 9 }))
      await driver.jobFail({ id: job.envelope.id, token: job.token, error: { message: 'x' } });
    const ids = envelopes.map((e) => e.id).sort();
    await sameTime(ids);

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await driver.failedScan({ queue: 'q', after, limit: 2 });
      seen.push(...page.records.map((r) => r.id));
      await driver.failedRetry({ ids: page.records.map((r) => r.id) });
      after = page.next;
    } while (after !== null);
    expect(seen).toEqual(ids);
  });
});
