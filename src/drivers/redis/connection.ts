import { createHash } from 'node:crypto';
import { Cluster, Command, Redis, type RedisOptions } from 'ioredis';
import { DriverError } from '../errors.js';
import { SCRIPTS } from './scripts.generated.js';

export type ScriptName = keyof typeof SCRIPTS;

/** A single server or a Cluster: both speak the same commands (pipelines differ, see base.ts). */
export type Client = Redis | Cluster;

export interface ClusterNodeAddress {
  host: string;
  port: number;
}

export function maskRedisUrl(url: string): string {
  return url.replace(
    /^(rediss?:\/\/)([^:@/]*):([^@/]*)@/i,
    (_m, scheme: string, user: string) => `${scheme}${user}:***@`,
  );
}

/** Where the store lives, for messages: `host:port`, or every Cluster startup node. */
export function hostOf(url: string, nodes?: ClusterNodeAddress[]): string {
  if (nodes?.length) return nodes.map((n) => `${n.host}:${n.port}`).join(',');
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || '127.0.0.1'}:${parsed.port || '6379'}`;
  } catch {
    return '127.0.0.1:6379';
  }
}

/** `redis://[user:***@]host:port/db`, or for a Cluster `redis://[user:***@]h1:p1,h2:p2`. */
export function describeRedis(url: string, nodes?: ClusterNodeAddress[]): string {
  if (!nodes?.length) return maskRedisUrl(url);
  const masked = maskRedisUrl(url);
  const auth = /^rediss?:\/\/([^@/]*@)/i.exec(masked)?.[1] ?? '';
  const scheme = /^rediss:/i.test(url) ? 'rediss' : 'redis';
  return `${scheme}://${auth}${hostOf(url, nodes)}`;
}

/**
 * By default a one-shot command (a CLI command, a dispatch from an app) that has no answer this
 * long is failed with one line rather than left waiting: every script call does bounded work, and
 * Redis itself answers BUSY after 5 s of a runaway script. Workers (`reconnect`) wait instead.
 */
export const ONE_SHOT_ANSWER_MS = 15_000;

export interface ConnectOptions {
  url: string;
  nodes?: ClusterNodeAddress[];
  reconnect: boolean;
  connectTimeoutMs: number;
  /** One-shot clients: how long a command may go unanswered (default ONE_SHOT_ANSWER_MS). */
  answerTimeoutMs?: number;
}

/**
 * One client; scripts go through callScript (EVALSHA, EVAL after NOSCRIPT). One-shot
 * commands fail fast; a worker (`reconnect`) keeps its commands waiting and reconnects with backoff.
 * With `nodes`, an ioredis Cluster whose nodes take the URL's credentials and TLS.
 */
export function connect(options: ConnectOptions): Client {
  const retry = (times: number) => (options.reconnect ? Math.min(100 * 2 ** times, 5000) : null);
  const settings: RedisOptions = {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs,
    maxRetriesPerRequest: options.reconnect ? null : 1,
    commandTimeout: options.reconnect ? undefined : (options.answerTimeoutMs ?? ONE_SHOT_ANSWER_MS),
  };
  let client: Client;
  if (options.nodes?.length) {
    client = new Cluster(options.nodes, {
      lazyConnect: true,
      enableOfflineQueue: options.reconnect,
      clusterRetryStrategy: retry,
      redisOptions: { ...settings, ...credentials(options.url) },
    });
  } else {
    client = new Redis(options.url, { ...settings, enableOfflineQueue: options.reconnect, retryStrategy: retry });
  }
  return client;
}

/** Username, password and TLS of a URL, for the nodes of a Cluster. */
function credentials(url: string): RedisOptions {
  try {
    const parsed = new URL(url);
    return {
      username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
      tls: parsed.protocol === 'rediss:' ? {} : undefined,
    };
  } catch {
    return {};
  }
}

const SHAS = new Map<ScriptName, string>();

/** A script's SHA1, for EVALSHA. */
function scriptSha(name: ScriptName): string {
  let sha = SHAS.get(name);
  if (!sha) {
    sha = createHash('sha1').update(SCRIPTS[name]).digest('hex');
    SHAS.set(name, sha);
  }
  return sha;
}

/**
 * Call a script by SHA with a plain EVALSHA, and with EVAL (which also caches it) when the server
 * does not know it (NOSCRIPT: restarted, or SCRIPT FLUSH). The EVALSHA is written before this
 * returns, so a call made right after another command on the same connection queues behind it
 * (see BlockingWaits.waitThenCall). ioredis's defined commands did the same through more layers:
 * 18.9 against 11.6 µs from a lone call to its socket write (end to end, within the noise).
 */
export async function callScript(
  redis: Client,
  name: ScriptName,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await redis.sendCommand(scriptCommand('evalsha', scriptSha(name), keys, args));
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return redis.sendCommand(scriptCommand('eval', SCRIPTS[name], keys, args));
  }
}

/**
 * The command with its arguments in one flat array made here. Given them, ioredis's Command copies
 * them with Array.prototype.flat, and the spread into `redis.evalsha(...)` copies them once more: a
 * bulk push of 1,000 jobs has 8,000 arguments, and those copies were a tenth of its client time.
 */
function scriptCommand(verb: 'evalsha' | 'eval', script: string, keys: string[], args: (string | number)[]): Command {
  const command = new Command(verb, [], { replyEncoding: 'utf8' });
  // Strings only: the path through sendCommand leaves arguments as they are given.
  const all: string[] = [script, String(keys.length)];
  for (const key of keys) all.push(key);
  for (const arg of args) all.push(typeof arg === 'string' ? arg : String(arg));
  command.args = all;
  return command;
}

/**
 * Turn a client failure into one line naming the server, never the password. `socketCode`: the
 * code of the client's last socket error, for a failure that only says the connection closed.
 */
export function connectionError(
  error: unknown,
  url: string,
  nodes?: ClusterNodeAddress[],
  socketCode?: string,
): DriverError {
  if (error instanceof DriverError) return error;
  const err = error as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[]; lastNodeError?: Error };
  const last = err.lastNodeError as (NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] }) | undefined;
  const code =
    err.code ??
    err.errors?.[0]?.code ??
    last?.code ??
    last?.errors?.[0]?.code ??
    (/closed|startup nodes|refresh slots/i.test(err.message ?? '')
      ? (socketCode ?? 'ECONNREFUSED')
      : /timed out/i.test(err.message ?? '')
        ? 'no answer'
        : undefined);
  return new DriverError(
    'CONNECTION',
    `cannot reach Redis at ${hostOf(url, nodes)} (${code ?? maskRedisUrl(err.message ?? String(error))})`,
    { cause: error },
  );
}

export function isConnectionError(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|Connection is closed|Stream isn't writeable|enableOfflineQueue|startup nodes|refresh slots|CLUSTERDOWN|Command timed out/i.test(
    message,
  );
}
