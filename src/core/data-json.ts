import type { JobEnvelope } from './envelope.js';

/**
 * Where an envelope keeps its data's JSON text: a non-enumerable property of its own, so it never
 * reaches the stored payload, a copy, or a comparison. A WeakMap held it before: its entries cost
 * a seventh of a bulk dispatch's client time, in the map and in the collector's ephemeron passes.
 */
const DATA_JSON = Symbol('qtool.dataJson');

interface DataJsonMemo {
  data: unknown;
  json: string | undefined;
}

type WithMemo = JobEnvelope & { [DATA_JSON]?: DataJsonMemo };

/**
 * `JSON.stringify(envelope.data)`, written at most once per envelope: a dispatch measures it
 * against the job size limit and the driver then writes the same text into the stored payload, so
 * a large job's data was serialized twice. The cached text is used only while `data` is still the
 * same value (sealing puts ciphertext in a copy).
 */
export function dataJson(envelope: JobEnvelope): string | undefined {
  const known = (envelope as WithMemo)[DATA_JSON];
  if (known !== undefined && known.data === envelope.data) return known.json;
  const json = JSON.stringify(envelope.data);
  rememberDataJson(envelope, json);
  return json;
}

/** Record `json` as `envelope.data`'s text, when the caller already serialized that same value. */
export function rememberDataJson(envelope: JobEnvelope, json: string | undefined): void {
  const memo: DataJsonMemo = { data: envelope.data, json };
  const own = envelope as WithMemo;
  if (Object.hasOwn(own, DATA_JSON)) own[DATA_JSON] = memo;
  else Object.defineProperty(own, DATA_JSON, { value: memo, writable: true, configurable: true });
}
