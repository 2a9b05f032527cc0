import { dataJson } from '../core/data-json.js';
import { ENVELOPE_DEFAULTS, type JobEnvelope, plainEnvelope } from '../core/envelope.js';

export interface DecodedEnvelope {
  envelope: JobEnvelope;
  /** Set when the stored payload is not a job envelope: the job must fail, not run. */
  rejected?: string;
}

/** How much of an undecodable payload is kept with the failed job, for the operator to inspect. */
const KEPT_PAYLOAD_CHARS = 4096;

const LIST_FIELDS = new Set(['middleware', 'tags']);

/**
 * The fields a SQLite job row keeps in columns of its own: from schema 9 its payload leaves them
 * out (a third of a plain job's payload: a bulk push ran 15-30% faster), and decoding takes them
 * from the row.
 */
const ROW_KEYS = new Set(['id', 'name', 'queue']);

/**
 * The stored form of an envelope: fields at their default value are left out (a plain job's
 * document goes from about 380 to about 140 bytes: fewer pages per write, less JSON work), and
 * `decodeEnvelope` puts them back, so the decoded envelope, and so its signature, is unchanged.
 */
export function encodeEnvelope(envelope: JobEnvelope, withoutRowKeys = false): string {
  if (isPlainDispatch(envelope)) return encodePlainDispatch(envelope, withoutRowKeys);
  // Written out field by field: building a trimmed copy for JSON.stringify cost more than the
  // bytes it saved (a bulk dispatch encodes hundreds of thousands of these). Envelope keys are
  // plain identifiers, so they need no escaping.
  // Finite numbers (ids' times, counts) skip JSON.stringify: String() writes them the same way.
  let json = '';
  for (const key in envelope) {
    const value = envelope[key as keyof JobEnvelope];
    if (value === undefined || isDefault(key, value) || (withoutRowKeys && ROW_KEYS.has(key))) continue;
    json += json === '' ? `{"${key}":` : `,"${key}":`;
    json +=
      typeof value === 'number' && Number.isFinite(value)
        ? String(value)
        : key === 'data'
          ? dataJson(envelope)
          : JSON.stringify(value);
  }
  return json === '' ? '{}' : `${json}}`;
}

/** An envelope's keys as a dispatch builds it: the row's keys, every default, lists and times. */
const PLAIN_KEY_COUNT = ROW_KEYS.size + Object.keys(ENVELOPE_DEFAULTS).length + LIST_FIELDS.size + 2;

/**
 * A job as dispatched with nothing set: what a bulk dispatch encodes by the hundred thousand. Its
 * encoding is written out directly, in half the time of the loop below (which looks each field's
 * default up). Any other key (a batch, a signature, a field of a newer version) takes the loop.
 */
function isPlainDispatch(e: JobEnvelope): boolean {
  if (
    e.connection !== null ||
    e.attempts !== 0 ||
    e.exceptions !== 0 ||
    e.lockWaits !== 0 ||
    e.maxTries !== null ||
    e.maxExceptions !== null ||
    e.backoff !== null ||
    e.timeout !== null ||
    e.failOnTimeout !== false ||
    e.retryUntil !== null ||
    e.unique !== null ||
    e.idempotencyKey !== null ||
    e.chain !== null ||
    e.middleware?.length !== 0 ||
    e.tags?.length !== 0 ||
    !Number.isFinite(e.dispatchedAt) ||
    !Number.isFinite(e.availableAt)
  )
    return false;
  let keys = 0;
  for (const _ in e) keys++;
  return keys === PLAIN_KEY_COUNT;
}

/** The loop's output for a plain dispatch (see isPlainDispatch), in the order a dispatch builds it. */
function encodePlainDispatch(e: JobEnvelope, withoutRowKeys: boolean): string {
  const data = dataJson(e);
  const head = withoutRowKeys
    ? '{'
    : `{"id":${JSON.stringify(e.id)},"name":${JSON.stringify(e.name)},"queue":${JSON.stringify(e.queue)},`;
  const dataField = data === undefined || data === 'null' ? '' : `"data":${data},`;
  return `${head}${dataField}"dispatchedAt":${e.dispatchedAt},"availableAt":${e.availableAt}}`;
}

/** ENVELOPE_DEFAULTS as a Map: a lookup per field, half the cost of `in` plus a property read. */
const DEFAULTS = new Map<string, unknown>(Object.entries(ENVELOPE_DEFAULTS));

function isDefault(key: string, value: unknown): boolean {
  const fallback = DEFAULTS.get(key); // defaults are null, 0 or false: undefined means no default
  if (fallback !== undefined) return value === fallback;
  return LIST_FIELDS.has(key) && Array.isArray(value) && value.length === 0;
}

/**
 * Parse a stored payload; one stored without its row's keys (see ROW_KEYS) gets them from `where`,
 * which must then name the job. A payload that is not JSON, or not an envelope (written by hand, cut
 * short, or by an incompatible version), becomes a stand-in envelope carrying the raw text, so
 * the job can be failed with its reason instead of stopping every reserve of its queue.
 */
export function decodeEnvelope(payload: string, where: { id: string; queue: string; name?: string }): DecodedEnvelope {
  let parsed: unknown;
  let problem: string | null = null;
  try {
    parsed = JSON.parse(payload);
    // First, where a whole payload has them: what shows the envelope (`jobs --json`) reads as before.
    if (lacksRowKeys(parsed) && where.name !== undefined) {
      parsed = { id: where.id, name: where.name, queue: where.queue, ...parsed };
    }
    if (!isEnvelope(parsed)) problem = 'the stored job is not a qtool job envelope';
  } catch (error) {
    problem = `the stored job is not valid JSON (${(error as Error).message})`;
  }
  if (problem === null) {
    // Filled in place: the stored fields keep their order (id and name first, which the Redis
    // reserve script reads without decoding).
    const envelope = parsed as Record<string, unknown>;
    for (const key in ENVELOPE_DEFAULTS) {
      if (!(key in envelope)) envelope[key] = ENVELOPE_DEFAULTS[key as keyof typeof ENVELOPE_DEFAULTS];
    }
    envelope.middleware ??= [];
    envelope.tags ??= [];
    return { envelope: envelope as unknown as JobEnvelope };
  }
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

/** Written without its row's keys: an object with no id whose dispatch time is there (every envelope has one). */
function lacksRowKeys(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !('id' in value) &&
    typeof (value as { dispatchedAt?: unknown }).dispatchedAt === 'number'
  );
}

function isEnvelope(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    typeof e.name === 'string' &&
    typeof e.queue === 'string' &&
    (e.middleware === undefined || Array.isArray(e.middleware)) &&
    (e.tags === undefined || Array.isArray(e.tags))
  );
}
