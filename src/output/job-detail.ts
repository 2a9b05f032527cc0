import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../core/duration.js';
import type { AttemptRecord } from '../core/envelope.js';
import type { JobRecord } from '../drivers/types.js';
import { relativeTime, timestamp } from './format.js';

/** The full story of one job, for `jobs show` and `failed show`. */
export function renderJobDetail(record: JobRecord, t: ChalkInstance): string {
  const e = record.envelope;
  const now = Date.now();
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`${t.bold(label.padEnd(12))} ${value}`);
  field('id', e.id);
  field('job', e.name);
  field('queue', e.queue + (e.connection ? t.dim(` (${e.connection})`) : ''));
  const stateText = {
    pending: t.green('pending'),
    delayed: t.yellow(`delayed, available ${relativeTime(record.availableAt, now)} (${timestamp(record.availableAt)})`),
    reserved: t.cyan(
      `reserved by ${record.reservedBy ?? '?'} for ${formatDuration(now - (record.reservedAt ?? now))}, lease ${relativeTime(record.leaseUntil ?? now, now)}`,
    ),
    failed: t.red(`failed ${record.failedAt ? relativeTime(record.failedAt, now) : ''}`),
  }[record.state];
  field('state', stateText);
  const tries = e.maxTries === null ? 'worker default' : e.maxTries === 0 ? 'unlimited' : String(e.maxTries);
  field(
    'attempts',
    `${e.attempts} (tries: ${tries}${e.exceptions ? `, exceptions: ${e.exceptions}` : ''}${e.lockWaits ? `, lock waits: ${e.lockWaits}` : ''})`,
  );
  field('dispatched', `${timestamp(e.dispatchedAt)} (${relativeTime(e.dispatchedAt, now)})`);
  if (e.retryUntil) field('retry until', timestamp(e.retryUntil));
  if (e.backoff !== null) field('backoff', Array.isArray(e.backoff) ? e.backoff.join(',') : String(e.backoff));
  if (e.timeout !== null) field('timeout', `${e.timeout}s${e.failOnTimeout ? ' (fail on timeout)' : ''}`);
  if (e.unique) field('unique', `${e.unique.key}${e.unique.ttl ? ` for ${e.unique.ttl}s` : ''}`);
  if (e.idempotencyKey) field('idempotency', e.idempotencyKey);
  if (e.middleware.length) field('middleware', e.middleware.map((m) => Object.keys(m)[0]).join(', '));
  if (e.tags.length) field('tags', e.tags.join(', '));
  if (e.chain) {
    const chain = e.chain;
    const failed = record.state === 'failed';
    const position = `${chain.id}: link ${chain.index + 1} of ${chain.total}`;
    field(
      'chain',
      failed ? `${position} ${t.red('failed here')}; \`qtool retry ${e.id}\` resumes the chain` : position,
    );
    const link = (label: string, text: string) => lines.push(`${''.padEnd(13)}${label.padEnd(9)}${text}`);
    if (chain.index > 0) link(t.dim('done'), t.dim(`${chain.index} link(s) before this one`));
    link(failed ? t.red('failed') : 'this', `${chain.index + 1}. ${e.name}`);
    // A failed link's followers have not been dispatched: they run only if a retry succeeds.
    chain.remaining.forEach((next, i) => {
      link(t.dim(failed ? 'to come' : 'waiting'), t.dim(`${chain.index + 2 + i}. ${next.name}`));
    });
    if (chain.catch) link(t.dim('catch'), t.dim(chain.catch.name));
  }
  lines.push(t.bold('data'));
  lines.push(indent(JSON.stringify(e.data, null, 2)));
  if (record.history.length) {
    lines.push(t.bold('history'));
    for (const attempt of record.history) lines.push(indent(attemptLine(attempt, t)));
  }
  if (record.error) {
    lines.push(t.bold('error'));
    lines.push(indent(t.red(record.error.stack ?? record.error.message)));
  }
  return lines.join('\n');
}

function attemptLine(a: AttemptRecord, t: ChalkInstance): string {
  const head = `#${a.attempt} ${timestamp(a.startedAt)} ${a.outcome} after ${formatDuration(a.endedAt - a.startedAt)} on ${a.workerId}`;
  const parts = [head];
  if (a.error) parts.push(t.red(`  ${a.error}`));
  if (a.stdout) parts.push(t.dim(`  stdout: ${a.stdout.trimEnd().split('\n').slice(-5).join('\n          ')}`));
  if (a.stderr) parts.push(t.dim(`  stderr: ${a.stderr.trimEnd().split('\n').slice(-5).join('\n          ')}`));
  return parts.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
