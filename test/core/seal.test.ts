import { describe, expect, it } from 'vitest';
import type { JobEnvelope } from '../../src/core/envelope.js';
import { resolveSealSettings, Sealer } from '../../src/core/seal.js';
import { makeEnvelope } from '../drivers/conformance/envelopes.js';

const KEY = 'unit-key-0123456789-abcdefghijklmnopqrstuvwxyz';
const sealer = new Sealer({ key: KEY });

const envelope = (): JobEnvelope =>
  makeEnvelope({
    name: 'Charge',
    queue: 'payments',
    data: { amount: 10, nested: { list: [1, 2, 3] } },
    middleware: [{ withoutOverlapping: { key: 'card-1' } }],
  });

function opened(e: JobEnvelope) {
  const result = sealer.open(e);
  if ('rejected' in result) throw new Error(result.rejected);
  return result.envelope;
}

describe('Sealer', () => {
  it('opens what it sealed, after a JSON round trip with the keys in another order', () => {
    const original = envelope();
    const sealed = sealer.seal(original, false);
    const reordered = Object.fromEntries(
      Object.entries(JSON.parse(JSON.stringify(sealed))).reverse(),
    ) as unknown as JobEnvelope;
    expect(opened(reordered)).toEqual(original);
  });

  it('ignores the counters the store changes, and rejects a change to any other field', () => {
    const sealed = sealer.seal(envelope(), false);
    expect(opened({ ...sealed, attempts: 5, exceptions: 2, lockWaits: 1 }).attempts).toBe(5);
    const changes: Partial<JobEnvelope>[] = [
      { data: { amount: 10_000, nested: { list: [1, 2, 3] } } },
      { name: 'Refund' },
      { queue: 'other' },
      { maxTries: 100 },
      { middleware: [] },
      {
        chain: {
          id: 'c',
          index: 0,
          total: 2,
          remaining: [{ name: 'Evil', data: null }],
          queue: null,
          connection: null,
          catch: null,
        },
      },
      { availableAt: 0 },
    ];
    for (const change of changes) {
      const result = sealer.open({ ...sealed, ...change });
      expect(result).toEqual({ rejected: expect.stringMatching(/^signature mismatch: the job was changed/) });
    }
  });

  it('rejects unsigned jobs and jobs signed with another key', () => {
    expect(sealer.open(envelope())).toEqual({ rejected: expect.stringMatching(/not signed/) });
    const foreign = new Sealer({ key: 'another-key-0123456789-abcdefghijklmnopqrstuv' }).seal(envelope(), false);
    expect(sealer.open(foreign)).toEqual({ rejected: expect.stringMatching(/key this worker does not have/) });
  });

  it('encrypts data so the store holds no plain text, and decrypts it with the current or a previous key', () => {
    const old = new Sealer({ key: 'previous-key-0123456789-abcdefghijklmnopqrst' });
    const sealed = old.seal(envelope(), true);
    expect(JSON.stringify(sealed)).not.toContain('amount');
    expect(sealed.encrypted).toBe(true);
    const rotated = new Sealer({ key: KEY, previousKeys: ['previous-key-0123456789-abcdefghijklmnopqrst'] });
    const result = rotated.open(sealed);
    expect('envelope' in result && result.envelope.data).toEqual(envelope().data);
    expect(rotated.reveal(sealed).data).toEqual(envelope().data);
    expect(sealer.reveal(sealed).data).toBe(sealed.data);
  });

  it('reads its settings from QTOOL_KEY first, and refuses short keys and encryption without a key', () => {
    expect(resolveSealSettings({ key: 'x'.repeat(40) }, { QTOOL_KEY: KEY })).toMatchObject({ key: KEY });
    expect(resolveSealSettings(undefined, {})).toBeNull();
    expect(() => resolveSealSettings(undefined, { QTOOL_KEY: 'short' })).toThrow(/QTOOL_KEY is too short/);
    expect(() => resolveSealSettings({ encrypt: true }, {})).toThrow(/security.encrypt needs a key/);
    expect(
      resolveSealSettings(undefined, { QTOOL_KEY: KEY, QTOOL_PREVIOUS_KEYS: ` ${'p'.repeat(32)} ,` })?.previousKeys,
    ).toEqual(['p'.repeat(32)]);
  });
});
