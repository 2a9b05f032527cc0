import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationMs } from '../../src/core/duration.js';

describe('durations', () => {
  it.each([
    ['10s', 10_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['250ms', 250],
    ['90', 90_000],
    [90, 90_000],
    [0.5, 500],
  ])('parses %s', (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms);
  });

  it.each(['10x', 'abc', '', '-5s', '1h30', 'm'])('rejects %j with a message naming it', (input) => {
    expect(() => parseDurationMs(input)).toThrow(/invalid duration/);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDurationMs(-1)).toThrow(/>= 0/);
    expect(() => parseDurationMs(Number.NaN)).toThrow();
  });

  it('formats compactly', () => {
    expect(formatDuration(950)).toBe('950ms');
    expect(formatDuration(12_000)).toBe('12s');
    expect(formatDuration(250_000)).toBe('4m10s');
    expect(formatDuration(7_500_000)).toBe('2h5m');
  });
});
