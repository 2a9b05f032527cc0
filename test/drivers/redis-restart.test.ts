import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lines, tempProject, waitFor } from '../helpers/cli.js';
import { E2E_CONFIG } from '../helpers/e2e-config.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A redis-server of the test's own, with AOF so that a restart keeps what was acknowledged. */
function startRedis(port: number, dir: string): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ],
    {
      stdio: 'ignore',
    },
  );
}

describe('a worker across a Redis restart', () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  // SIGTERM: an orderly restart. SIGKILL: Redis crashes; with appendfsync always, every write it
  // acknowledged is in the AOF, so nothing a worker or dispatcher was told is stored may be lost.
  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'Redis stopped with %s: the worker logs the outage once, reconnects, and finishes every job',
    async (signal) => {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), 'qtool-redis-'));
      let redis = startRedis(port, dataDir);
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      cleanups.push(() => {
        redis.kill('SIGKILL');
      });
      const project = tempProject(E2E_CONFIG);
      cleanups.push(() => project.cleanup());
      const env = { QTOOL_CONNECTION: `redis://127.0.0.1:${port}/0` };
      await waitFor(async () => (await project.run(['status'], { env })).code === 0, 10_000, 'redis to start');

      const input = Array.from({ length: 40 }, (_, i) =>
        JSON.stringify({ job: 'Slow', data: { ms: 50, n: i }, tries: 5 }),
      ).join('\n');
      const ids = lines((await project.run(['dispatch', '-', '--quiet'], { input, env })).stdout);
      expect(ids).toHaveLength(40);
      const worker = project.spawn(['work', '--sleep', '200ms', '--lease', '5s'], { env });
      cleanups.push(() => {
        worker.kill('SIGKILL');
      });
      const ledger = () =>
        existsSync(join(project.dir, 'ledger.txt')) ? lines(readFileSync(join(project.dir, 'ledger.txt'), 'utf8')) : [];
      await waitFor(() => ledger().length >= 5, 15_000, 'some jobs to finish');

      redis.kill(signal);
      await new Promise((r) => redis.once('exit', r));
      await waitFor(() => worker.output().stderr.includes('lost connection to Redis'), 10_000, 'the outage line');
      await new Promise((r) => setTimeout(r, 500));
      redis = startRedis(port, dataDir);
      await waitFor(() => worker.output().stderr.includes('reconnected to Redis'), 20_000, 'the reconnect line');
      await waitFor(() => new Set(ledger().map((l) => l.split(' ')[0])).size === 40, 30_000, 'all 40 jobs');

      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(worker.output().stderr.match(/lost connection to Redis/g)).toHaveLength(1);
      expect(new Set(ledger().map((l) => l.split(' ')[0]))).toEqual(new Set(ids));
      const stats = JSON.parse((await project.run(['status', '--json'], { env })).stdout).queues[0];
      expect(stats).toMatchObject({ pending: 0, reserved: 0, failed: 0 });
    },
    90_000,
  );
});
