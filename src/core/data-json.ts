import type { JobEnvelope } from './envelope.js';

const cache = new WeakMap<JobEnvelope, { data: unknown; json: string | undefined }>();

/**
 * `JSON.stringify(envelope.data)`, written at most once per envelope: a dispatch measures it
 * against the job size limit and the driver then writes the same text into the stored payload, so
 * a large job's data was serialized twice. The cached text is used only while `data` is still the
 * same value (sealing puts ciphertext in a copy).
 */
export function dataJson(envelope: JobEnvelope): string | undefined {
  const known = cache.get(envelope);
  if (known !== undefined && known.data === envelope.data) return known.json;
  const json = JSON.stringify(envelope.data);
  rememberDataJson(envelope, json);
  return json;
}

/** Record `json` as `envelope.data`'s text, when the caller already serialized that same value. */
export function rememberDataJson(envelope: JobEnvelope, json: string | undefined): void {
  cache.set(envelope, { data: envelope.data, json });
}
