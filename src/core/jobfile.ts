import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { InputError } from './errors.js';
import { describeIssue, type JobFileEntry, jobFileEntrySchema } from './schema.js';

export interface ParsedJobFile {
  entries: JobFileEntry[];
  format: 'object' | 'array' | 'ndjson';
}

export interface ReadJobFileOptions {
  /** Called every few thousand NDJSON lines, for a progress bar. */
  onProgress?: (linesRead: number) => void;
  /** Replaces process.stdin for '-' (tests). */
  stdin?: Readable;
}

/**
 * Read and validate every job of a file (or '-' for stdin) before anything is dispatched:
 * a JSON object, a JSON array, or NDJSON (one object per line, streamed). The first bad job
 * stops the read with an InputError naming the source, the line or index, and the field.
 */
export async function readJobFile(source: string, options: ReadJobFileOptions = {}): Promise<ParsedJobFile> {
  const label = source === '-' ? 'stdin' : source;
  if (source !== '-') {
    try {
      await access(source);
    } catch {
      throw new InputError(`cannot read job file ${source}: no such file`);
    }
  }
  const stream = source === '-' ? (options.stdin ?? process.stdin) : createReadStream(source, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });

  const entries: JobFileEntry[] = [];
  let lineNo = 0;
  let whole: string[] | null = null; // set once the input turns out not to be NDJSON
  for await (const line of lines) {
    lineNo += 1;
    if (whole) {
      whole.push(line);
      continue;
    }
    const text = line.trim();
    if (text === '') continue;
    if (entries.length === 0 && !text.startsWith('{')) {
      whole = [line]; // an array or something else: parse the whole input at the end
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (entries.length === 0) {
        whole = [line]; // a pretty-printed object spans lines
        continue;
      }
      throw new InputError(`${label} line ${lineNo}: invalid JSON (${jsonProblem(error)})`);
    }
    entries.push(validate(value, `${label} line ${lineNo}`));
    if (options.onProgress && lineNo % 5000 === 0) options.onProgress(lineNo);
  }

  if (whole) return parseWhole(whole.join('\n'), label);
  if (entries.length === 0)
    throw new InputError(`${label}: no jobs found (expected a JSON object, an array, or NDJSON)`);
  options.onProgress?.(lineNo);
  return { entries, format: entries.length === 1 && lineNo === 1 ? 'object' : 'ndjson' };
}

function parseWhole(text: string, label: string): ParsedJobFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const line = badFirstNdjsonLine(text);
    throw new InputError(`${label}${line ? ` line ${line}` : ''}: invalid JSON (${jsonProblem(error)})`);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InputError(`${label}: the array holds no jobs`);
    return { entries: value.map((item, index) => validate(item, `${label} job at index ${index}`)), format: 'array' };
  }
  return { entries: [validate(value, label)], format: 'object' };
}

/** The parser's complaint on one line: it quotes the input, which may span lines. */
function jsonProblem(error: unknown): string {
  const message = (error as Error).message.replace(/\s+/g, ' ');
  return message.length > 160 ? `${message.slice(0, 157)}...` : message;
}

/**
 * NDJSON whose first line is broken reads like a pretty-printed object that failed; when the next
 * line is a whole job object on its own, it was NDJSON, and the first line is the one to name.
 */
function badFirstNdjsonLine(text: string): number | null {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  const second = lines.findIndex((l, i) => i > first && l.trim() !== '');
  if (first < 0 || second < 0) return null;
  try {
    const value = JSON.parse(lines[second]!);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? first + 1 : null;
  } catch {
    return null;
  }
}

export function validate(value: unknown, where: string): JobFileEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${where}: expected a job object like {"job": "Name", "data": {...}}`);
  }
  const result = jobFileEntrySchema.safeParse(value);
  if (!result.success) throw new InputError(`${where}: ${describeIssue(result.error)}`);
  return result.data;
}
