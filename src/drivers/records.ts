import type { FailedRecord, JobRecord } from './types.js';

/** A failed job as `jobGet` reports it. */
export function failedJobRecord(failed: FailedRecord): JobRecord {
  return {
    envelope: failed.envelope,
    state: 'failed',
    availableAt: failed.failedAt,
    reservedBy: null,
    reservedAt: null,
    leaseUntil: null,
    history: failed.history,
    failedAt: failed.failedAt,
    error: failed.error,
  };
}
