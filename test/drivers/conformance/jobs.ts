import { afterEach, beforeEach, expect, it } from 'vitest';
import { DriverError } from '../../../src/drivers/errors.js';
import type { Driver, ReservedJob } from '../../../src/drivers/types.js';
import { eventually, makeEnvelope, sleep } from './envelopes.js';
import type { StoreFactory, StoreUnderTest } from './harness.js';

/** push, reserve, complete/release/fail, leases, delayed jobs. */
export function jobCases(factory: StoreFactory): void {
  let store: StoreUnderTest;
  let driver: Driver;
  beforeEach(async () => {
    store = await factory();
    driver = await store.open();
  });
  afterEach(() => store.cleanup());
  const reserve = (queues = ['default'], extra: { limit?: number; leaseMs?: number } = {}) =>
    driver.jobReserve({ queues, workerId: 'w1', leaseMs: extra.leaseMs ?? 30_000, limit: extra.limit });

  it('pushes all or none: a duplicate id in one push stores neither', async () => {
    const a = makeEnvelope();
    await expect(driver.jobPush([a, { ...a }])).rejects.toBeInstanceOf(DriverError);
    expect(await driver.jobGet(a.id)).toBeNull();
    expect(await driver.jobPush([makeEnvelope(), makeEnvelope()])).toHaveLength(2);
  });

  it('refuses a push that reuses a stored id, naming it, and stores none of that push', async () => {
    const stored = makeEnvelope();
    await driver.jobPush([stored]);
    const before = Array.from({ length: 70 }, () => makeEnvelope());
    const after = makeEnvelope();
    const error = await driver.jobPush([...before, { ...stored }, after]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as Error).message).toContain(stored.id);
    for (const e of [...before, after]) expect(await driver.jobGet(e.id)).toBeNull();
    expect((await driver.queueStats()).find((s) => s.queue === 'default')?.pending).toBe(1);
  });

  it('refuses a one-job push that reuses an id, live or failed, and leaves the stored job as it was', async () => {
    const live = makeEnvelope({ data: { v: 'first' } });
    const failed = makeEnvelope();
    await driver.jobPush([live, failed]);
    const [job] = await reserve();
    const other = job!.envelope.id === live.id ? failed : live;
    // Fail whichever was reserved; the other stays live. Both ids are then taken.
    await driver.jobFail({ id: job!.envelope.id, token: job!.token, error: { message: 'x' } });
    for (const taken of [live, failed]) {
      const error = await driver.jobPush([{ ...taken, data: { v: 'second' } }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DriverError);
      expect((error as Error).message).toContain(taken.id);
    }
    expect((await driver.jobGet(other.id))?.envelope.data).toEqual(other.data);
    expect((await driver.queueStats()).find((s) => s.queue === 'default')).toMatchObject({ pending: 1, failed: 1 });
  });

  it("refuses a bulk push that reuses a failed job's id, among many failed ids and ids of any characters", async () => {
    const failedIds = [
      ...Array.from({ length: 70 }, (_, n) => `job-${100 + n}`),
      '\u{1F600}-a', // a character outside the BMP (a surrogate pair in JavaScript)
      '\uFF5E-b', // one in the BMP above the surrogates: the two sort differently in UTF-8
    ];
    await driver.jobPush(failedIds.map((id) => makeEnvelope({ id, queue: 'reused' })));
    for (;;) {
      const taken = await driver.jobReserve({ queues: ['reused'], workerId: 'w1', leaseMs: 30_000, limit: 50 });
      if (taken.length === 0) break;
      for (const job of taken) await driver.jobFail({ id: job.envelope.id, token: job.token, error: { message: 'x' } });
    }
    const pushes = [
      ['job-099', 'job-150', 'job-2'], // more failed ids between the lowest and highest than one read takes
      ['job-1600', 'job-169', 'job-1700'], // a few
      ['\uFF5E-c', '\u{1F600}-a'],
    ];
    for (const ids of pushes) {
      const taken = ids.find((id) => failedIds.includes(id))!;
      const error = await driver.jobPush(ids.map((id) => makeEnvelope({ id, queue: 'reused' }))).catch((e) => e);
      expect(error, ids.join(' ')).toBeInstanceOf(DriverError);
      expect((error as Error).message).toContain(taken);
    }
    const fresh = ['job-099', 'job-2'].map((id) => makeEnvelope({ id, queue: 'reused' }));
    expect(await driver.jobPush(fresh)).toHaveLength(2);
    expect((await driver.queueStats()).find((s) => s.queue === 'reused')).toMatchObject({ pending: 2, failed: 72 });
  });

  it('takes a fence on a push; with pipelinedPush, pushes sent after a refused one of its fence are refused', async () => {
    const stored = makeEnvelope();
    await driver.jobPush([stored], { fence: 'first' });
    expect(await driver.jobGet(stored.id)).not.toBeNull();
    // Drivers without pipelinedPush are given one push at a time and ignore the fence.
    if (!driver.capabilities.pipelinedPush) return;
    const later = makeEnvelope();
    const [refused, fenced] = await Promise.allSettled([
      driver.jobPush([{ ...stored }], { fence: 'second' }),
      driver.jobPush([later], { fence: 'second' }),
    ]);
    expect(refused.status === 'rejected' && (refused.reason as Error).message).toContain(stored.id);
    expect(fenced.status === 'rejected' && fenced.reason).toBeInstanceOf(DriverError);
    expect(await driver.jobGet(later.id)).toBeNull();
    // Another dispatch's fence is untouched.
    await driver.jobPush([later], { fence: 'third' });
    expect(await driver.jobGet(later.id)).not.toBeNull();
  });

  it('hands jobs out FIFO, honours limit, and takes queues in strict priority order', async () => {
    const [a, b, c] = [makeEnvelope({ queue: 'low' }), makeEnvelope({ queue: 'low' }), makeEnvelope({ queue: 'high' })];
    await driver.jobPush([a, b]);
    await driver.jobPush([c]);
    const first = await reserve(['high', 'low']);
    expect(first.map((j) => j.envelope.id)).toEqual([c.id]);
    const rest = await reserve(['high', 'low'], { limit: 5 });
    expect(rest.map((j) => j.envelope.id)).toEqual([a.id, b.id]);
    expect(rest[0]!.envelope.attempts).toBe(1);
    expect(await reserve(['high', 'low'])).toEqual([]);
  });

  it('skips paused queues until resumed', async () => {
    await driver.jobPush([makeEnvelope()]);
    await driver.queuePause('default');
    expect(await reserve()).toEqual([]);
    expect((await driver.queueStats())[0]).toMatchObject({ queue: 'default', paused: true, pending: 1 });
    await driver.queueResume('default');
    expect(await reserve()).toHaveLength(1);
  });

  it('acknowledges only with the current token (compare-and-swap)', async () => {
    await driver.jobPush([makeEnvelope()]);
    const [job] = await reserve();
    const stale = { id: job!.envelope.id, token: 'not-the-token' };
    expect(await driver.jobComplete(stale)).toBe(false);
    expect(await driver.jobRelease({ ...stale, delayMs: 0, kind: 'release' })).toBe(false);
    expect(await driver.jobFail({ ...stale, error: { message: 'x' } })).toBe(false);
    expect(await driver.jobExtendLease({ ...stale, leaseMs: 1000 })).toBe(false);
    expect((await driver.jobGet(job!.envelope.id))?.state).toBe('reserved');
    expect(await driver.jobComplete({ id: job!.envelope.id, token: job!.token })).toBe(true);
    expect(await driver.jobGet(job!.envelope.id)).toBeNull();
    expect((await driver.queueStats())[0]).toMatchObject({ processedTotal: 1, pending: 0, reserved: 0 });
  });

  it('hands a job out again when its lease expires, attempts counted; the old token is dead', async () => {
    await driver.jobPush([makeEnvelope()]);
    const [first] = await reserve(['default'], { leaseMs: 100 });
    await sleep(150);
    const [second] = await reserve();
    expect(second?.envelope.id).toBe(first!.envelope.id);
    expect(second?.envelope.attempts).toBe(2);
    expect(await driver.jobComplete({ id: first!.envelope.id, token: first!.token })).toBe(false);
    expect(await driver.jobComplete({ id: second!.envelope.id, token: second!.token })).toBe(true);
  });

  it('keeps a job whose lease is extended', async () => {
    await driver.jobPush([makeEnvelope()]);
    const [job] = await reserve(['default'], { leaseMs: 150 });
    for (let i = 0; i < 4; i++) {
      await sleep(60);
      expect(await driver.jobExtendLease({ id: job!.envelope.id, token: job!.token, leaseMs: 150 })).toBe(true);
    }
    expect(await reserve()).toEqual([]);
  });

  it('keeps delayed jobs out of reach until due', async () => {
    const e = makeEnvelope({ availableAt: Date.now() + 300 });
    await driver.jobPush([e]);
    expect(await reserve()).toEqual([]);
    expect((await driver.jobGet(e.id))?.state).toBe('delayed');
    expect((await driver.jobList({ queue: 'default', state: 'delayed', limit: 10 })).map((r) => r.envelope.id)).toEqual(
      [e.id],
    );
    await eventually(async () => (await reserve()).length === 1);
  });

  it('releases with a delay and counts exceptions and lock waits', async () => {
    const e = makeEnvelope();
    await driver.jobPush([e]);
    let [job] = await reserve();
    const attempt = {
      attempt: 1,
      workerId: 'w1',
      startedAt: 1,
      endedAt: 2,
      outcome: 'exception' as const,
      error: 'boom',
    };
    expect(await driver.jobRelease({ id: e.id, token: job!.token, delayMs: 0, kind: 'exception', attempt })).toBe(true);
    [job] = await reserve();
    expect(job!.envelope).toMatchObject({ attempts: 2, exceptions: 1, lockWaits: 0 });
    await driver.jobRelease({ id: e.id, token: job!.token, delayMs: 0, kind: 'lockWait' });
    [job] = await reserve();
    expect(job!.envelope).toMatchObject({ attempts: 2, exceptions: 1, lockWaits: 1 });
    await driver.jobRelease({ id: e.id, token: job!.token, delayMs: 60_000, kind: 'release' });
    const record = await driver.jobGet(e.id);
    expect(record?.state).toBe('delayed');
    expect(record?.history.map((h) => h.error)).toEqual(['boom']);
  });

  it('counts jobs waiting on a lock, throttle or rate limit until they are reserved again', async () => {
    const e = makeEnvelope();
    await driver.jobPush([e]);
    let [job] = await reserve();
    await driver.jobRelease({
      id: e.id,
      token: job!.token,
      delayMs: 0,
      kind: 'lockWait',
      waitingOn: 'overlap:TestJob:k',
    });
    expect((await driver.queueStats())[0]).toMatchObject({ pending: 1, waiting: 1 });
    expect((await driver.jobGet(e.id))?.waitingOn).toBe('overlap:TestJob:k');
    [job] = await reserve();
    expect((await driver.jobGet(e.id))?.waitingOn ?? null).toBeNull();
    expect((await driver.queueStats())[0]).toMatchObject({ reserved: 1, waiting: 0 });
    await driver.jobRelease({
      id: e.id,
      token: job!.token,
      delayMs: 60_000,
      kind: 'release',
      waitingOn: 'throttle:TestJob',
    });
    expect((await driver.queueStats())[0]).toMatchObject({ delayed: 1, waiting: 1 });
    expect(await driver.jobDelete(e.id)).toBe(true);
    expect((await driver.queueStats())[0]).toMatchObject({ delayed: 0, waiting: 0 });
  });

  it('answers acknowledgements issued together each with its own result, events and counts', async () => {
    const [a, b, c] = [
      makeEnvelope({ unique: { key: 'together', ttl: null, untilProcessing: false } }),
      makeEnvelope(),
      makeEnvelope(),
    ];
    await driver.jobPush([a, b, c]);
    const jobs = await reserve(['default'], { limit: 3 });
    expect(jobs.map((j) => j.envelope.id)).toEqual([a.id, b.id, c.id]);
    const [ja, jb, jc] = jobs as [ReservedJob, ReservedJob, ReservedJob];
    const processed = (job: ReservedJob) => [
      { name: 'job.processed', queue: 'default', jobId: job.envelope.id, jobName: job.envelope.name },
    ];
    const results = await Promise.all([
      driver.jobComplete({ id: ja.envelope.id, token: ja.token, events: processed(ja) }),
      driver.jobComplete({ id: jb.envelope.id, token: 'not-the-token', events: processed(jb) }),
      driver.jobComplete({ id: ja.envelope.id, token: ja.token, events: processed(ja) }),
      driver.jobComplete({ id: jc.envelope.id, token: jc.token, events: processed(jc) }),
      driver.jobComplete({ id: 'no-such-job', token: 'x' }),
    ]);
    expect(results).toEqual([true, false, false, true, false]);
    expect(await driver.jobGet(a.id)).toBeNull();
    expect((await driver.jobGet(b.id))?.state).toBe('reserved');
    expect(await driver.uniqueGet('together')).toBeNull();
    expect((await driver.queueStats())[0]).toMatchObject({ processedTotal: 2, reserved: 1 });
    const events = await driver.eventsRead({ afterId: null, limit: 100 });
    expect(events.filter((e) => e.name === 'job.processed').map((e) => e.jobId)).toEqual([a.id, c.id]);
    expect(await driver.jobComplete({ id: b.id, token: jb.token })).toBe(true);
  });

  it('shares jobs out among reserves asked for together: FIFO, each job once, every token valid', async () => {
    const list = Array.from({ length: 5 }, () => makeEnvelope());
    await driver.jobPush(list);
    const [first, second, third, fourth] = await Promise.all([
      reserve(['default'], { limit: 2 }),
      reserve(['default'], { limit: 1 }),
      reserve(['default'], { limit: 3 }),
      reserve(['default'], { limit: 1 }),
    ]);
    const ids = (jobs: ReservedJob[]) => jobs.map((j) => j.envelope.id);
    expect([ids(first), ids(second), ids(third), ids(fourth)]).toEqual([
      [list[0]!.id, list[1]!.id],
      [list[2]!.id],
      [list[3]!.id, list[4]!.id],
      [],
    ]);
    for (const job of [...first, ...second, ...third]) {
      expect(job.envelope.attempts).toBe(1);
      expect(await driver.jobComplete({ id: job.envelope.id, token: job.token })).toBe(true);
    }
    expect((await driver.queueStats())[0]).toMatchObject({ processedTotal: 5, pending: 0, reserved: 0 });
  });

  it('wakes a waiting reserve that got nothing of a shared reserve when a delayed job comes due', async () => {
    await driver.jobPush([makeEnvelope(), makeEnvelope({ availableAt: Date.now() + 300 })]);
    const started = Date.now();
    const [first, second] = await Promise.all([
      driver.jobReserve({ queues: ['default'], workerId: 'w1', leaseMs: 30_000, blockMs: 10_000 }),
      driver.jobReserve({ queues: ['default'], workerId: 'w1', leaseMs: 30_000, blockMs: 10_000 }),
    ]);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('blocks a reserve until a push from another connection, and returns [] at its timeout', async () => {
    const other = await store.open();
    const started = Date.now();
    expect(await driver.jobReserve({ queues: ['default'], workerId: 'w', leaseMs: 1000, blockMs: 200 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const waiting = driver.jobReserve({ queues: ['default'], workerId: 'w', leaseMs: 1000, blockMs: 5000 });
    await sleep(50);
    const pushedAt = Date.now();
    await other.jobPush([makeEnvelope()]);
    expect(await waiting).toHaveLength(1);
    expect(Date.now() - pushedAt).toBeLessThan(1000);
  });

  it('lists, deletes and clears, leaving reserved jobs running', async () => {
    const [a, b, c] = [makeEnvelope(), makeEnvelope(), makeEnvelope({ availableAt: Date.now() + 60_000 })];
    await driver.jobPush([a, b, c]);
    const [held] = await reserve();
    expect((await driver.jobList({ queue: 'default', state: 'reserved', limit: 10 })).map((r) => r.reservedBy)).toEqual(
      ['w1'],
    );
    expect(
      (await driver.jobList({ queue: 'default', state: 'pending', limit: 1, offset: 0 })).map((r) => r.envelope.id),
    ).toEqual([b.id]);
    expect(await driver.jobDelete(b.id)).toBe(true);
    expect(await driver.jobDelete(b.id)).toBe(false);
    expect(await driver.queueClear('default')).toBe(1);
    expect((await driver.jobGet(held!.envelope.id))?.state).toBe('reserved');
    expect((await driver.queueStats())[0]).toMatchObject({ pending: 0, delayed: 0, reserved: 1 });
  });

  it('clears a large queue in steps, reporting progress, and frees the unique keys it held', async () => {
    const soon = Date.now() + 60_000;
    const jobs = Array.from({ length: 2500 }, (_, i) =>
      makeEnvelope({ queue: 'big', availableAt: i % 2 ? soon : Date.now() }),
    );
    jobs[0]!.unique = { key: 'only-one', ttl: null, untilProcessing: false };
    await driver.jobPush(jobs);
    const seen: number[] = [];
    expect(await driver.queueClear('big', { onProgress: (n) => seen.push(n) })).toBe(2500);
    expect(seen.at(-1)).toBe(2500);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect((await driver.queueStats()).find((q) => q.queue === 'big')).toMatchObject({ pending: 0, delayed: 0 });
    expect(await driver.uniqueGet('only-one')).toBeNull();
    expect(await driver.queueClear('big')).toBe(0);
  });
}
