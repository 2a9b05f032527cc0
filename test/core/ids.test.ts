import { decodeTime, isValid } from 'ulidx';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newJobId, newToken } from '../../src/core/ids.js';

describe('job ids', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('are ULIDs of the current time that only grow within a millisecond, past carries', () => {
    const now = Date.now() + 10_000; // ahead of any id made before this test
    vi.spyOn(Date, 'now').mockReturnValue(now);
    const ids = Array.from({ length: 5000 }, () => newJobId());
    for (const id of ids) {
      expect(isValid(id), id).toBe(true);
      expect(decodeTime(id)).toBe(now);
    }
    // 5,000 increments carry past the last digit (every 32) and the one before it (every 1,024).
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids.map((id) => id.slice(0, 24))).size).toBeGreaterThan(1);
  });

  it('draw a fresh random part each millisecond, and keep growing when the clock steps back', () => {
    const now = Date.now() + 20_000;
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now);
    const first = newJobId();
    clock.mockReturnValue(now + 1);
    const next = newJobId();
    expect(decodeTime(next)).toBe(now + 1);
    expect(next > first).toBe(true);
    clock.mockReturnValue(now - 5_000);
    const after = [newJobId(), newJobId()];
    expect(after.every((id) => id > next && decodeTime(id) === now + 1)).toBe(true);
  });

  it('make tokens that do not repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newToken()));
    expect(tokens.size).toBe(1000);
  });
});
