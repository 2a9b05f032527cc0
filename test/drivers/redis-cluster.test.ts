import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDriver } from '../../src/drivers/redis/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { tempProject } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';
import { canStartCluster, startTestCluster, type TestCluster } from '../helpers/redis-cluster.js';
import { makeEnvelope } from './conformance/envelopes.js';
import { defineDriverConformance } from './conformance/index.js';

// The whole conformance suite on a Redis Cluster of three masters (started here unless
// QTOOL_TEST_REDIS_CLUSTER names one), so no script may touch two slots.
describe.skipIf(!canStartCluster && !process.env.QTOOL_TEST_REDIS_CLUSTER)('redis cluster', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());

  const open = (prefix: string) => createRedisDriver({ nodes: cluster.nodes, prefix });

  defineDriverConformance('redis-cluster', async () => {
    const prefix = `qtool-test:${randomBytes(4).toString('hex')}:`;
    const opened: Driver[] = [];
    return {
      async open() {
        const driver = open(prefix);
        opened.push(driver);
        return driver;
      },
      async cleanup() {
        await Promise.all(opened.map((d) => d.close()));
        await cluster.dropPrefix(prefix);
      },
    };
  });

  it('reports the cluster capability and describes every startup node', async () => {
    const driver = createRedisDriver({ nodes: cluster.nodes, url: 'redis://app:secret@ignored:1/0' });
    try {
      expect(driver.capabilities.cluster).toBe(true);
      expect(driver.description).toBe(`redis://app:***@${cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`);
    } finally {
      await driver.close();
    }
  });

  it('wakes a reserve blocked on queues in different slots within milliseconds of a push', async () => {
    const prefix = `qtool-test:${randomBytes(4).toString('hex')}:`;
    const [worker, producer] = [open(prefix), open(prefix)];
    try {
      await producer.jobPush([makeEnvelope({ queue: 'warmup' })]);
      const queues = ['alpha', 'beta', 'gamma'];
      const pending = worker.jobReserve({ queues, workerId: 'w', leaseMs: 10_000, blockMs: 5000 });
      await new Promise((r) => setTimeout(r, 200));
      const pushedAt = performance.now();
      const job = makeEnvelope({ queue: 'gamma' });
      await producer.jobPush([job]);
      const [taken] = await pending;
      expect(taken?.envelope.id).toBe(job.id);
      expect(performance.now() - pushedAt).toBeLessThan(100);
    } finally {
      await Promise.all([worker.close(), producer.close()]);
      await cluster.dropPrefix(prefix);
    }
  });

  it('pushes to several queues in one call (one script per queue)', async () => {
    const prefix = `qtool-test:${randomBytes(4).toString('hex')}:`;
    const driver = open(prefix);
    try {
      const jobs = ['a', 'b', 'c', 'a'].map((queue) => makeEnvelope({ queue }));
      expect((await driver.jobPush(jobs)).map((r) => r.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
      const stats = await driver.queueStats();
      expect(stats.map((s) => [s.queue, s.pending])).toEqual([
        ['a', 2],
        ['b', 1],
        ['c', 1],
      ]);
      expect((await driver.jobGet(jobs[2]!.id))?.state).toBe('pending');
    } finally {
      await driver.close();
      await cluster.dropPrefix(prefix);
    }
  });
  it('is selected from the CLI by a URL with several hosts: dispatch, work, status', async () => {
    const project = tempProject(E2E_CONFIG);
    const prefix = `qtool-cli:${randomBytes(4).toString('hex')}:`;
    const hosts = cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',');
    const env = { QTOOL_CONNECTION: `redis://${hosts}/0?prefix=${encodeURIComponent(prefix)}` };
    try {
      const input = Array.from({ length: 20 }, (_, i) =>
        JSON.stringify({ job: 'Record', queue: `q${i % 4}`, data: { tag: `n${i}` } }),
      ).join('\n');
      expect((await project.run(['dispatch', '-', '--quiet'], { input, env })).code).toBe(0);
      const work = await project.run(['work', '--queue', 'q0,q1,q2,q3', '--stop-when-empty', '--sleep', '100ms'], {
        env,
        timeoutMs: 60_000,
      });
      expect(work.code).toBe(0);
      const status = JSON.parse((await project.run(['status', '--json'], { env })).stdout);
      expect(status.queues.map((q: { processedTotal: number }) => q.processedTotal)).toEqual([5, 5, 5, 5]);
    } finally {
      await project.cleanup();
      await cluster.dropPrefix(prefix);
    }
  }, 90_000);
});
