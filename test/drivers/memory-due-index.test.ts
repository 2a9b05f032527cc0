import { describe, expect, it } from 'vitest';
import { DueIndex } from '../../src/drivers/memory/due-index.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';
import { makeEnvelope } from './conformance/envelopes.js';

describe('memory driver due index', () => {
  it('gives entries back by due time then id, skipping the ones a later schedule made stale', () => {
    const index = new DueIndex();
    const due = new Map<string, number>();
    const schedule = (id: string, at: number) => {
      due.set(id, at);
      index.schedule('q', at, id);
    };
    schedule('c', 5);
    schedule('b', 5);
    schedule('a', 9);
    schedule('d', 1);
    schedule('d', 7); // moved: its entry at 1 is stale
    const order: string[] = [];
    for (
      let top = index.peek('q', (id, at) => due.get(id) === at);
      top;
      top = index.peek('q', (id, at) => due.get(id) === at)
    ) {
      order.push(`${top.id}@${top.at}`);
      index.take('q');
    }
    expect(order).toEqual(['b@5', 'c@5', 'd@7', 'a@9']);
  });

  it('hands a job out once per reserve even with a zero lease, and again after it lapses', async () => {
    const driver = createMemoryDriver();
    const job = makeEnvelope();
    await driver.jobPush([job]);
    const first = await driver.jobReserve({ queues: ['default'], workerId: 'w', leaseMs: 0, limit: 5 });
    expect(first.map((r) => r.envelope.id)).toEqual([job.id]);
    const again = await driver.jobReserve({ queues: ['default'], workerId: 'w', leaseMs: 30_000, limit: 5 });
    expect(again.map((r) => r.envelope.attempts)).toEqual([2]);
  });

  it('reserves from a large queue without scanning it: 50,000 jobs drain in FIFO order', async () => {
    const driver = createMemoryDriver();
    const envelopes = Array.from({ length: 50_000 }, (_, n) => makeEnvelope({ data: { n } }));
    await driver.jobPush(envelopes);
    const seen: number[] = [];
    for (;;) {
      const jobs = await driver.jobReserve({ queues: ['default'], workerId: 'w', leaseMs: 30_000, limit: 100 });
      if (jobs.length === 0) break;
      for (const j of jobs) {
        seen.push((j.envelope.data as { n: number }).n);
        await driver.jobComplete({ id: j.envelope.id, token: j.token });
      }
    }
    expect(seen).toEqual(envelopes.map((_, n) => n));
  });
});
