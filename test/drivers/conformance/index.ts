import { describe } from 'vitest';
import { failedScanCases } from './failed-scan.js';
import type { StoreFactory } from './harness.js';
import { jobCases } from './jobs.js';
import { storeCases } from './stores.js';

export type { StoreFactory, StoreUnderTest } from './harness.js';

/** The one suite every driver passes; a driver's test file calls it once. */
export function defineDriverConformance(name: string, factory: StoreFactory): void {
  describe(`${name} driver conformance`, () => {
    describe('jobs', () => jobCases(factory));
    describe('stores', () => storeCases(factory));
    describe('failed scan', () => failedScanCases(factory));
  });
}
