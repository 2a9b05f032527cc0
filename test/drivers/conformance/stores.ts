import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Driver, StoredEvent } from '../../../src/drivers/types.js';
import { eventually, makeEnvelope, sleep } from './envelopes.js';
import type { StoreFactory, StoreUnderTest } from './harness.js';

/** Failed store, locks, counters, unique and idempotency keys, events, workers, meta, concurrency. */
export function storeCases(factory: StoreFactory): void {
  let store: StoreUnderTest;
  let driver: Driver;
  beforeEach(async () => {
    store = await factory();
    driver = await store.open();
  });
  afterEach(() => store.cleanup());

  async function failOne(queue = 'default', message = 'boom') {
    const e = makeEnvelope({ queue });
    await driver.jobPush([e]);
    const [job] = await driver.jobReserve({ queues: [queue], workerId: 'w', leaseMs: 30_000 });
    await driver.jobFail({ id: e.id, token: job!.token, error: { message, stack: `Error: ${message}\n    at x` } });
    return e.id;
  }

  it('keeps failed jobs with their id and error, newest first, and retries them reset', async () => {
    const a = await failOne('a', 'first');
    await sleep(5);
    const b = await failOne('b', 'second');
    expect((await driver.failedList({ limit: 10 })).map((f) => f.id)).toEqual([b, a]);
    expect((await driver.failedList({ queue: 'a', limit: 10 })).map((f) => f.id)).toEqual([a]);
    expect(await driver.failedGet(a)).toMatchObject({ id: a, queue: 'a', error: { message: 'first' } });
    expect(await driver.jobGet(a)).toMatchObject({ state: 'failed', error: { message: 'first' } });
    expect((await driver.queueStats()).find((q) => q.queue === 'a')).toMatchObject({ failed: 1, failedTotal: 1 });
    expect(await driver.failedRetry({ ids: [a, 'nope'] })).toEqual([a]);
    const [again] = await driver.jobReserve({ queues: ['a'], workerId: 'w', leaseMs: 1000 });
    expect(again?.envelope).toMatchObject({ id: a, attempts: 1, exceptions: 0 });
    expect(await driver.failedRetry({ queue: 'b', limit: 10 })).toEqual([b]);
    expect(await driver.failedList({ limit: 10 })).toEqual([]);
  });

  it('forgets, flushes and prunes failed jobs', async () => {
    const a = await failOne();
    await failOne();
    await failOne('other');
    expect(await driver.failedForget([a, 'nope'])).toEqual([a]);
    expect(await driver.failedFlush({ queue: 'other' })).toBe(1);
    expect(await driver.failedPrune({ before: Date.now() - 60_000 })).toBe(0);
    expect(await driver.failedPrune({ before: Date.now() + 1 })).toBe(1);
  });

  it('locks are exclusive, released only by their owner, and expire', async () => {
    expect(await driver.lockAcquire({ key: 'k', owner: 'a', ttlMs: null, jobId: 'J', workerId: 'W' })).toBe(true);
    expect(await driver.lockAcquire({ key: 'k', owner: 'b', ttlMs: null })).toBe(false);
    expect(await driver.lockRelease({ key: 'k', owner: 'b' })).toBe(false);
    expect(await driver.lockList()).toMatchObject([
      { key: 'k', owner: 'a', jobId: 'J', workerId: 'W', expiresAt: null },
    ]);
    expect(await driver.lockRelease({ key: 'k', owner: 'a' })).toBe(true);
    expect(await driver.lockAcquire({ key: 't', owner: 'a', ttlMs: 100 })).toBe(true);
    await sleep(150);
    expect(await driver.lockAcquire({ key: 't', owner: 'b', ttlMs: null })).toBe(true);
    expect(await driver.lockRelease({ key: 't', owner: 'a' })).toBe(false);
    expect(await driver.lockForceRelease(['t', 'missing'])).toEqual(['t']);
    expect(await driver.lockList()).toEqual([]);
  });

  it('counters count in a fixed window, refuse past a limit, decay and clear', async () => {
    const meta = { kind: 'rate' as const, limit: 2 };
    expect(await driver.counterHit({ key: 'r', decayMs: 200, limit: 2, meta })).toMatchObject({
      count: 1,
      allowed: true,
    });
    expect(await driver.counterHit({ key: 'r', decayMs: 200, limit: 2 })).toMatchObject({ count: 2, allowed: true });
    const refused = await driver.counterHit({ key: 'r', decayMs: 200, limit: 2 });
    expect(refused).toMatchObject({ count: 2, allowed: false, meta });
    expect(refused.expiresAt - refused.startedAt).toBe(200);
    expect((await driver.counterList()).map((c) => c.key)).toEqual(['r']);
    await sleep(250);
    expect(await driver.counterGet('r')).toBeNull();
    expect(await driver.counterHit({ key: 'r', decayMs: 10_000 })).toMatchObject({ count: 1 });
    expect(await driver.counterClear('r')).toBe(true);
    expect(await driver.counterClear('r')).toBe(false);
  });

  it('claims unique keys at push, skips duplicates, and frees them on completion and failure', async () => {
    const first = makeEnvelope({ unique: { key: 'u', ttl: null, untilProcessing: false } });
    const second = makeEnvelope({ unique: { key: 'u', ttl: null, untilProcessing: false } });
    expect(await driver.jobPush([first, second])).toEqual([
      { id: first.id, status: 'queued' },
      { id: second.id, status: 'duplicate', uniqueKey: 'u', heldBy: first.id },
    ]);
    expect(await driver.uniqueGet('u')).toMatchObject({ owner: first.id });
    const [job] = await driver.jobReserve({ queues: ['default'], workerId: 'w', leaseMs: 1000 });
    await driver.jobComplete({ id: first.id, token: job!.token });
    expect(await driver.uniqueGet('u')).toBeNull();
    const third = makeEnvelope({ unique: { key: 'u', ttl: 0.1, untilProcessing: false } });
    expect((await driver.jobPush([third]))[0]!.status).toBe('queued');
    expect(await driver.uniqueRelease({ key: 'u', owner: 'someone' })).toBe(false);
    await sleep(150);
    expect(
      (await driver.jobPush([makeEnvelope({ unique: { key: 'u', ttl: null, untilProcessing: false } })]))[0]!.status,
    ).toBe('queued');
  });

  it('returns the first id for a repeated idempotency key', async () => {
    const a = makeEnvelope({ idempotencyKey: 'k' });
    const b = makeEnvelope({ idempotencyKey: 'k' });
    await driver.jobPush([a]);
    expect(await driver.jobPush([b])).toEqual([
      { id: b.id, status: 'existing', idempotencyKey: 'k', existingId: a.id },
    ]);
    expect(await driver.jobGet(b.id)).toBeNull();
    expect(await driver.idempotencyGet({ key: 'k', queue: 'default' })).toBe(a.id);
    expect(await driver.idempotencyGet({ key: 'other', queue: 'default' })).toBeNull();
  });

  it('answers each job of a mixed push, across queues, in its own position', async () => {
    const held = makeEnvelope({ unique: { key: 'm', ttl: null, untilProcessing: false } });
    const seen = makeEnvelope({ queue: 'other', idempotencyKey: 'mk' });
    await driver.jobPush([held, seen]);
    const push = [
      makeEnvelope({ queue: 'other' }),
      makeEnvelope({ unique: { key: 'm', ttl: null, untilProcessing: false } }),
      makeEnvelope(),
      makeEnvelope({ queue: 'other', idempotencyKey: 'mk' }),
      makeEnvelope({ unique: { key: 'fresh', ttl: null, untilProcessing: false } }),
    ];
    expect(await driver.jobPush(push)).toEqual([
      { id: push[0]!.id, status: 'queued' },
      { id: push[1]!.id, status: 'duplicate', uniqueKey: 'm', heldBy: held.id },
      { id: push[2]!.id, status: 'queued' },
      { id: push[3]!.id, status: 'existing', idempotencyKey: 'mk', existingId: seen.id },
      { id: push[4]!.id, status: 'queued' },
    ]);
    const stored = await Promise.all(push.map(async (e) => (await driver.jobGet(e.id)) !== null));
    expect(stored).toEqual([true, false, true, false, true]);
  });

  it('writes the job.dispatched event of each job a push stores, when asked, in push order', async () => {
    const held = makeEnvelope({ unique: { key: 'd', ttl: null, untilProcessing: false } });
    await driver.jobPush([held]);
    const later = Date.now() + 60_000;
    const push = [
      makeEnvelope({ queue: 'other', name: 'Send "weekly" \\ digest ✉' }),
      makeEnvelope({ unique: { key: 'd', ttl: null, untilProcessing: false } }),
      makeEnvelope({ availableAt: later }),
    ];
    const results = await driver.jobPush(push, { dispatchedEvents: true });
    expect(results.map((r) => r.status)).toEqual(['queued', 'duplicate', 'queued']);
    const events = (await driver.eventsRead({ afterId: null, limit: 10 })).filter((e) => e.name === 'job.dispatched');
    expect(events).toMatchObject([
      { queue: 'other', jobId: push[0]!.id, jobName: 'Send "weekly" \\ digest ✉' },
      { queue: 'default', jobId: push[2]!.id, jobName: 'TestJob', details: { availableAt: later } },
    ]);
    // Due at once: when it became due (a server's own clock may run a little apart from this one).
    const dueAt = events[0]!.details?.availableAt as number;
    expect(Math.abs(dueAt - push[0]!.availableAt)).toBeLessThan(5000);
  });

  it("writes a one-job push's job.dispatched event whatever its queue's and name's characters", async () => {
    const later = Date.now() + 60_000;
    const now = makeEnvelope({ queue: 'q "quoted" \\ ✉', name: 'Send "weekly" \\ digest ✉' });
    const delayed = makeEnvelope({ availableAt: later });
    await driver.jobPush([now], { dispatchedEvents: true });
    await driver.jobPush([delayed], { dispatchedEvents: true });
    await driver.jobPush([makeEnvelope()]); // not asked: no event
    const events = (await driver.eventsRead({ afterId: null, limit: 10 })).filter((e) => e.name === 'job.dispatched');
    expect(events).toMatchObject([
      { queue: now.queue, jobId: now.id, jobName: now.name },
      { queue: 'default', jobId: delayed.id, jobName: 'TestJob', details: { availableAt: later } },
    ]);
    expect(events).toHaveLength(2);
    expect(Math.abs((events[0]!.details?.availableAt as number) - now.availableAt)).toBeLessThan(5000);
  });

  it("reads a bulk push's job.dispatched events one per job, in push order, resuming in any page size", async () => {
    await driver.eventsAppend([{ name: 'queue.paused', queue: 'default' }]);
    const later = Date.now() + 60_000;
    const push = Array.from({ length: 1200 }, (_, n) =>
      makeEnvelope({ queue: n % 3 === 0 ? 'other' : 'default', ...(n === 7 ? { availableAt: later } : {}) }),
    );
    await driver.jobPush(push.slice(0, 1000), { dispatchedEvents: true });
    await driver.jobPush(push.slice(1000), { dispatchedEvents: true });
    await driver.eventsAppend([{ name: 'queue.resumed', queue: 'default' }]);
    const expected = [
      'queue.paused',
      ...push.map((e) => `job.dispatched ${e.queue} ${e.id} ${e.name}`),
      'queue.resumed',
    ];
    const label = (e: StoredEvent) => (e.jobId ? `${e.name} ${e.queue} ${e.jobId} ${e.jobName}` : e.name);
    for (const limit of [1, 7, 1000, 5000]) {
      const seen: StoredEvent[] = [];
      let afterId: string | null = null;
      for (;;) {
        const page = await driver.eventsRead({ afterId, limit });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(limit);
        seen.push(...page);
        afterId = page[page.length - 1]!.id;
      }
      // Per queue: a Cluster stores each queue's share of a push as a step of its own.
      const byQueue = (list: string[], queue: string) =>
        list.filter((l) => !l.includes(' ') || l.includes(` ${queue} `));
      for (const queue of ['default', 'other'])
        expect(byQueue(seen.map(label), queue), `limit ${limit}`).toEqual(byQueue(expected, queue));
      expect(seen).toHaveLength(expected.length);
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    }
    const all = await driver.eventsRead({ afterId: null, limit: 5000 });
    expect(all.find((e) => e.jobId === push[7]!.id)).toMatchObject({ details: { availableAt: later } });
    const dueAt = all.find((e) => e.jobId === push[0]!.id)!.details?.availableAt as number;
    expect(Math.abs(dueAt - push[0]!.availableAt)).toBeLessThan(5000);
    // Blocking after the last event waits for the next one.
    const waiting = driver.eventsRead({ afterId: all[all.length - 1]!.id, limit: 10, blockMs: 5000 });
    await sleep(50);
    await driver.eventsAppend([{ name: 'worker.started' }]);
    expect((await waiting).map((x) => x.name)).toEqual(['worker.started']);
  });

  it('writes a job.processing event for each job a reserve takes, one or several at a time', async () => {
    const push = Array.from({ length: 6 }, (_, n) => makeEnvelope({ name: `Job "${n}"`, queue: 'work' }));
    await driver.jobPush(push);
    const reserve = (limit: number) =>
      driver.jobReserve({ queues: ['work'], workerId: 'w"1', leaseMs: 30_000, limit, emitEvents: true });
    const taken = [...(await reserve(1)), ...(await reserve(5))];
    expect(taken).toHaveLength(6);
    const events = (await driver.eventsRead({ afterId: null, limit: 100 })).filter((e) => e.name === 'job.processing');
    expect(events.map((e) => [e.queue, e.jobId, e.jobName, e.attempt, e.workerId])).toEqual(
      taken.map((job) => ['work', job.envelope.id, job.envelope.name, 1, 'w"1']),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(6);
  });

  it('writes the job.processed event of each job completed together, and none for a stale token', async () => {
    const push = Array.from({ length: 5 }, (_, n) => makeEnvelope({ name: `Job "${n}"`, queue: 'done' }));
    await driver.jobPush(push);
    const taken = await driver.jobReserve({ queues: ['done'], workerId: 'w', leaseMs: 30_000, limit: 5 });
    expect(taken).toHaveLength(5);
    const processed = (job: (typeof taken)[number], n: number) => ({
      name: 'job.processed',
      queue: 'done',
      jobId: job.envelope.id,
      jobName: job.envelope.name,
      attempt: 1,
      workerId: 'w',
      durationMs: n,
      ...(n === 2 ? { details: { note: 'a "quoted" detail' } } : {}),
    });
    // The same tick: a store may take these together. One token is stale: no event for that job.
    const done = await Promise.all(
      taken.map((job, n) =>
        driver.jobComplete({ id: job.envelope.id, token: n === 3 ? 'stale' : job.token, events: [processed(job, n)] }),
      ),
    );
    expect(done).toEqual([true, true, true, false, true]);
    const events = (await driver.eventsRead({ afterId: null, limit: 100 })).filter((e) => e.name === 'job.processed');
    expect(events.map((e) => [e.queue, e.jobId, e.jobName, e.attempt, e.workerId, e.durationMs, e.details])).toEqual(
      [0, 1, 2, 4].map((n) => [
        'done',
        taken[n]!.envelope.id,
        taken[n]!.envelope.name,
        1,
        'w',
        n,
        n === 2 ? { note: 'a "quoted" detail' } : undefined,
      ]),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
  });

  it('tells a reader where to start: after the newest event, or at the first since a time', async () => {
    expect(await driver.eventsStartAfter()).toBeNull();
    await driver.eventsAppend([{ name: 'queue.paused', queue: 'a' }]);
    await sleep(30);
    const since = await driver.now();
    await sleep(5);
    await driver.eventsAppend([{ name: 'queue.paused', queue: 'b' }]);
    await driver.jobPush([makeEnvelope(), makeEnvelope()], { dispatchedEvents: true });
    const names = async (afterId: string | null) =>
      (await driver.eventsRead({ afterId, limit: 100 })).map((e) => `${e.name} ${e.queue}`);
    expect(await names(await driver.eventsStartAfter(since))).toEqual([
      'queue.paused b',
      'job.dispatched default',
      'job.dispatched default',
    ]);
    expect(await names(await driver.eventsStartAfter(0))).toHaveLength(4);
    const live = await driver.eventsStartAfter();
    expect(await names(live)).toEqual([]);
    expect(await names(await driver.eventsStartAfter(since + 3_600_000))).toEqual([]);
    await driver.eventsAppend([{ name: 'queue.resumed', queue: 'c' }]);
    expect(await names(live)).toEqual(['queue.resumed c']);
  });

  it('stores events in order with the step that wrote them, and blocks for new ones', async () => {
    const e = makeEnvelope();
    await driver.jobPush([e], { events: [{ name: 'job.dispatched', jobId: e.id, queue: 'default' }] });
    const [job] = await driver.jobReserve({ queues: ['default'], workerId: 'w', leaseMs: 1000 });
    await driver.jobComplete({
      id: e.id,
      token: job!.token,
      events: [{ name: 'job.processed', jobId: e.id, durationMs: 3, details: { a: 1 } }],
    });
    await driver.eventsAppend([{ name: 'queue.paused', queue: 'default' }]);
    const events = await driver.eventsRead({ afterId: null, limit: 10 });
    expect(events.map((x) => x.name)).toEqual(['job.dispatched', 'job.processed', 'queue.paused']);
    expect(events[1]).toMatchObject({ jobId: e.id, durationMs: 3, details: { a: 1 } });
    expect(await driver.eventsRead({ afterId: events[0]!.id, limit: 1 })).toMatchObject([{ name: 'job.processed' }]);
    const other = await store.open();
    const waiting = driver.eventsRead({ afterId: events[2]!.id, limit: 10, blockMs: 5000 });
    await sleep(50);
    await other.eventsAppend([{ name: 'worker.started' }]);
    expect((await waiting).map((x) => x.name)).toEqual(['worker.started']);
  });

  it("writes a push's events of no job, and the events of the jobs it stored but not of those it refused", async () => {
    const holder = makeEnvelope({ unique: { key: 'held', ttl: null, untilProcessing: false } });
    await driver.jobPush([holder]);
    const stored = makeEnvelope();
    const refused = makeEnvelope({ unique: { key: 'held', ttl: null, untilProcessing: false } });
    const results = await driver.jobPush([stored, refused], {
      events: [
        { name: 'job.dispatched', jobId: stored.id, queue: 'default' },
        { name: 'job.dispatched', jobId: refused.id, queue: 'default' },
        { name: 'batch.created', details: { total: 2 } },
      ],
    });
    expect(results.map((r) => r.status)).toEqual(['queued', 'duplicate']);
    const events = await driver.eventsRead({ afterId: null, limit: 10 });
    expect(events.map((x) => [x.name, x.jobId ?? null])).toEqual([
      ['job.dispatched', stored.id],
      ['batch.created', null],
    ]);
    expect(events[1]).toMatchObject({ details: { total: 2 } });
    // A push that stores none of its jobs still writes the events of no job.
    await driver.jobPush([makeEnvelope({ unique: { key: 'held', ttl: null, untilProcessing: false } })], {
      events: [{ name: 'batch.created', details: { total: 1 } }],
    });
    const after = await driver.eventsRead({ afterId: events[1]!.id, limit: 10 });
    expect(after).toMatchObject([{ name: 'batch.created', details: { total: 1 } }]);
  });

  it('records batch outcomes atomically: pending, failed ids, first failure, cancel, list', async () => {
    const link = { name: 'Then', data: { tags: [] as string[] }, middleware: [] };
    const batch = {
      id: 'b1',
      name: 'nightly',
      total: 3,
      pending: 3,
      failed: 0,
      failedIds: [],
      allowFailures: false,
      createdAt: Date.now(),
      cancelledAt: null,
      onSuccess: link,
      onFailure: null,
      onFinish: null,
      queue: null,
    };
    await driver.batchCreate(batch);
    expect(await driver.batchRecord({ id: 'nope', jobId: 'x', outcome: 'succeeded' })).toBeNull();
    expect(await driver.batchRecord({ id: 'b1', jobId: 'j1', outcome: 'succeeded' })).toMatchObject({
      pending: 2,
      failed: 0,
      firstFailure: false,
    });
    expect(await driver.batchRecord({ id: 'b1', jobId: 'j2', outcome: 'failed' })).toMatchObject({
      pending: 2,
      failed: 1,
      failedIds: ['j2'],
      firstFailure: true,
    });
    expect(await driver.batchRecord({ id: 'b1', jobId: 'j2', outcome: 'failed' })).toMatchObject({
      failed: 1,
      firstFailure: false,
    });
    expect(await driver.batchRecord({ id: 'b1', jobId: 'j2', outcome: 'succeeded' })).toMatchObject({
      pending: 1,
      failed: 0,
      failedIds: [],
    });
    const got = await driver.batchGet('b1');
    expect(got).toMatchObject({ name: 'nightly', total: 3, onSuccess: link, cancelledAt: null });
    expect((await driver.batchCancel('b1'))?.cancelledAt).toBeGreaterThan(0);
    expect(await driver.batchCancel('nope')).toBeNull();
    await driver.batchCreate({ ...batch, id: 'b2', createdAt: batch.createdAt + 5 });
    expect((await driver.batchList({ limit: 10 })).map((b) => b.id)).toEqual(['b2', 'b1']);
    // Many concurrent outcomes on separate connections lose no update.
    const others = await Promise.all([store.open(), store.open(), store.open()]);
    await driver.batchCreate({ ...batch, id: 'b3', total: 60, pending: 60 });
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        [driver, ...others][i % 4]!.batchRecord({ id: 'b3', jobId: `j${i}`, outcome: 'succeeded' }),
      ),
    );
    expect((await driver.batchGet('b3'))?.pending).toBe(0);
  });

  it('keeps worker heartbeats and meta values', async () => {
    const info = {
      id: 'w1',
      host: 'h',
      pid: 1,
      queues: ['default'],
      startedAt: 1,
      concurrency: 1,
      current: [],
      processed: 3,
      failed: 0,
      status: 'running' as const,
    };
    await driver.workerBeat(info);
    expect(await driver.workerList({ sinceMs: 10_000 })).toMatchObject([{ id: 'w1', processed: 3 }]);
    await sleep(60);
    expect(await driver.workerList({ sinceMs: 10 })).toEqual([]);
    await driver.workerRemove('w1');
    expect(await driver.workerList()).toEqual([]);
    expect(await driver.metaGet('restart')).toBeNull();
    await driver.metaSet('restart', '42');
    expect(await driver.metaGet('restart')).toBe('42');
  });

  it('hands each of 200 jobs to exactly one of 4 racing connections, and one job to one of 8', async () => {
    const connections = [driver, ...(await Promise.all([store.open(), store.open(), store.open()]))];
    await driver.jobPush(Array.from({ length: 200 }, () => makeEnvelope()));
    const seen: string[] = [];
    await Promise.all(
      connections.map(async (c, i) => {
        for (;;) {
          const jobs = await c.jobReserve({ queues: ['default'], workerId: `w${i}`, leaseMs: 30_000, limit: 3 });
          if (jobs.length === 0) return;
          for (const job of jobs) {
            seen.push(job.envelope.id);
            await c.jobComplete({ id: job.envelope.id, token: job.token });
          }
        }
      }),
    );
    expect(seen).toHaveLength(200);
    expect(new Set(seen).size).toBe(200);

    await driver.jobPush([makeEnvelope()]);
    const racers = [...connections, ...(await Promise.all([store.open(), store.open(), store.open(), store.open()]))];
    const got = await Promise.all(
      racers.map((c, i) => c.jobReserve({ queues: ['default'], workerId: `r${i}`, leaseMs: 30_000 })),
    );
    expect(got.flat()).toHaveLength(1);
    await eventually(async () => (await driver.queueStats())[0]?.reserved === 1);
  });

  it('keeps every count exact while 4 connections push, reserve, complete, fail and release at once', async () => {
    const connections = [driver, ...(await Promise.all([store.open(), store.open(), store.open()]))];
    const later = () => Date.now() + 600_000;
    await Promise.all(
      connections.map(async (c, i) => {
        for (let round = 0; round < 20; round++) {
          await c.jobPush([makeEnvelope(), makeEnvelope({ availableAt: later() })]);
          // Each reserve follows this connection's own push of a due job, so it always gets one.
          const [job] = await c.jobReserve({ queues: ['default'], workerId: `w${i}`, leaseMs: 600_000 });
          const held = { id: job!.envelope.id, token: job!.token };
          if (round % 4 === 0) await c.jobComplete(held);
          if (round % 4 === 1) await c.jobFail({ ...held, error: { message: 'boom' } });
          if (round % 4 === 2) {
            await c.jobRelease({ ...held, delayMs: 600_000, kind: 'release', waitingOn: 'throttle:TestJob' });
          }
        }
      }),
    );
    // 80 due jobs all reserved: 20 completed, 20 failed, 20 released for later (waiting), 20 held.
    await eventually(async () => (await driver.queueStats())[0]?.processedTotal === 20);
    expect((await driver.queueStats())[0]).toMatchObject({
      pending: 0,
      delayed: 100,
      reserved: 20,
      failed: 20,
      waiting: 20,
      processedTotal: 20,
      failedTotal: 20,
    });
  });
}
