import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DriverError } from '../drivers/errors.js';
import type { Driver } from '../drivers/types.js';
import type { LoadedConfig } from './config.js';
import type { QtoolConfig } from './define.js';
import { InputError } from './errors.js';
import { resolveSealSettings, Sealer } from './seal.js';
import { sealDriver } from './sealed-driver.js';

export const DEFAULT_CONNECTION = 'sqlite:.qtool/qtool.db';

export interface ConnectionTarget {
  /** The name it was chosen by ('default', a config name, or the URL itself). */
  name: string;
  url: string;
}

/**
 * Which store to use: `--connection` (a name from the config or a URL), else QTOOL_CONNECTION,
 * else the config's `connections.default`, else the embedded SQLite file `.qtool/qtool.db`.
 */
export function resolveConnection(loaded: LoadedConfig, requested?: string, env = process.env): ConnectionTarget {
  const connections = loaded.config.connections ?? {};
  const choice = requested ?? env.QTOOL_CONNECTION;
  if (choice) {
    const named = connections[choice];
    if (named) return { name: choice, url: named };
    if (choice === 'sync' || choice === 'memory' || choice === 'sqlite') return { name: choice, url: `${choice}:` };
    if (!/^[a-z]+:/i.test(choice)) {
      const known = Object.keys(connections);
      throw new InputError(`unknown connection "${choice}"${known.length ? ` (config has: ${known.join(', ')})` : ''}`);
    }
    return { name: choice, url: choice };
  }
  const fallback = connections.default;
  return fallback ? { name: 'default', url: fallback } : { name: 'default', url: DEFAULT_CONNECTION };
}

/** Mask the password of a connection URL for display. */
export function maskUrl(url: string): string {
  return url.replace(
    /^([a-z]+:\/\/)([^:@/]*):([^@/]*)@/i,
    (_m, scheme: string, user: string) => `${scheme}${user}:***@`,
  );
}

export interface OpenOptions {
  /** Long-running processes (workers) reconnect instead of failing fast. */
  reconnect?: boolean;
  baseDir: string;
  /** With a key (QTOOL_KEY or `security.key`), pushes are signed and reserves checked. */
  config?: QtoolConfig;
  env?: NodeJS.ProcessEnv;
  /** Fail instead of creating a SQLite file that is not there yet (shell completion only reads). */
  existingOnly?: boolean;
}

/** Open the store and, when a key is configured, sign and check the jobs that pass through it. */
export async function openDriver(target: ConnectionTarget, options: OpenOptions): Promise<Driver> {
  const settings = resolveSealSettings(options.config?.security, options.env);
  const driver = await openStore(target, options);
  if (!settings) return driver;
  const jobs = options.config?.jobs ?? {};
  return sealDriver(driver, new Sealer(settings), (name) => jobs[name]?.encrypted === true);
}

/** Open the driver for a connection URL; drivers are imported only when used. */
async function openStore(target: ConnectionTarget, options: OpenOptions): Promise<Driver> {
  const url = target.url;
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  switch (scheme) {
    case 'sqlite':
    case 'file': {
      const raw = url.slice(url.indexOf(':') + 1).replace(/^\/\//, '') || '.qtool/qtool.db';
      const path = isAbsolute(raw) ? raw : resolve(options.baseDir, raw);
      if (options.existingOnly && !existsSync(path)) throw new DriverError('CONNECTION', `no SQLite store at ${path}`);
      const { createSqliteDriver } = await import('../drivers/sqlite/index.js');
      return createSqliteDriver({ path });
    }
    case 'memory': {
      const { createMemoryDriver } = await import('../drivers/memory/index.js');
      return createMemoryDriver();
    }
    case 'sync': {
      const { createSyncDriver } = await import('../drivers/sync/index.js');
      return createSyncDriver();
    }
    case 'redis':
    case 'rediss': {
      const { createRedisDriver } = await import('../drivers/redis/index.js');
      return createRedisDriver({ ...parseRedisUrl(url), reconnect: options.reconnect });
    }
    default:
      throw new InputError(
        `unsupported connection "${maskUrl(url)}" (use sqlite:path, redis://host:port/db, memory: or sync:)`,
      );
  }
}

/** Make sure a directory exists with owner-only access (the SQLite store's folder). */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

/**
 * A Redis URL as qtool reads it: `?prefix=app:` chooses the key prefix (default `qtool:`), and
 * several hosts (`redis://h1:6379,h2:6379,h3:6379`) select Redis Cluster with those seed nodes.
 */
export function parseRedisUrl(url: string): { url: string; prefix?: string; nodes?: { host: string; port: number }[] } {
  const match = /^(rediss?):\/\/(?:([^@/]*)@)?([^/?]*)(\/[^?]*)?(?:\?(.*))?$/i.exec(url);
  if (!match) throw new InputError(`invalid Redis URL "${maskUrl(url)}" (use redis://[user:password@]host:port/db)`);
  const [, scheme, auth, hostList = '', path = '', query = ''] = match;
  const params = new URLSearchParams(query);
  const prefix = params.get('prefix') ?? undefined;
  params.delete('prefix');
  const rest = params.toString();
  const hosts = hostList.split(',').filter(Boolean);
  const single = `${scheme}://${auth ? `${auth}@` : ''}${hosts[0] ?? '127.0.0.1:6379'}${path}${rest ? `?${rest}` : ''}`;
  if (hosts.length <= 1) return { url: single, prefix };
  const nodes = hosts.map((host) => {
    const [name, port] = host.split(':');
    const number = Number(port ?? 6379);
    if (!name || !Number.isInteger(number) || number <= 0)
      throw new InputError(`invalid Redis node "${host}" in ${maskUrl(url)}`);
    return { host: name, port: number };
  });
  return { url: single, prefix, nodes };
}
