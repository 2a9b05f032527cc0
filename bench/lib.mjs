// Shared helpers for the benchmarks: timing, percentiles, temp dirs, child processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainEnvelope } from '../dist/core/envelope.js';
import { Worker } from '../dist/core/worker.js';

export const tempDir = (prefix) => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir) => rmSync(dir, { recursive: true, force: true });

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const rate = (count, ms) => Math.round((count / ms) * 1000);
export const fmt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n));

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const row of rows) console.log(row.map((cell, i) => String(cell).padEnd(widths[i])).join('  '));
}

/** Run a node script as a child process; resolves with its stdout lines once it exits. */
export function runChild(script, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], ...options });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out.split('\n').filter(Boolean)) : reject(new Error(`${script} exited ${code}`)),
    );
  });
}

export function startChild(script, args) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const listeners = [];
  let buffer = '';
  child.stdout.on('data', (c) => {
    buffer += c;
    let index = buffer.indexOf('\n');
    while (index >= 0) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      for (const listener of listeners) listener(line);
      index = buffer.indexOf('\n');
    }
  });
  return { child, onLine: (fn) => listeners.push(fn) };
}

export function envelope(id, queue = 'bench', name = 'Noop') {
  return plainEnvelope({ id, name, queue, data: { n: 1 } });
}

/** Delete every key under a prefix (SCAN: fine in test and bench cleanup, never on a hot path). */
export async function dropRedisPrefix(prefix, url = process.env.QTOOL_TEST_REDIS ?? 'redis://127.0.0.1:6379/0') {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** How many times each bench runs its whole set of cases (`BENCH_RUNS`, default 1). */
export const RUNS = Math.max(1, Math.floor(Number(process.env.BENCH_RUNS ?? 1)));

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The cases one round measures, in order, as measureRounds takes them. */
export function caseList() {
  const measured = [];
  const add = (name, values, higherIsBetter = true, unit = '') => measured.push({ name, values, higherIsBetter, unit });
  return { measured, add };
}

/** The two enqueue cases, from each library's `enqueue(kind)` → `{ single, bulk }`. */
export async function addEnqueueCases(add, kinds, enqueue, bulkName) {
  const results = [];
  for (const kind of kinds) results.push(await enqueue(kind));
  add(
    'enqueue one by one (jobs/s)',
    results.map((r) => r.single),
  );
  add(
    bulkName,
    results.map((r) => r.bulk),
  );
}

/**
 * Run `round` RUNS times (each round measures every case for every library, so a noisy minute
 * hits them all alike) and combine: per case and library the median and the range. `round`
 * returns `[{ name, values: number[] (one per library), higherIsBetter?, unit? }]`, same cases
 * in the same order every time.
 */
export async function measureRounds(round) {
  const rounds = [];
  for (let r = 0; r < RUNS; r++) {
    rounds.push(await round());
    if (RUNS > 1) console.error(`round ${r + 1} of ${RUNS} done`);
  }
  return rounds[0].map((first, i) => {
    const columns = first.values.map((_, k) => rounds.map((cases) => cases[i].values[k]));
    return {
      ...first,
      values: columns.map((column) => (column.some((v) => typeof v !== 'number') ? column[0] : median(column))),
      ranges: columns.map((column) =>
        column.every((v) => typeof v === 'number') ? [Math.min(...column), Math.max(...column)] : null,
      ),
    };
  });
}

/** One table cell: the median, with the range of the runs when there were several. */
export function cell(value, range, unit = '') {
  const show = (n) => (typeof n === 'number' ? `${fmt(Math.round(n * 100) / 100)}${unit}` : String(n));
  // The median of an even count of whole numbers may end in .5: show counts whole.
  if (range && Number.isInteger(range[0]) && Number.isInteger(range[1])) value = Math.round(value);
  if (RUNS === 1 || !range || range[0] === range[1]) return show(value);
  return `${show(value)} (${show(range[0])}-${show(range[1])})`;
}

/** A qtool worker on the bench queue that runs `onJob(data)` for each no-op job. */
export function noopWorker(driver, concurrency, onJob, options = {}) {
  return new Worker({
    driver,
    queues: ['bench'],
    concurrency,
    defaults: { tries: 1, backoff: 0, timeout: 0 },
    sleepMs: 1000,
    heartbeatMs: 60_000,
    jobs: { Noop: { handle: (data) => onJob(data) } },
    ...options,
  });
}
