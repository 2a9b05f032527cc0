import { describe, expect, it } from 'vitest';
import { STORES } from '../helpers/cli.js';
// @ts-expect-error: plain ESM shared with `npm run chaos`, no type declarations
import { runChaos } from './chaos-run.mjs';

interface ChaosReport {
  jobs: number;
  kills: number;
  duplicates: number;
  duplicatesFromLiveWorkers: number;
  lost: number;
  unknown: number;
  leftover: { pending: number; delayed: number; reserved: number; failed: number };
  integrity?: string;
}

describe.each(STORES)('chaos: workers SIGKILLed every second (%s)', (store) => {
  it('runs 20,000 jobs with nothing lost or left behind; repeats only from killed workers', async () => {
    const report = (await runChaos({ store, jobs: 20_000, workers: 3, killEveryMs: 1000 })) as ChaosReport;
    console.log(`chaos ${store}: ${JSON.stringify(report)}`);
    expect(report.jobs).toBe(20_000);
    expect(report.kills).toBeGreaterThanOrEqual(3);
    expect(report.lost).toBe(0);
    expect(report.unknown).toBe(0);
    expect(report.duplicatesFromLiveWorkers).toBe(0);
    expect(report.leftover).toEqual({ pending: 0, delayed: 0, reserved: 0, failed: 0 });
    if (store === 'sqlite') expect(report.integrity).toBe('ok');
  }, 240_000);
});
