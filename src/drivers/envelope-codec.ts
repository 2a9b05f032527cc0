import { type JobEnvelope, plainEnvelope } from '../core/envelope.js';

export interface DecodedEnvelope {
  envelope: JobEnvelope;
  /** Set when the stored payload is not a job envelope: the job must fail, not run. */
  rejected?: string;
}

/** How much of an undecodable payload is kept with the failed job, for the operator to inspect. */
const KEPT_PAYLOAD_CHARS = 4096;

/**
 * Parse a stored payload. A payload that is not JSON, or not an envelope (written by hand, cut
 * short, or by an incompatible version), becomes a stand-in envelope carrying the raw text, so
 * the job can be failed with its reason instead of stopping every reserve of its queue.
 */
export function decodeEnvelope(payload: string, where: { id: string; queue: string; name?: string }): DecodedEnvelope {
  let parsed: unknown;
  let problem: string | null = null;
  try {
    parsed = JSON.parse(payload);
    if (!isEnvelope(parsed)) problem = 'the stored job is not a qtool job envelope';
  } catch (error) {
    problem = `the stored job is not valid JSON (${(error as Error).message})`;
  }
  if (problem === null) return { envelope: parsed as JobEnvelope };
  return {
    rejected: problem,
    envelope: plainEnvelope(
      {
        id: where.id,
        name: where.name ?? '(undecodable)',
        queue: where.queue,
        data: { undecodablePayload: payload.slice(0, KEPT_PAYLOAD_CHARS) },
        maxTries: 1,
      },
      0,
    ),
  };
}

function isEnvelope(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    typeof e.name === 'string' &&
    typeof e.queue === 'string' &&
    Array.isArray(e.middleware) &&
    Array.isArray(e.tags)
  );
}
