import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispatchJobs } from '../../src/core/dispatch.js';
import type { DispatchInput } from '../../src/core/envelope-builder.js';
import { newJobId } from '../../src/core/ids.js';
import { DriverError } from '../../src/drivers/errors.js';
import { connectionError } from '../../src/drivers/redis/connection.js';
import { createRedisDriver } from '../../src/drivers/redis/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { dropRedisPrefix, REDIS_URL } from '../helpers/cli.js';
import { makeEnvelope, sleep } from './conformance/envelopes.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function serverTime(redis: Redis): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

describe('redis driver specifics', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  /** A store under a prefix of its own; every driver opened on it closes at the end. */
  function store(url = REDIS_URL) {
    const prefix = `qtool-test:${randomBytes(4).toString('hex')}:`;
    const drivers: Driver[] = [];
    cleanups.push(async () => {
      await Promise.all(drivers.map((d) => d.close()));
      if (url === REDIS_URL) await dropRedisPrefix(prefix);
    });
    return {
      prefix,
      open(options: { reconnect?: boolean } = {}) {
        const driver = createRedisDriver({ url, prefix, ...options });
        drivers.push(driver);
        return driver;
      },
    };
  }
  function plain(url = REDIS_URL): Redis {
    const redis = new Redis(url);
    cleanups.push(() => redis.disconnect());
    return redis;
  }

  /** A server that accepts connections and never says a word; returns its port. */
  async function silentServer(): Promise<number> {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((r) => silent.close(r));
    });
    return (silent.address() as { port: number }).port;
  }

  /** A redis-server of this test's own (for commands that would disturb the shared one). */
  async function ownRedisServer() {
    const port = await freePort();
    const server: ChildProcess = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    cleanups.push(() => {
      server.kill('SIGKILL');
    });
    const url = `redis://127.0.0.1:${port}/0`;
    const admin = plain(url);
    admin.on('error', () => {}); // until the server is up
    for (let i = 0; (await admin.ping().catch(() => null)) !== 'PONG'; i++) {
      if (i > 100) throw new Error('redis-server did not start');
      await sleep(50);
    }
    return { port, url, admin };
  }

  it('keeps every key of a queue inside its hash tag, and the rest in a short fixed list', async () => {
    const s = store();
    const driver = s.open();
    const unique = makeEnvelope({ queue: 'podcasts', unique: { key: 'u', ttl: 60, untilProcessing: false } });
    await driver.jobPush([unique, makeEnvelope({ queue: 'podcasts', idempotencyKey: 'i' })], {
      events: [{ name: 'job.dispatched', jobId: unique.id }],
    });
    await driver.jobPush([makeEnvelope({ queue: 'mail', availableAt: Date.now() + 60_000 })]);
    const [a, b] = await driver.jobReserve({ queues: ['podcasts'], workerId: 'w', leaseMs: 5000, limit: 2 });
    await driver.jobRelease({ id: a!.envelope.id, token: a!.token, delayMs: 0, kind: 'lockWait', waitingOn: 'x' });
    await driver.jobFail({ id: b!.envelope.id, token: b!.token, error: { message: 'no' } });
    await driver.queuePause('mail');
    await driver.lockAcquire({ key: 'overlap:x', owner: 'o', ttlMs: 5000 });
    await driver.counterHit({ key: 'throttle:x', decayMs: 5000 });
    await driver.workerBeat({
      id: 'w',
      host: 'h',
      pid: 1,
      queues: ['podcasts'],
      startedAt: Date.now(),
      concurrency: 1,
      current: [],
      processed: 0,
      failed: 0,
      status: 'running',
    });
    await driver.metaSet('restart', '1');
    await driver.metricsAdd([
      {
        minute: Math.floor(Date.now() / 60_000) * 60_000,
        queue: 'podcasts',
        job: 'TestJob',
        processed: 1,
        failed: 0,
        released: 0,
        runtimeSumMs: 1,
        waitSumMs: 1,
        waitCount: 1,
        histogram: [1],
      },
    ]);
    const keys: string[] = [];
    let cursor = '0';
    const redis = plain();
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${s.prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found.map((k) => k.slice(s.prefix.length)));
    } while (cursor !== '0');
    const perQueue = keys.filter((k) => k.startsWith('{podcasts}:') || k.startsWith('{mail}:'));
    expect(perQueue.length).toBeGreaterThan(8);
    const others = keys.filter((k) => !perQueue.includes(k));
    for (const key of others)
      expect(key).toMatch(
        /^(queues|events|workers|meta|\{locks\}(:expiry)?|\{counters\}(:expiry)?|\{batches\}.*|\{metrics\}:\d+)$/,
      );
    expect(keys.some((k) => k.includes('podcasts') && !k.startsWith('{podcasts}:'))).toBe(false);
  });

  it('gives up a blocking wait whose connection never answers, so a waiting reserve still returns', async () => {
    const port = await silentServer(); // a stalled link, as the blocker sees it
    const driver = store().open();
    await driver.jobPush([makeEnvelope({ queue: 'other' })]); // connected, scripts loaded
    (driver as unknown as { waits: { duplicate: () => Redis } }).waits.duplicate = () => {
      const stalled = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null, lazyConnect: false });
      stalled.on('error', () => {});
      return stalled;
    };
    const started = Date.now();
    const taken = await driver.jobReserve({ queues: ['q'], workerId: 'w', leaseMs: 1000, blockMs: 100 });
    expect(taken).toEqual([]);
    // Its own 100 ms, a grace of two seconds for the answer, then ioredis takes up to two more to
    // fail the command of a connection it is told to drop while still connecting.
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('keeps the events stream near its cap: each step trims it once, after its last event', async () => {
    const { prefix } = store();
    const driver = createRedisDriver({ url: REDIS_URL, prefix, eventsMaxLen: 150 });
    cleanups.push(() => driver.close());
    const redis = new Redis(REDIS_URL);
    cleanups.push(() => redis.quit());
    const length = () => redis.xlen(`${prefix}events`);
    // Approximate trimming drops whole stream nodes (100 entries each): allow one node over.
    const bound = 150 + 100;
    await dispatchJobs(
      driver,
      Array.from({ length: 1200 }, (_, n) => ({ name: 'Noop', queue: 'trim', data: { n } })),
      { batchSize: 400 },
    );
    expect(await length()).toBeLessThanOrEqual(bound);
    const taken = await driver.jobReserve({
      queues: ['trim'],
      workerId: 'w',
      leaseMs: 30_000,
      limit: 600,
      emitEvents: true,
    });
    expect(taken).toHaveLength(600);
    expect(await length()).toBeLessThanOrEqual(bound);
    const acks = taken.map((job) =>
      driver.jobComplete({
        id: job.envelope.id,
        token: job.token,
        events: [{ name: 'job.completed', queue: 'trim', jobId: job.envelope.id, jobName: 'Noop', attempt: 1 }],
      }),
    );
    expect(await Promise.all(acks)).toEqual(taken.map(() => true));
    expect(await length()).toBeLessThanOrEqual(bound);
    expect(await length()).toBeGreaterThanOrEqual(150);
    // The newest events are the ones kept: the last is the last completion.
    const last = (await driver.eventsRead({ afterId: null, limit: 1000 })).at(-1);
    expect(last).toMatchObject({ name: 'job.completed', jobId: taken.at(-1)!.envelope.id });
  });

  it("writes a bulk push's (and a reserve's) per-job events as one stream entry, and one job's as its own", async () => {
    const { prefix, open } = store();
    const driver = open();
    const redis = plain();
    const name = 'Send "weekly" \\ digest ✉';
    const bulk = Array.from({ length: 1000 }, (_, n) => makeEnvelope({ name, queue: n % 2 ? 'a' : 'b' }));
    await driver.jobPush(bulk, { dispatchedEvents: true });
    expect(await redis.xlen(`${prefix}events`)).toBe(1);
    const one = makeEnvelope();
    await driver.jobPush([one], { dispatchedEvents: true });
    const entries = await redis.xrange(`${prefix}events`, '-', '+');
    expect(entries).toHaveLength(2);
    expect(JSON.parse(entries[1]![1][1]!)).toMatchObject({ name: 'job.dispatched', jobId: one.id });
    // A push that carries events of its own keeps one event per job, in its order.
    const given = [makeEnvelope(), makeEnvelope()];
    await driver.jobPush(given, {
      dispatchedEvents: true,
      events: [{ name: 'job.retried', queue: 'default', jobId: given[1]!.id }],
    });
    const read = await driver.eventsRead({ afterId: null, limit: 2000 });
    expect(read.slice(0, 1000).map((e) => [e.jobId, e.queue, e.jobName])).toEqual(
      bulk.map((e) => [e.id, e.queue, name]),
    );
    expect(read.slice(1000).map((e) => `${e.name} ${e.jobId}`)).toEqual([
      `job.dispatched ${one.id}`,
      `job.dispatched ${given[0]!.id}`,
      `job.retried ${given[1]!.id}`,
      `job.dispatched ${given[1]!.id}`,
    ]);
    // A reserve of several jobs: their processing events share one entry too.
    const before = await redis.xlen(`${prefix}events`);
    const taken = await driver.jobReserve({
      queues: ['a'],
      workerId: 'w',
      leaseMs: 30_000,
      limit: 10,
      emitEvents: true,
    });
    expect(taken).toHaveLength(10);
    expect(await redis.xlen(`${prefix}events`)).toBe(before + 1);
    // Their completions, acknowledged together with plain job.processed events: one entry too.
    await Promise.all(
      taken.map((job) =>
        driver.jobComplete({
          id: job.envelope.id,
          token: job.token,
          events: [
            { name: 'job.processed', queue: 'a', jobId: job.envelope.id, jobName: name, workerId: 'w', durationMs: 1 },
          ],
        }),
      ),
    );
    expect(await redis.xlen(`${prefix}events`)).toBe(before + 2);
    const processed = (await driver.eventsRead({ afterId: null, limit: 3000 })).filter(
      (e) => e.name === 'job.processed',
    );
    expect(processed.map((e) => e.jobId)).toEqual(taken.map((job) => job.envelope.id));
  });

  it("gives each job of a bulk push's shared event the due time it was stored with, and leaves refused jobs out", async () => {
    const { prefix, open } = store();
    const driver = open();
    const redis = plain();
    const later = Date.now() + 60_000;
    // Plain jobs: the client writes the shared event, the script fills in the server's now.
    const plainJobs = Array.from({ length: 6 }, (_, n) =>
      makeEnvelope({ queue: 'due', name: `Job\u0000${n}`, ...(n % 3 === 1 ? { availableAt: later } : {}) }),
    );
    await driver.jobPush(plainJobs, { dispatchedEvents: true });
    // A unique job among them: the script puts the event together, without the job it refused.
    const holder = makeEnvelope({ queue: 'due', unique: { key: 'u1', ttl: null, untilProcessing: false } });
    await driver.jobPush([holder]);
    const mixed = [
      makeEnvelope({ queue: 'due' }),
      makeEnvelope({ queue: 'due', unique: { key: 'u1', ttl: null, untilProcessing: false } }),
    ];
    const results = await driver.jobPush(mixed, { dispatchedEvents: true });
    expect(results.map((r) => r.status)).toEqual(['queued', 'duplicate']);
    const events = (await driver.eventsRead({ afterId: null, limit: 100 })).filter((e) => e.name === 'job.dispatched');
    expect(events.map((e) => [e.jobId, e.jobName])).toEqual([...plainJobs, mixed[0]!].map((e) => [e.id, e.name]));
    for (const e of events) {
      const score = Number(await redis.zscore(`${prefix}{due}:ready`, e.jobId!));
      expect(e.details?.availableAt, e.jobName!).toBe(score);
    }
    expect(events[1]!.details?.availableAt).toBe(later);
  });

  it('writes the processing event of a job whose name needs escaping as valid JSON', async () => {
    const s = store();
    const driver = s.open();
    const name = 'Say "hi" \\ é';
    await driver.jobPush([makeEnvelope({ queue: 'esc', name })]);
    const [job] = await driver.jobReserve({ queues: ['esc'], workerId: 'w"1', leaseMs: 30_000, emitEvents: true });
    expect(job?.envelope.name).toBe(name);
    const events = await driver.eventsRead({ afterId: null, limit: 10 });
    expect(events.find((e) => e.name === 'job.processing')).toMatchObject({
      jobId: job!.envelope.id,
      jobName: name,
      workerId: 'w"1',
      queue: 'esc',
      attempt: 1,
    });
  });

  it('times an event by its stream id, and still reads the time field of entries written before', async () => {
    const s = store();
    const driver = s.open();
    const redis = plain();
    await redis.xadd(
      `${s.prefix}events`,
      '1700000000000-0',
      'e',
      JSON.stringify({ name: 'queue.paused' }),
      't',
      '1699999999999',
    );
    await driver.jobPush([makeEnvelope({ queue: 'timed' })], { dispatchedEvents: true });
    const [old, fresh] = await driver.eventsRead({ afterId: null, limit: 10 });
    expect(old).toMatchObject({ id: '1700000000000-0', name: 'queue.paused', time: 1_699_999_999_999 });
    expect(fresh).toMatchObject({ name: 'job.dispatched', time: Number(fresh!.id.split('-')[0]) });
    expect(Math.abs(fresh!.time - (await driver.now()))).toBeLessThan(5000);
    const [, fields] = (await redis.xrange(`${s.prefix}events`, fresh!.id, fresh!.id))[0]!;
    expect(fields[0]).toBe('e');
    expect(fields).toHaveLength(2);
  });

  it('prunes lapsed counters, locks and idempotency keys as new ones are written', async () => {
    const s = store();
    const driver = s.open();
    await driver.counterHit({ key: 'old', decayMs: 30 });
    await driver.lockAcquire({ key: 'old', owner: 'o', ttlMs: 30 });
    await driver.lockAcquire({ key: 'forever', owner: 'o', ttlMs: null });
    await driver.jobPush([makeEnvelope({ idempotencyKey: 'old' })], { idempotencyTtlMs: 30 });
    await sleep(60);
    await driver.counterHit({ key: 'new', decayMs: 10_000 });
    await driver.lockAcquire({ key: 'new', owner: 'o', ttlMs: 10_000 });
    await driver.jobPush([makeEnvelope({ idempotencyKey: 'new' })]);
    const redis = plain();
    expect(await redis.hkeys(`${s.prefix}{counters}`)).toEqual(['new']);
    expect((await redis.hkeys(`${s.prefix}{locks}`)).sort()).toEqual(['forever', 'new']);
    expect(await redis.hkeys(`${s.prefix}{default}:idem`)).toEqual(['new']);
  });

  it('wakes a blocked reserve within a few milliseconds of a push from another connection', async () => {
    const s = store();
    const [worker, producer] = [s.open(), s.open()];
    await producer.jobPush([makeEnvelope({ queue: 'warm' })]); // connections and scripts loaded
    await worker.jobReserve({ queues: ['warm'], workerId: 'w', leaseMs: 1000 });
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const pending = worker.jobReserve({ queues: ['high', 'low'], workerId: 'w', leaseMs: 1000, blockMs: 5000 });
      await sleep(30);
      const pushedAt = performance.now();
      await producer.jobPush([makeEnvelope({ queue: 'low' })]);
      const [job] = await pending;
      latencies.push(performance.now() - pushedAt);
      await worker.jobComplete({ id: job!.envelope.id, token: job!.token });
    }
    latencies.sort((x, y) => x - y);
    expect(latencies[2]).toBeLessThan(20);
  });

  it('returns from a blocked reserve at once when its signal aborts', async () => {
    const driver = store().open();
    await driver.queueStats();
    const controller = new AbortController();
    const started = performance.now();
    const pending = driver.jobReserve({
      queues: ['none'],
      workerId: 'w',
      leaseMs: 1000,
      blockMs: 10_000,
      signal: controller.signal,
    });
    await sleep(50);
    controller.abort();
    expect(await pending).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reserves a job pushed to an idle worker in the round trip that wakes it', async () => {
    const s = store();
    const [worker, producer] = [s.open(), s.open()];
    await producer.jobPush([makeEnvelope({ queue: 'warm' })]);
    await worker.jobReserve({ queues: ['warm'], workerId: 'w', leaseMs: 1000 });
    const calls: string[] = [];
    const driver = worker as unknown as { call: (name: string, ...rest: unknown[]) => Promise<unknown> };
    const call = driver.call.bind(worker);
    driver.call = (name, ...rest) => {
      calls.push(name);
      return call(name, ...rest);
    };
    const pending = worker.jobReserve({ queues: ['idle'], workerId: 'w', leaseMs: 1000, blockMs: 5000 });
    await sleep(30);
    const pushed = makeEnvelope({ queue: 'idle' });
    await producer.jobPush([pushed]);
    const [job] = await pending;
    expect(job?.envelope.id).toBe(pushed.id);
    // The first look found nothing; the reserve that took the job went out behind the wait.
    expect(calls).toEqual(['reserve']);
    expect(await worker.jobComplete({ id: pushed.id, token: job!.token })).toBe(true);
  });

  it("sends a worker's acknowledgements and the reserve its freed slots ask for next in one write", async () => {
    const s = store();
    const worker = s.open();
    await worker.jobPush([makeEnvelope({ queue: 'one-write' }), makeEnvelope({ queue: 'one-write' })]);
    const [first] = await worker.jobReserve({ queues: ['one-write'], workerId: 'w', leaseMs: 5000 });
    const socket = (worker as unknown as { redis: Redis }).redis.stream;
    const writes = { single: 0, gathered: 0 };
    const single = socket._write.bind(socket);
    const gathered = socket._writev!.bind(socket);
    socket._write = (...args) => {
      writes.single += 1;
      return single(...args);
    };
    socket._writev = (...args) => {
      writes.gathered += 1;
      return gathered(...args);
    };
    // As a worker's slot does: the outcome is recorded on a tick, the next reserve on the immediate.
    const completed = worker.jobComplete({ id: first!.envelope.id, token: first!.token });
    const next = new Promise<Awaited<ReturnType<Driver['jobReserve']>>>((resolve) =>
      setImmediate(() => resolve(worker.jobReserve({ queues: ['one-write'], workerId: 'w', leaseMs: 5000 }))),
    );
    expect(await completed).toBe(true);
    expect(await next).toHaveLength(1);
    expect(writes).toEqual({ single: 0, gathered: 1 });
  });

  it('never strands a job when a waiting reserve is aborted as the job arrives', async () => {
    const s = store();
    const [worker, producer] = [s.open(), s.open()];
    await producer.jobPush([makeEnvelope({ queue: 'warm' })]);
    await worker.jobReserve({ queues: ['warm'], workerId: 'w', leaseMs: 60_000 });
    for (let i = 0; i < 25; i++) {
      const controller = new AbortController();
      const pending = worker.jobReserve({
        queues: ['race'],
        workerId: 'w',
        leaseMs: 60_000,
        blockMs: 5000,
        signal: controller.signal,
      });
      await sleep(10 + (i % 5));
      const pushed = makeEnvelope({ queue: 'race' });
      const push = producer.jobPush([pushed]);
      if (i % 2 === 0) await push;
      controller.abort();
      await push;
      const taken = await pending;
      // Either the aborted reserve brought the job back, or the job is still there to take.
      if (taken.length === 0) {
        const [again] = await producer.jobReserve({ queues: ['race'], workerId: 'x', leaseMs: 1000 });
        expect(again?.envelope.id).toBe(pushed.id);
        await producer.jobComplete({ id: pushed.id, token: again!.token });
      } else {
        expect(taken.map((t) => t.envelope.id)).toEqual([pushed.id]);
        await worker.jobComplete({ id: pushed.id, token: taken[0]!.token });
      }
    }
  });

  it('marks a job dispatched by a just-opened client ready at once, on the server clock', async () => {
    const s = store();
    const redis = plain();
    for (let i = 0; i < 5; i++) {
      const fresh = s.open();
      const pushed = makeEnvelope({ queue: 'fresh' });
      // A dispatch builds its envelope from the store clock before the connection is up.
      const now = await fresh.now();
      pushed.dispatchedAt = now;
      pushed.availableAt = now;
      await fresh.jobPush([pushed]);
      const score = Number(await redis.zscore(`${s.prefix}{fresh}:ready`, pushed.id));
      expect(score).toBeLessThanOrEqual(await serverTime(redis));
      expect(Math.abs(now - (await serverTime(redis)))).toBeLessThan(1000);
      await sleep(50); // the stats compare with this client's estimate of the server clock (± half a round trip)
      const stats = (await fresh.queueStats()).find((q) => q.queue === 'fresh');
      expect(stats).toMatchObject({ pending: i + 1, delayed: 0 });
    }
  });

  it('runs on the server clock: a worker an hour ahead neither steals a lease nor sees the wrong time', async () => {
    const s = store();
    const honest = s.open();
    await honest.jobPush([makeEnvelope()]);
    const [job] = await honest.jobReserve({ queues: ['default'], workerId: 'a', leaseMs: 30_000 });
    expect(job).toBeDefined();
    const real = Date.now;
    vi.spyOn(Date, 'now').mockImplementation(() => real() + 3_600_000);
    const skewed = s.open();
    expect(await skewed.jobReserve({ queues: ['default'], workerId: 'b', leaseMs: 30_000 })).toEqual([]);
    expect(Math.abs((await skewed.now()) - (await serverTime(plain())))).toBeLessThan(1000);
    const record = await skewed.jobGet(job!.envelope.id);
    expect(record?.leaseUntil).toBe(job!.leaseUntil);
  });

  it('fails fast with one line naming the server, never the password', async () => {
    const port = await freePort();
    const driver = createRedisDriver({ url: `redis://app:s3cret@127.0.0.1:${port}/0` });
    cleanups.push(() => driver.close());
    expect(driver.description).toBe(`redis://app:***@127.0.0.1:${port}/0`);
    const started = performance.now();
    const error = await driver.queueStats().catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).code).toBe('CONNECTION');
    expect((error as DriverError).message).toBe(`cannot reach Redis at 127.0.0.1:${port} (ECONNREFUSED)`);
    const cluster = createRedisDriver({ nodes: [{ host: '127.0.0.1', port }], url: 'redis://:s3cret@x' });
    cleanups.push(() => cluster.close());
    const clusterError = (await cluster.now().catch((e: unknown) => e)) as DriverError;
    expect(clusterError).toBeInstanceOf(DriverError);
    expect(clusterError.message).toBe(`cannot reach Redis at 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(cluster.description).not.toContain('s3cret');
  });

  it('names the socket error behind a connection that only reports it closed (a connect timeout)', () => {
    const closed = new Error('Connection is closed.');
    expect(connectionError(closed, 'redis://:pw@10.0.0.9:6379/0', undefined, 'ETIMEDOUT').message).toBe(
      'cannot reach Redis at 10.0.0.9:6379 (ETIMEDOUT)',
    );
    expect(connectionError(closed, 'redis://10.0.0.9:6379/0').message).toBe(
      'cannot reach Redis at 10.0.0.9:6379 (ECONNREFUSED)',
    );
  });

  it('fails a one-shot command in one line when the server never answers, instead of waiting forever', async () => {
    const port = await silentServer(); // connected, but the handshake is never answered
    const driver = createRedisDriver({ url: `redis://127.0.0.1:${port}/0`, answerTimeoutMs: 300 });
    cleanups.push(() => driver.close());
    const started = performance.now();
    const error = (await driver.queueStats().catch((e: unknown) => e)) as DriverError;
    expect(performance.now() - started).toBeLessThan(3000);
    expect(error).toBeInstanceOf(DriverError);
    expect(error.message).toBe(`cannot reach Redis at 127.0.0.1:${port} (no answer)`);

    // Connected and answering, then a command that gets no answer (the server paused).
    const server = await ownRedisServer();
    const paused = createRedisDriver({ url: server.url, answerTimeoutMs: 300 });
    cleanups.push(() => paused.close());
    await paused.now();
    await server.admin.client('PAUSE', 1000, 'ALL');
    const late = (await paused.jobPush([makeEnvelope()]).catch((e: unknown) => e)) as DriverError;
    expect(late).toBeInstanceOf(DriverError);
    expect(late.message).toBe(`cannot reach Redis at 127.0.0.1:${server.port} (no answer)`);
  });

  it('pushes to several queues all or none on a single server', async () => {
    const driver = store().open();
    const existing = makeEnvelope({ queue: 'b' });
    await driver.jobPush([existing]);
    const fresh = makeEnvelope({ queue: 'a' });
    await expect(driver.jobPush([fresh, { ...existing }])).rejects.toBeInstanceOf(DriverError);
    expect(await driver.jobGet(fresh.id)).toBeNull();
    expect((await driver.queueStats()).map((q) => q.queue)).toEqual(['b']);
  });

  it('keeps the batches of a dispatch in flight, yet stores only the batches before a refused one', async () => {
    const { prefix, open } = store();
    const driver = open();
    expect(driver.capabilities.pipelinedPush).toBe(true);
    const taken = newJobId();
    await dispatchJobs(driver, [{ id: taken, name: 'Taken', queue: 'q' }]);
    const inputs: DispatchInput[] = Array.from({ length: 5000 }, (_, n) => ({ name: 'Bulk', queue: 'q', data: { n } }));
    inputs[2500] = { ...inputs[2500]!, id: taken };
    const pushes: number[] = [];
    const push = driver.jobPush.bind(driver);
    vi.spyOn(driver, 'jobPush').mockImplementation((envelopes, options) => {
      pushes.push(envelopes.length);
      return push(envelopes, options);
    });
    const progress: number[] = [];
    const error = await dispatchJobs(driver, inputs, {
      batchSize: 1000,
      onProgress: (done) => progress.push(done),
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`job id ${taken} already exists`);
    expect(pushes.length).toBeGreaterThanOrEqual(3); // batches after the refused one were sent, and refused
    expect(progress).toEqual([1000, 2000]);
    expect((await driver.queueStats()).find((q) => q.queue === 'q')?.pending).toBe(2001);
    const fences = await plain().keys(`${prefix}fence:*`);
    expect(fences).toHaveLength(1);
    expect(await plain().pttl(fences[0]!)).toBeGreaterThan(0);
  });

  it('reloads its scripts after the server forgets them (SCRIPT FLUSH on a server of its own)', async () => {
    const { url, admin } = await ownRedisServer();
    const driver = store(url).open();
    await driver.jobPush([makeEnvelope()]);
    await admin.script('FLUSH');
    await driver.jobPush([makeEnvelope()]);
    expect(await driver.jobReserve({ queues: ['default'], workerId: 'w', leaseMs: 1000, limit: 5 })).toHaveLength(2);
    // Forgotten while a reserve waits: the reserve queued behind the wait fails, the usual one runs.
    const waiting = driver.jobReserve({ queues: ['idle'], workerId: 'w', leaseMs: 1000, blockMs: 5000 });
    await sleep(50);
    await admin.script('FLUSH');
    const pushed = makeEnvelope({ queue: 'idle' });
    await driver.jobPush([pushed]);
    expect((await waiting).map((t) => t.envelope.id)).toEqual([pushed.id]);
  });
});
