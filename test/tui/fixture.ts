import { vi } from 'vitest';
import { dispatchJobs } from '../../src/core/dispatch.js';
import type { ChainSpec } from '../../src/core/envelope.js';
import { emptyRow, MINUTE_MS } from '../../src/core/metrics.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';
import type { Driver, WorkerInfo } from '../../src/drivers/types.js';
import { createFetcher, queryOf } from '../../src/tui/fetch.js';
import { type Action, initialState, reducer, type State } from '../../src/tui/state.js';
import type { Size } from '../../src/tui/types.js';

export const WORKER = 'web-1:4242:a1b2c3';
export const CONNECTION = 'sqlite:/srv/app/.qtool/qtool.db';

const CHAIN: ChainSpec = {
  id: '01JCHAIN0000000000000000AB',
  index: 0,
  total: 3,
  remaining: [
    { name: 'TranscribePodcast', data: {} },
    { name: 'NotifySubscribers', data: {} },
  ],
  queue: null,
  connection: null,
  catch: { name: 'ReportFailure', data: {} },
};

export interface Scene {
  driver: Driver;
  runningId: string;
  failedId: string;
}

/** A store with two queues (one paused), running, delayed and failed jobs, a worker alive and one lost, a lock, throttles and metrics. */
export async function scene(): Promise<Scene> {
  const driver = createMemoryDriver();
  const now = Date.now();
  await dispatchJobs(driver, [
    ...Array.from({ length: 12 }, (_, i) => ({
      name: 'ProcessPodcast',
      queue: 'podcasts',
      data: { podcastId: i + 1 },
      tries: 3,
      chain: i === 1 ? CHAIN : null,
    })),
    { name: 'SendEmail', queue: 'emails', data: { to: 'ada@example.com' }, delaySeconds: 600 },
    { name: 'SendEmail', queue: 'emails', data: { to: 'bob@example.com' } },
  ]);
  const reserve = async () =>
    (await driver.jobReserve({ queues: ['podcasts'], workerId: WORKER, leaseMs: 60_000 }))[0]!;
  const running = await reserve();
  const failing = await reserve();
  await driver.jobFail({
    id: failing.envelope.id,
    token: failing.token,
    error: {
      message: 'Error: feed timed out',
      stack: 'Error: feed timed out\n    at fetchFeed (jobs/podcast.ts:12:11)',
    },
    attempt: {
      attempt: 1,
      workerId: WORKER,
      startedAt: now - 30_000,
      endedAt: now,
      outcome: 'failed',
      error: 'Error: feed timed out',
    },
  });
  await driver.queuePause('emails');
  const worker: WorkerInfo = {
    id: WORKER,
    host: 'web-1',
    pid: 4242,
    queues: ['podcasts', 'emails'],
    startedAt: now - 3_600_000,
    concurrency: 1,
    current: [{ jobId: running.envelope.id, name: 'ProcessPodcast', queue: 'podcasts', startedAt: now - 4000 }],
    processed: 120,
    failed: 3,
    status: 'running',
  };
  // A worker whose last beat was a minute ago: lost.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now - 60_000);
  await driver.workerBeat({ ...worker, id: 'web-2:777:d4e5f6', host: 'web-2', pid: 777, current: [] });
  vi.useRealTimers();
  await driver.workerBeat(worker);
  await driver.lockAcquire({
    key: 'overlap:ProcessPodcast:1',
    owner: running.token,
    ttlMs: 120_000,
    jobId: running.envelope.id,
    workerId: WORKER,
  });
  for (let i = 0; i < 3; i++) {
    await driver.counterHit({ key: 'throttle:ChargeCard', decayMs: 600_000, meta: { kind: 'throttle', limit: 3 } });
  }
  await driver.counterHit({ key: 'rate:mailgun', decayMs: 60_000, meta: { kind: 'rate', limit: 100 } });
  const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  await driver.metricsAdd(
    Array.from({ length: 30 }, (_, i) => ({
      ...emptyRow(minute - i * MINUTE_MS, 'podcasts', 'ProcessPodcast'),
      processed: 10 + ((i * 7) % 13),
      failed: i % 10 === 0 ? 1 : 0,
      waitSumMs: 1500,
      waitCount: 1,
    })),
  );
  return { driver, runningId: running.envelope.id, failedId: failing.envelope.id };
}

export const SIZE_80: Size = { columns: 80, rows: 24 };

/** Apply actions, then load the data the resulting view asks for (as one refresh would). */
export async function stateAfter(driver: Driver, actions: Action[], size: Size = SIZE_80): Promise<State> {
  const fetcher = createFetcher(driver);
  let state = initialState(size);
  state = reducer(state, { type: 'data', snapshot: await fetcher.fetch(queryOf(state)) });
  state = reducer(state, { type: 'events', events: await driver.eventsRead({ afterId: null, limit: 1000 }) });
  for (const action of actions) {
    state = reducer(state, action);
    state = reducer(state, { type: 'data', snapshot: await fetcher.fetch(queryOf(state)) });
  }
  return state;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
export const plain = (text: string | undefined) => (text ?? '').replace(ANSI, '');

/** Wait until `check` passes (polling a condition; never a fixed sleep). */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
