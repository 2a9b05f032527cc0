import { describe, expect, it } from 'vitest';
import { plainEnvelope } from '../../src/core/envelope.js';
import { JobFetcher } from '../../src/core/job-fetcher.js';
import type { ReservedJob } from '../../src/drivers/types.js';

const job = (id: string): ReservedJob => ({
  envelope: plainEnvelope({ id, name: 'Noop', queue: 'q' }),
  token: `t-${id}`,
  reservedAt: 0,
  leaseUntil: 1,
});

describe('JobFetcher', () => {
  it('serves the slots that ask in one turn with one store call for all of them', async () => {
    const calls: { limit: number; blockMs: number }[] = [];
    const fetcher = new JobFetcher(async (limit, blockMs) => {
      calls.push({ limit, blockMs });
      return Array.from({ length: limit }, (_, i) => job(`j${i}`));
    });
    const got = await Promise.all([fetcher.next(100), fetcher.next(100), fetcher.next(100)]);
    expect(calls).toEqual([{ limit: 3, blockMs: 100 }]);
    expect(got.map((j) => j?.envelope.id)).toEqual(['j0', 'j1', 'j2']);
  });

  it('on a pipelined store too, serves the slots that ask together with one call', async () => {
    for (const slots of [2, 5, 10, 17]) {
      const calls: number[] = [];
      const fetcher = new JobFetcher(
        async (limit) => {
          calls.push(limit);
          return Array.from({ length: limit }, (_, i) => job(`j${i}`));
        },
        { pipelined: true },
      );
      const got = await Promise.all(Array.from({ length: slots }, () => fetcher.next(100)));
      expect(calls).toEqual([slots]);
      expect(new Set(got.map((j) => j?.envelope.id)).size).toBe(slots);
    }
  });

  it("on a pipelined store, starts a call's jobs in two turns of the event loop", async () => {
    for (const slots of [2, 10, 20]) {
      const fetcher = new JobFetcher(async (limit) => Array.from({ length: limit }, (_, i) => job(`j${i}`)), {
        pipelined: true,
      });
      const started: string[] = [];
      const all = Array.from({ length: slots }, () =>
        fetcher.next(100).then((j) => {
          started.push(j!.envelope.id);
          // What the first half's slots ask for once they are done goes out before the second half starts.
          if (started.length === 1) setImmediate(() => started.push('next reserve'));
        }),
      );
      await Promise.all(all);
      const half = Math.ceil(slots / 2);
      expect(started).toEqual([
        ...Array.from({ length: half }, (_, i) => `j${i}`),
        'next reserve',
        ...Array.from({ length: slots - half }, (_, i) => `j${i + half}`),
      ]);
    }
    // One job, or a store that is not pipelined: handed over at once.
    for (const fetcher of [
      new JobFetcher(async () => [job('a')], { pipelined: true }),
      new JobFetcher(async () => [job('a'), job('b')]),
    ]) {
      const started: string[] = [];
      const all = [fetcher.next(100), fetcher.next(100)].map((p) =>
        p.then((j) => {
          started.push(j?.envelope.id ?? 'none');
          if (started.length === 1) setImmediate(() => started.push('next turn'));
        }),
      );
      await Promise.all(all);
      await new Promise((resolve) => setImmediate(resolve));
      expect(started[2]).toBe('next turn'); // both started in the same turn
    }
  });

  it('gives null to the slots left over when the store has fewer jobs than slots asking', async () => {
    const fetcher = new JobFetcher(async () => [job('only')]);
    const got = await Promise.all([fetcher.next(50), fetcher.next(50)]);
    expect(got.map((j) => j?.envelope.id ?? null)).toEqual(['only', null]);
  });

  it('never makes a slot that only looks wait behind slots willing to block', async () => {
    const calls: number[] = [];
    const fetcher = new JobFetcher(async (_limit, blockMs) => {
      calls.push(blockMs);
      return [];
    });
    await Promise.all([fetcher.next(0), fetcher.next(3000), fetcher.next(1000)]);
    expect(calls.sort((a, b) => a - b)).toEqual([0, 1000]);
  });

  it('passes a store failure to every slot of the call', async () => {
    const fetcher = new JobFetcher(async () => {
      throw new Error('store down');
    });
    const settled = await Promise.allSettled([fetcher.next(10), fetcher.next(10)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason.message).toBe('store down');
  });

  it('starts a new call for slots that ask while an earlier call is still waiting', async () => {
    const calls: number[] = [];
    let release: (jobs: ReservedJob[]) => void = () => {};
    const fetcher = new JobFetcher((limit) => {
      calls.push(limit);
      if (calls.length === 1) return new Promise((resolve) => (release = resolve));
      return Promise.resolve([job('second')]);
    });
    const first = fetcher.next(5000);
    await new Promise((r) => setImmediate(r));
    const second = await fetcher.next(0);
    expect(second?.envelope.id).toBe('second');
    release([job('first')]);
    expect((await first)?.envelope.id).toBe('first');
    expect(calls).toEqual([1, 1]);
  });
});
