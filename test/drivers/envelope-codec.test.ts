import { describe, expect, it } from 'vitest';
import { prepareEnvelopes } from '../../src/core/dispatch.js';
import { plainEnvelope } from '../../src/core/envelope.js';
import { decodeEnvelope, encodeEnvelope } from '../../src/drivers/envelope-codec.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';

const where = { id: 'x', queue: 'q' };

describe('stored envelope encoding', () => {
  it('serializes the data of a dispatched job once: the size check and the stored payload share it', async () => {
    let serialized = 0;
    const data = {
      toJSON() {
        serialized += 1;
        return { n: serialized };
      },
    };
    const driver = createMemoryDriver();
    const [envelope] = prepareEnvelopes(driver, [{ name: 'Big', queue: 'q', data }], {}, 1_000);
    expect(serialized).toBe(1); // measured for the size limit
    expect(JSON.parse(encodeEnvelope(envelope!)).data).toEqual({ n: 1 });
    expect(serialized).toBe(1);
    await driver.close();
  });

  it('writes data replaced after an earlier encoding afresh', () => {
    const envelope = plainEnvelope({ id: 'a0', name: 'Noop', queue: 'q', data: { n: 1 } }, 1_000);
    expect(JSON.parse(encodeEnvelope(envelope)).data).toEqual({ n: 1 });
    envelope.data = { n: 2 };
    expect(JSON.parse(encodeEnvelope(envelope)).data).toEqual({ n: 2 });
  });

  it('leaves default fields out and puts them back on decode', () => {
    const envelope = plainEnvelope({ id: 'a1', name: 'Noop', queue: 'q', data: { n: 1 } }, 1_000);
    const stored = encodeEnvelope(envelope);
    expect(JSON.parse(stored)).toEqual({
      id: 'a1',
      name: 'Noop',
      queue: 'q',
      data: { n: 1 },
      dispatchedAt: 1_000,
      availableAt: 1_000,
    });
    expect(decodeEnvelope(stored, where)).toEqual({ envelope });
  });

  it('writes a job dispatched with nothing set in its short form, id and name first, and any other key as well', async () => {
    const driver = createMemoryDriver();
    const [first, second, third] = prepareEnvelopes(
      driver,
      [
        { name: 'Send "it"', queue: 'q', data: { n: 1 } },
        { name: 'Nothing', queue: 'q' },
        { name: 'Batched', queue: 'q', data: 'x', batchId: 'b1' },
      ],
      {},
      1_000,
    );
    const id = (e: typeof first) => JSON.stringify(e!.id);
    expect(encodeEnvelope(first!)).toBe(
      `{"id":${id(first)},"name":"Send \\"it\\"","queue":"q","data":{"n":1},"dispatchedAt":1000,"availableAt":1000}`,
    );
    expect(encodeEnvelope(first!, true)).toBe('{"data":{"n":1},"dispatchedAt":1000,"availableAt":1000}');
    expect(encodeEnvelope(second!)).toBe(
      `{"id":${id(second)},"name":"Nothing","queue":"q","dispatchedAt":1000,"availableAt":1000}`,
    );
    expect(JSON.parse(encodeEnvelope(third!))).toMatchObject({ batchId: 'b1', data: 'x' });
    // A key this version does not know (written by a newer one) is kept.
    const newer = { ...first!, priority: 3 } as typeof first & { priority: number };
    expect(JSON.parse(encodeEnvelope(newer!))).toMatchObject({ priority: 3 });
    for (const e of [first, second, third, newer]) {
      expect(decodeEnvelope(encodeEnvelope(e!), where).envelope).toEqual(e);
    }
    // Built by hand without its lists: the loop writes it, and decoding puts the lists back.
    const bare = { ...second!, middleware: undefined, tags: undefined } as unknown as typeof second;
    expect(decodeEnvelope(encodeEnvelope(bare!), where).envelope).toEqual(second);
    await driver.close();
  });

  it('keeps every value that differs from its default, falsy ones included', () => {
    for (const data of [false, 0, '', [], {}]) {
      const envelope = {
        ...plainEnvelope({ id: 'a2', name: 'Job', queue: 'q', data }, 5),
        maxTries: 0,
        failOnTimeout: true,
        backoff: [1, 2],
        tags: ['t'],
        middleware: [{ withoutOverlapping: { key: 'k' } }],
        unique: { key: 'u', ttl: null, untilProcessing: false },
        batchId: 'b',
        signature: 'k1.sig',
      };
      expect(decodeEnvelope(encodeEnvelope(envelope), where).envelope).toEqual(envelope);
    }
  });

  it('reads documents stored whole by earlier versions as they were', () => {
    const envelope = plainEnvelope({ id: 'a3', name: 'Old', queue: 'q' }, 7);
    expect(decodeEnvelope(JSON.stringify(envelope), where)).toEqual({ envelope });
  });

  it('leaves out the keys a row holds when asked, and takes them from the row on decode', () => {
    const envelope = plainEnvelope({ id: 'a5', name: 'Row', queue: 'q', data: { n: 5 } }, 3);
    const stored = encodeEnvelope(envelope, true);
    expect(JSON.parse(stored)).toEqual({ data: { n: 5 }, dispatchedAt: 3, availableAt: 3 });
    const decoded = decodeEnvelope(stored, { id: 'a5', name: 'Row', queue: 'q' });
    expect(decoded).toEqual({ envelope });
    expect(Object.keys(decoded.envelope).slice(0, 3)).toEqual(['id', 'name', 'queue']); // shown first, as before
    // Without the row's name there is nothing to take the keys from.
    expect(decodeEnvelope(stored, where).rejected).toMatch(/not a qtool job/);
    // An object that no encoding wrote (no dispatch time) is not taken for one.
    expect(decodeEnvelope('{"data":1}', { id: 'a6', name: 'Row', queue: 'q' }).rejected).toMatch(/not a qtool job/);
  });

  it('still rejects documents that are not envelopes', () => {
    expect(decodeEnvelope('{"id":"a4","name":"n","queue":"q","tags":"x"}', where).rejected).toMatch(/not a qtool job/);
    expect(decodeEnvelope('[1]', where).rejected).toMatch(/not a qtool job/);
  });
});
