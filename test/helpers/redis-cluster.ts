import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';

export interface TestCluster {
  nodes: { host: string; port: number }[];
  /** Delete every key under a prefix on every master (SCAN per node; test cleanup only). */
  dropPrefix(prefix: string): Promise<void>;
  stop(): Promise<void>;
}

/** Whether this machine can start a cluster of its own (redis-server and redis-cli on PATH). */
export const canStartCluster =
  spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A Redis Cluster for one test file: `QTOOL_TEST_REDIS_CLUSTER=host:port,host:port` names an
 * existing one; otherwise three masters of our own start in a temp dir (and stop at the end).
 */
export async function startTestCluster(): Promise<TestCluster> {
  const given = process.env.QTOOL_TEST_REDIS_CLUSTER;
  const servers: ChildProcess[] = [];
  let dir: string | null = null;
  let nodes: { host: string; port: number }[];
  if (given) {
    nodes = given.split(',').map((n) => {
      const [host, port] = n.split(':');
      return { host: host || '127.0.0.1', port: Number(port) };
    });
  } else {
    dir = mkdtempSync(join(tmpdir(), 'qtool-cluster-'));
    nodes = [];
    // Cluster ports need their bus port (port + 10000) free too: retry on a clash.
    while (nodes.length < 3) {
      const port = await freePort();
      if (port > 55_000) continue;
      nodes.push({ host: '127.0.0.1', port });
    }
    for (const { port } of nodes) {
      servers.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--dir',
            dir,
            '--save',
            '',
            '--appendonly',
            'no',
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    await waitUntil(() =>
      nodes.every(
        ({ port }) =>
          spawnSync('redis-cli', ['-p', String(port), 'ping'])
            .stdout?.toString()
            .trim() === 'PONG',
      ),
    );
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8' },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr || created.stdout}`);
    await waitUntil(() =>
      nodes.every(({ port }) =>
        spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'])
          .stdout?.toString()
          .includes('cluster_state:ok'),
      ),
    );
  }
  return {
    nodes,
    async dropPrefix(prefix) {
      const cluster = new Cluster(nodes);
      try {
        for (const node of cluster.nodes('master')) {
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
            cursor = next;
            for (const key of keys) await node.unlink(key);
          } while (cursor !== '0');
        }
      } finally {
        cluster.disconnect();
      }
    },
    async stop() {
      for (const server of servers) server.kill('SIGKILL');
      await Promise.all(servers.map((s) => (s.exitCode === null ? new Promise((r) => s.once('exit', r)) : null)));
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntil(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the test cluster did not come up in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
