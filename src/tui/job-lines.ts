import { formatDuration } from '../core/duration.js';
import type { WhyAnswer } from '../core/why.js';
import type { JobRecord } from '../drivers/types.js';
import { relativeTime, timestamp } from '../output/format.js';

export type Tone = 'red' | 'green' | 'yellow' | 'cyan' | 'dim';

export interface Line {
  label?: string;
  text: string;
  tone?: Tone;
}

/**
 * A job's detail view as lines (scrolled by the JobDetail pane): fields, `qtool why`'s answer and
 * evidence, chain, data, history, error.
 */
export function jobLines(record: JobRecord, now: number, why: WhyAnswer | null = null): Line[] {
  const e = record.envelope;
  const lines: Line[] = [];
  const field = (label: string, text: string, tone?: Tone) => lines.push({ label, text, tone });
  const block = (label: string, text: string, tone?: Tone) => {
    lines.push({ label, text: '' });
    for (const row of text.split('\n')) lines.push({ text: `  ${row}`, tone });
  };
  field('id', e.id);
  field('job', e.name);
  field('queue', e.queue + (e.connection ? ` (${e.connection})` : ''));
  field(...stateField(record, now));
  if (why) lines.push(...whyLines(why));
  const tries = e.maxTries === null ? 'worker default' : e.maxTries === 0 ? 'unlimited' : String(e.maxTries);
  const extra = `${e.exceptions ? `, exceptions ${e.exceptions}` : ''}${e.lockWaits ? `, lock waits ${e.lockWaits}` : ''}`;
  field('attempts', `${e.attempts} of ${tries}${extra}`);
  field('dispatched', `${timestamp(e.dispatchedAt)} (${relativeTime(e.dispatchedAt, now)})`);
  if (e.retryUntil) field('retry until', timestamp(e.retryUntil));
  if (e.backoff !== null) field('backoff', Array.isArray(e.backoff) ? e.backoff.join(', ') : String(e.backoff));
  if (e.timeout !== null) field('timeout', `${e.timeout}s${e.failOnTimeout ? ' (fail on timeout)' : ''}`);
  if (e.unique) field('unique', `${e.unique.key}${e.unique.ttl ? ` for ${e.unique.ttl}s` : ''}`);
  if (e.middleware.length) field('middleware', e.middleware.map((m) => Object.keys(m)[0]).join(', '));
  if (e.tags.length) field('tags', e.tags.join(', '));
  if (e.chain) {
    const chain = e.chain;
    field('chain', `${chain.id}: link ${chain.index + 1} of ${chain.total}`);
    chain.remaining.forEach((link, i) => {
      lines.push({ text: `  next ${chain.index + 2 + i}. ${link.name}`, tone: 'dim' });
    });
    if (chain.catch) lines.push({ text: `  on failure: ${chain.catch.name}`, tone: 'dim' });
  }
  block('data', JSON.stringify(e.data, null, 2) ?? 'undefined');
  if (record.history.length) {
    lines.push({ label: 'history', text: '' });
    for (const a of record.history) {
      const took = formatDuration(a.endedAt - a.startedAt);
      const tone = a.outcome === 'completed' ? 'green' : a.outcome === 'released' ? 'yellow' : 'red';
      lines.push({
        text: `  #${a.attempt} ${timestamp(a.startedAt)} ${a.outcome} after ${took} on ${a.workerId}`,
        tone,
      });
      if (a.error) lines.push({ text: `     ${a.error.split('\n')[0]}`, tone: 'red' });
    }
  }
  if (record.error) block('error', record.error.stack ?? record.error.message, 'red');
  return lines;
}

function stateField(record: JobRecord, now: number): [string, string, Tone] {
  switch (record.state) {
    case 'pending':
      return ['state', `pending since ${relativeTime(record.availableAt, now)}`, 'green'];
    case 'delayed':
      return [
        'state',
        `delayed, due ${relativeTime(record.availableAt, now)} (${timestamp(record.availableAt)})`,
        'yellow',
      ];
    case 'reserved': {
      const running = formatDuration(now - (record.reservedAt ?? now));
      const lease = record.leaseUntil ? `, lease ends ${relativeTime(record.leaseUntil, now)}` : '';
      return ['state', `running on ${record.reservedBy ?? '?'} for ${running}${lease}`, 'cyan'];
    }
    case 'failed':
      return ['state', `failed ${record.failedAt ? relativeTime(record.failedAt, now) : ''}`.trim(), 'red'];
  }
}

const WHY_TONE: Partial<Record<WhyAnswer['cause'], Tone>> = {
  failed: 'red',
  'lost-worker': 'red',
  'no-worker': 'yellow',
  paused: 'yellow',
  'overlap-lock': 'yellow',
  throttled: 'yellow',
  'rate-limited': 'yellow',
  running: 'cyan',
};

/** `why` and its evidence, as `qtool why <id>` (and its --json) tell them. */
export function whyLines(why: WhyAnswer): Line[] {
  const lines: Line[] = [{ label: 'why', text: `${why.cause}: ${why.answer}`, tone: WHY_TONE[why.cause] }];
  for (const [key, value] of Object.entries(why.evidence)) {
    if (value === undefined) continue;
    lines.push({ text: `  ${key}: ${evidenceText(key, value)}`, tone: 'dim' });
  }
  return lines;
}

/** Instants (`…At`, `…Until`) as times, lists joined, records as compact JSON. */
function evidenceText(key: string, value: unknown): string {
  if (typeof value === 'number' && /(At|Until)$/.test(key) && value > 1e12) return timestamp(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return value.join(', ') || '(none)';
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
