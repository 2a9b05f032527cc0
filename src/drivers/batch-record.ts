import type { BatchState } from './types.js';

/**
 * The one rule every driver applies inside its atomic step: a success decrements pending; a
 * failure records the job once (a retried job that fails again is not counted twice).
 */
export function applyBatchOutcome(
  state: BatchState,
  jobId: string,
  outcome: 'succeeded' | 'failed',
): BatchState & { firstFailure: boolean } {
  const next = { ...state, failedIds: [...state.failedIds] };
  let firstFailure = false;
  if (outcome === 'succeeded') {
    next.pending = Math.max(0, next.pending - 1);
    // A failed job retried to success leaves the failed list (Laravel decrements on retry success).
    const index = next.failedIds.indexOf(jobId);
    if (index >= 0) {
      next.failedIds.splice(index, 1);
      next.failed -= 1;
    }
  } else if (!next.failedIds.includes(jobId)) {
    firstFailure = next.failed === 0;
    next.failed += 1;
    next.failedIds.push(jobId);
  }
  return { ...next, firstFailure };
}
