import { describe, expect, it } from 'vitest';
import { dataJson, rememberDataJson } from '../../src/core/data-json.js';
import { plainEnvelope } from '../../src/core/envelope.js';
import { encodeEnvelope } from '../../src/drivers/envelope-codec.js';

describe('dataJson', () => {
  it('uses the text remembered for the same data, and serializes again once data is replaced', () => {
    const envelope = plainEnvelope({ id: 'j1', name: 'Job', queue: 'default', data: { n: 1 } });
    rememberDataJson(envelope, '{"n": 1}'); // spaced: shows which text was used
    expect(dataJson(envelope)).toBe('{"n": 1}');
    envelope.data = { n: 2 };
    expect(dataJson(envelope)).toBe('{"n":2}');
    const copy = { ...envelope, data: 'sealed' };
    expect(dataJson(copy)).toBe('"sealed"');
    expect(dataJson(envelope)).toBe('{"n":2}');
  });

  it('keeps the text out of the envelope as stored, copied, listed or compared', () => {
    const envelope = plainEnvelope({ id: 'j2', name: 'Job', queue: 'default', data: { n: 1 } }, 5);
    const untouched = structuredClone(envelope);
    rememberDataJson(envelope, '{"n":1}');
    expect(Object.keys(envelope)).toEqual(Object.keys(untouched));
    expect(JSON.stringify(envelope)).toBe(JSON.stringify(untouched));
    expect(encodeEnvelope(envelope)).toBe(encodeEnvelope(untouched));
    expect(Object.getOwnPropertySymbols({ ...envelope })).toEqual([]);
    expect(envelope).toStrictEqual(untouched);
  });
});
