import { describe, expect, it } from 'vitest';
import { backoffSeconds, exceptionIsFinal, mayRun, type ResolvedPolicy } from '../../src/core/attempts.js';
import { buildEnvelope } from '../../src/core/envelope-builder.js';

const policy = (overrides: Partial<ResolvedPolicy> = {}): ResolvedPolicy => ({
  maxTries: 3,
  maxExceptions: null,
  backoff: 0,
  timeout: 60,
  failOnTimeout: false,
  retryUntil: null,
  ...overrides,
});
const envelope = (attempts: number, exceptions = 0) => ({
  ...buildEnvelope({ name: 'A' }, 1000),
  attempts,
  exceptions,
});

describe('attempt policy (Laravel semantics)', () => {
  it('runs while attempts <= tries, and always with tries 0', () => {
    expect(mayRun(envelope(3), policy(), 0)).toBe(true);
    expect(mayRun(envelope(4), policy(), 0)).toBe(false);
    expect(mayRun(envelope(99), policy({ maxTries: 0 }), 0)).toBe(true);
  });

  it('with retryUntil ignores tries and allows now == retryUntil before running', () => {
    expect(mayRun(envelope(50), policy({ retryUntil: 5000 }), 5000)).toBe(true);
    expect(mayRun(envelope(1), policy({ retryUntil: 5000 }), 5001)).toBe(false);
  });

  it('after an exception fails at retryUntil itself, or when out of tries, or at maxExceptions', () => {
    expect(exceptionIsFinal(envelope(1), policy({ retryUntil: 5000 }), 5000)).toMatch(/retryUntil/);
    expect(exceptionIsFinal(envelope(1), policy({ retryUntil: 5000 }), 4999)).toBeNull();
    expect(exceptionIsFinal(envelope(3), policy(), 0)).toMatch(/attempts 3\/3/);
    expect(exceptionIsFinal(envelope(2), policy(), 0)).toBeNull();
    expect(exceptionIsFinal(envelope(1, 1), policy({ maxTries: 0, maxExceptions: 2 }), 0)).toMatch(/maxExceptions/);
  });

  it('takes backoff element attempts-1, the last repeating', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffSeconds([1, 5, 10], a))).toEqual([1, 5, 10, 10, 10]);
    expect(backoffSeconds(7, 3)).toBe(7);
  });
});
