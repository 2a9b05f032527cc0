import { Redis, type RedisOptions } from 'ioredis';
import { DriverError } from '../errors.js';
import { SCRIPTS } from './scripts.generated.js';

export type ScriptName = keyof typeof SCRIPTS;
type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/** Number of KEYS each script takes (the rest of a call's arguments are ARGV). */
const KEY_COUNTS: Record<ScriptName, number> = {
  batchRecord: 3,
  beat: 1,
  clear: 6,
  complete: 7,
  counterHit: 1,
  delete: 7,
  extend: 2,
  fail: 12,
  lockAcquire: 1,
  lockRelease: 1,
  push: 9,
  release: 7,
  reserve: 7,
  retry: 11,
  uniqueRelease: 1,
};

export function maskRedisUrl(url: string): string {
  return url.replace(
    /^(rediss?:\/\/)([^:@/]*):([^@/]*)@/i,
    (_m, scheme: string, user: string) => `${scheme}${user}:***@`,
  );
}

export function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || '127.0.0.1'}:${parsed.port || '6379'}`;
  } catch {
    return '127.0.0.1:6379';
  }
}

export interface ConnectOptions {
  url: string;
  reconnect: boolean;
  connectTimeoutMs: number;
}

/**
 * One client with every script defined (EVALSHA, re-sent after NOSCRIPT by ioredis). One-shot
 * commands fail fast; a worker (`reconnect`) keeps its commands waiting and reconnects with backoff.
 */
export function connect(options: ConnectOptions): Redis {
  const settings: RedisOptions = {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs,
    maxRetriesPerRequest: options.reconnect ? null : 1,
    enableOfflineQueue: options.reconnect,
    retryStrategy: options.reconnect ? (times) => Math.min(100 * 2 ** times, 5000) : () => null,
  };
  const redis = new Redis(options.url, settings);
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    redis.defineCommand(name, { numberOfKeys: KEY_COUNTS[name as ScriptName], lua });
  }
  return redis;
}

export function script(redis: Redis, name: ScriptName): ScriptCall {
  return (redis as unknown as Record<ScriptName, ScriptCall>)[name].bind(redis);
}

/** Turn a client failure into one line naming the server, never the password. */
export function connectionError(error: unknown, url: string): DriverError {
  if (error instanceof DriverError) return error;
  const err = error as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
  const code = err.code ?? err.errors?.[0]?.code ?? (/closed/i.test(err.message ?? '') ? 'ECONNREFUSED' : undefined);
  return new DriverError(
    'CONNECTION',
    `cannot reach Redis at ${hostOf(url)} (${code ?? maskRedisUrl(err.message ?? String(error))})`,
    { cause: error },
  );
}

export function isConnectionError(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|Connection is closed|Stream isn't writeable|enableOfflineQueue/i.test(
    message,
  );
}
