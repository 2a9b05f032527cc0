import type { HttpJobDefinition } from '../define.js';
import type { RunningJob } from '../running-job.js';
import { fillTemplate } from './template.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Run an http job: a non-2xx answer fails the attempt; only http(s) URLs are allowed. */
export async function runHttpJob(definition: HttpJobDefinition, job: RunningJob): Promise<void> {
  const spec = definition.http;
  const url = new URL(fillTemplate(spec.url, job.envelope.data, encodeURIComponent));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`http job refuses ${url.protocol} URLs (only http and https)`);
  }
  const method = (spec.method ?? 'POST').toUpperCase();
  const headers: Record<string, string> = { 'user-agent': 'qtool', ...spec.headers };
  let body: string | undefined;
  if (BODY_METHODS.has(method)) {
    const payload = spec.body ?? job.envelope.data;
    body = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
  }
  headers['x-qtool-job-id'] = job.id;
  const response = await fetch(url, { method, headers, body, signal: job.signal });
  const text = await response.text();
  job.stdout = text.slice(0, 64 * 1024);
  if (!response.ok) {
    throw new Error(
      `HTTP ${response.status} from ${url.origin}${url.pathname}${text ? `: ${text.slice(0, 200)}` : ''}`,
    );
  }
}
