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

  it('on a pipelined store, serves 2 to 16 slots that ask together by two calls, each for half of them', async () => {
    const asked = async (slots: number, pipelined: boolean) => {
      const calls: number[] = [];
      let n = 0;
      const fetcher = new JobFetcher(
        async (limit) => {
          calls.push(limit);
          return Array.from({ length: limit }, () => job(`j${n++}`));
        },
        { pipelined },
      );
      const got = await Promise.all(Array.from({ length: slots }, () => fetcher.next(100)));
      // Every slot gets a job of its own.
      expect(new Set(got.map((j) => j?.envelope.id)).size).toBe(slots);
      return calls;
    };
    expect(await asked(10, true)).toEqual([5, 5]);
    expect(await asked(5, true)).toEqual([3, 2]);
    expect(await asked(1, true)).toEqual([1]);
    expect(await asked(16, true)).toEqual([8, 8]);
    expect(await asked(17, true)).toEqual([17]);
    expect(await asked(10, false)).toEqual([10]);
  });

  it('on a pipelined store, starts the jobs of a call for more than 16 slots in two turns of the event loop', async () => {
    const fetcher = new JobFetcher(async (limit) => Array.from({ length: limit }, (_, i) => job(`j${i}`)), {
      pipelined: true,
    });
    const started: string[] = [];
    const slots = Array.from({ length: 20 }, () =>
      fetcher.next(100).then((j) => {
        started.push(j!.envelope.id);
        // What the first half's slots ask for once they are done goes out before the second half starts.
        if (started.length === 1) setImmediate(() => started.push('next reserve'));
      }),
    );
    await Promise.all(slots);
    expect(started).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `j${i}`),
      'next reserve',
      ...Array.from({ length: 10 }, (_, i) => `j${i + 10}`),
    ]);
    // A call that brings back only a few jobs hands them over at once.
    const few = new JobFetcher(async () => [job('a'), job('b')], { pipelined: true });
    expect((await Promise.all(Array.from({ length: 20 }, () => few.next(100)))).filter(Boolean)).toHaveLength(2);
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
