import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dropRedisPrefix } from '../../bench/lib.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'qtool.js');
const TRACE_PRELOAD = pathToFileURL(join(ROOT, 'test', 'helpers', 'trace-preload.mjs')).href;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Project {
  dir: string;
  /** The Redis key prefix of this project's store (used when the store is Redis). */
  prefix: string;
  /** Run the built binary in this directory. */
  run(
    args: string[],
    options?: { input?: string; env?: Record<string, string>; timeoutMs?: number },
  ): Promise<RunResult>;
  /** Start the binary and leave it running (workers). */
  spawn(
    args: string[],
    options?: { env?: Record<string, string> },
  ): ChildProcess & { output(): RunResult; exited: Promise<number | null> };
  write(name: string, content: string | object): string;
  cleanup(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'redis';
export const STORES: StoreKind[] = ['sqlite', 'redis'];
export const REDIS_URL = process.env.QTOOL_TEST_REDIS ?? 'redis://127.0.0.1:6379/0';

/**
 * A temp directory with an optional config, where the real `qtool` binary runs as a user would run
 * it, on the embedded SQLite file or, with `store: 'redis'`, on Redis under a key prefix of its own.
 */
export function tempProject(config?: string, store: StoreKind = 'sqlite'): Project {
  const dir = mkdtempSync(join(tmpdir(), 'qtool-e2e-'));
  const baseEnv: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  delete baseEnv.QTOOL_CONNECTION;
  delete baseEnv.QTOOL_CONFIG;
  const prefix = `qtool-e2e:${basename(dir)}:`;
  if (store === 'redis') baseEnv.QTOOL_CONNECTION = `${REDIS_URL}?prefix=${encodeURIComponent(prefix)}`;
  const project: Project = {
    dir,
    prefix,
    run(args, options = {}) {
      return runCommand(process.execPath, [BIN, ...args], {
        cwd: dir,
        env: { ...baseEnv, ...options.env },
        input: options.input,
        timeoutMs: options.timeoutMs,
      });
    },
    spawn(args, options = {}) {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...baseEnv, ...options.env } });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr?.on('data', (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      return Object.assign(child, { output: () => ({ code: child.exitCode, stdout, stderr }), exited });
    },
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
      if (store === 'redis') await dropRedisPrefix(prefix);
    },
  };
  if (config !== undefined) project.write('qtool.config.mjs', config);
  return project;
}

/** Run a program to its end, collecting its output; rejects (after SIGKILL) when it overruns. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<RunResult> {
  // A node program that overruns is asked for a diagnostic report (its open handles and its Redis
  // client's last debug lines, see trace-preload.mjs) before it is killed, so a rare hang says
  // where it was.
  const reports = command === process.execPath ? mkdtempSync(join(tmpdir(), 'qtool-report-')) : null;
  const argv = reports ? ['--import', TRACE_PRELOAD, ...args] : args;
  const env = reports ? { ...(options.env ?? process.env), QTOOL_TEST_TRACE_DIR: reports } : options.env;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, argv, { cwd: options.cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(async () => {
      const report = reports ? await diagnosticReport(child, reports) : '';
      child.kill('SIGKILL');
      reject(
        new Error(
          `${[command, ...args].join(' ')} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}${report}`,
        ),
      );
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (reports) rmSync(reports, { recursive: true, force: true });
      resolvePromise({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/**
 * The open libuv handles and the Redis client's last debug lines of a stuck node child, which
 * trace-preload.mjs writes into `directory` on SIGUSR2 (the trace first, then report.json).
 */
async function diagnosticReport(child: ChildProcess, directory: string): Promise<string> {
  child.kill('SIGUSR2');
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 50));
    let report: { libuv?: { type: string; is_active?: boolean; remoteEndpoint?: unknown }[] };
    try {
      report = JSON.parse(readFileSync(join(directory, 'report.json'), 'utf8'));
    } catch {
      continue; // not written yet, or still being written
    }
    const handles = (report.libuv ?? [])
      .filter((h) => h.is_active)
      .map((h) => `${h.type}${h.remoteEndpoint ? ` -> ${JSON.stringify(h.remoteEndpoint)}` : ''}`);
    let trace = '';
    try {
      trace = readFileSync(join(directory, 'trace.txt'), 'utf8').split('\n').slice(-80).join('\n');
    } catch {
      // the program ended meanwhile (its directory is gone)
    }
    return `\nactive handles: ${handles.join(', ')}\nlast Redis client lines:\n${trace || '(none)'}`;
  }
  return '\nreport: none written (or the program ended meanwhile)';
}

/** Poll until `check` passes or the time runs out (no fixed sleeps in tests). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

export { dropRedisPrefix };
