import { createInterface } from 'node:readline/promises';
import { parseDurationSeconds } from '../core/duration.js';
import { InputError } from '../core/errors.js';
import { backoffSchema, describeIssue, queueNameSchema } from '../core/schema.js';
import type { Io } from './context.js';

/** Flag parsers that fail with `--flag: reason` (exit 2). */
export function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDurationSeconds(value);
  } catch (error) {
    throw new InputError(`${flag}: ${(error as Error).message}`);
  }
}

export function intFlag(flag: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim()) || Number(value) < min) {
    throw new InputError(`${flag}: expected a whole number >= ${min}, got "${value}"`);
  }
  return Number(value);
}

export function backoffFlag(value: string | undefined): number | number[] | undefined {
  if (value === undefined) return undefined;
  const parsed = backoffSchema.safeParse(value);
  if (!parsed.success) throw new InputError(`--backoff: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

export function queueFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = queueNameSchema.safeParse(value);
  if (!parsed.success) throw new InputError(`${flag}: "${value}": ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function queueListFlag(value: string): string[] {
  const queues = value
    .split(',')
    .map((q) => q.trim())
    .filter(Boolean);
  if (queues.length === 0) throw new InputError('--queue: name at least one queue');
  return queues.map((q) => queueFlag('--queue', q)!);
}

export function instantFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new InputError(`${flag}: invalid date "${value}" (use ISO-8601, e.g. 2026-01-31T09:00:00Z)`);
  return ms;
}

/** Whether `confirm` would ask: a person at a terminal, without --yes. */
export function willAsk(io: Io, yes: boolean | undefined): boolean {
  return !yes && Boolean(io.stdin.isTTY) && Boolean(io.stdout.isTTY);
}

/** Ask before destroying when a person is at a terminal; scripts (no TTY) and --yes go ahead. */
export async function confirm(io: Io, question: string, yes: boolean | undefined): Promise<void> {
  if (!willAsk(io, yes)) return;
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new InputError('cancelled');
  } finally {
    rl.close();
  }
}
