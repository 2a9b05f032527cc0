import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, processIo } from '../../src/cli.js';
import { commandOf, GLOBAL_OPTIONS_WITH_VALUE, keepYoungGenerationSmall } from '../../src/core/young-generation.js';
import { ROOT } from '../helpers/cli.js';

/**
 * A child process keeps a ring of 20,000 short-lived records (as a busy worker keeps jobs in
 * flight) and reports the largest new space V8 gave it, in MB.
 */
function largestNewSpaceMb(pin: boolean, execArgv: string[] = []): number {
  const script = `
    const v8 = await import('node:v8');
    const { keepYoungGenerationSmall } = await import(${JSON.stringify(join(ROOT, 'dist/core/young-generation.js'))});
    if (${pin}) keepYoungGenerationSmall();
    const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    let largest = newSpace();
    const ring = new Array(20000);
    for (let i = 0; i < 400000; i++) {
      ring[i % ring.length] = { id: i, name: 'job-' + i, data: [i, i + 1] };
      if (i % 1000 === 0) largest = Math.max(largest, newSpace());
    }
    console.log(largest / 1048576);
  `;
  const child = spawnSync(process.execPath, [...execArgv, '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  return Number(child.stdout.trim());
}

describe('keepYoungGenerationSmall', () => {
  it('keeps the new space of a busy process at its starting size', () => {
    const grown = largestNewSpaceMb(false);
    const pinned = largestNewSpaceMb(true);
    expect(grown).toBeGreaterThanOrEqual(8);
    expect(pinned).toBeLessThanOrEqual(2);
  });

  it('leaves the young generation alone when the user sized it', () => {
    expect(keepYoungGenerationSmall('--max-semi-space-size=64')).toBe(false);
    expect(keepYoungGenerationSmall('--enable-source-maps --semi_space_growth_factor=4')).toBe(false);
    expect(largestNewSpaceMb(true, ['--max-semi-space-size=4'])).toBeGreaterThan(2);
  });

  it('finds the subcommand of a command line past the global options and their values', () => {
    expect(commandOf(['work', '--queue', 'a'])).toBe('work');
    expect(commandOf(['--connection', 'work', '--config', 'work.mjs', 'dispatch', '--queue', 'work'])).toBe('dispatch');
    expect(commandOf(['--connection=redis://x', '--json', 'work'])).toBe('work');
    expect(commandOf(['--json'])).toBeUndefined();
    const withValue = buildProgram(processIo())
      .options.filter((option) => option.required || option.optional)
      .map((option) => option.long);
    expect(withValue.sort()).toEqual([...GLOBAL_OPTIONS_WITH_VALUE].sort());
  });
});
