import type { JobEnvelope } from './envelope.js';

/** Worker-wide defaults (Laravel's `queue:work` options), overridden per job. */
export interface AttemptDefaults {
  tries: number;
  backoff: number | number[];
  /** Seconds; 0 disables. */
  timeout: number;
}

export const WORKER_DEFAULTS: AttemptDefaults = { tries: 1, backoff: 0, timeout: 60 };

/** Fields of the definition that apply when the envelope leaves them null. */
export interface ResolvedPolicy {
  maxTries: number;
  maxExceptions: number | null;
  backoff: number | number[];
  timeout: number;
  failOnTimeout: boolean;
  retryUntil: number | null;
}

/**
 * May this pick-up run? Laravel's pre-run check: with retryUntil, while now <= retryUntil (tries
 * ignored); otherwise while tries is 0 (unlimited) or attempts <= tries. This is what fails a
 * job whose worker crashed on its last try.
 */
export function mayRun(envelope: JobEnvelope, policy: ResolvedPolicy, now: number): boolean {
  if (policy.retryUntil !== null) return now <= policy.retryUntil;
  return policy.maxTries === 0 || envelope.attempts <= policy.maxTries;
}

/**
 * After an exception, is this the final failure? Past retryUntil (the instant itself counts,
 * as in Laravel), or out of tries, or maxExceptions reached counting this one.
 */
export function exceptionIsFinal(envelope: JobEnvelope, policy: ResolvedPolicy, now: number): string | null {
  if (policy.retryUntil !== null) {
    if (now >= policy.retryUntil) return 'retryUntil passed';
  } else if (policy.maxTries !== 0 && envelope.attempts >= policy.maxTries) {
    return `attempts ${envelope.attempts}/${policy.maxTries}`;
  }
  if (policy.maxExceptions !== null && envelope.exceptions + 1 >= policy.maxExceptions) {
    return `maxExceptions ${policy.maxExceptions}`;
  }
  return null;
}

/** Backoff before the next try: list element attempts-1, the last one repeating. */
export function backoffSeconds(backoff: number | number[], attempts: number): number {
  if (!Array.isArray(backoff)) return backoff;
  if (backoff.length === 0) return 0;
  return backoff[Math.min(Math.max(attempts - 1, 0), backoff.length - 1)] ?? 0;
}
