import { describe, expect, it } from 'vitest';
import { dispatchOptionsFrom } from '../../src/core/dispatch.js';
import { parseJobSize } from '../../src/core/job-size.js';

describe('job size', () => {
  it('reads bytes as a whole number or as text with a unit (1 kb = 1024 bytes)', () => {
    expect(parseJobSize(2048)).toBe(2048);
    expect(parseJobSize('512kb')).toBe(512 * 1024);
    expect(parseJobSize('2mb')).toBe(2 * 1024 * 1024);
    expect(parseJobSize('1.5kb')).toBe(1536);
  });

  it('refuses what is not a size', () => {
    for (const value of [0, -1, 1.5, 'lots', '', '-2kb', null, {}]) expect(parseJobSize(value)).toBeNull();
  });

  it('a config given in code with a bad maxJobSize fails with a line naming it', () => {
    expect(() => dispatchOptionsFrom({ maxJobSize: 'huge' } as never)).toThrow(
      'maxJobSize: "huge" is not a size (use bytes, or e.g. 512kb, 2mb)',
    );
    expect(dispatchOptionsFrom({ maxJobSize: '1kb' } as never).maxJobBytes).toBe(1024);
  });
});
