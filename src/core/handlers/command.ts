import { spawn } from 'node:child_process';
import type { CommandJobDefinition } from '../define.js';
import type { RunningJob } from '../running-job.js';
import { fillTemplate } from './template.js';

const OUTPUT_CAP = 64 * 1024;
/** Time between SIGTERM and SIGKILL when a command job is aborted. */
const KILL_GRACE_MS = 5000;

/**
 * Run a command job: the argv template is filled slot by slot and spawned without a shell, so
 * data never becomes shell syntax. Output is kept (capped) with the attempt; a non-zero exit
 * fails the attempt; an abort (timeout, shutdown) sends SIGTERM, then SIGKILL.
 */
export async function runCommandJob(definition: CommandJobDefinition, job: RunningJob): Promise<void> {
  const argv = definition.command.map((slot) => fillTemplate(slot, job.envelope.data));
  const [file, ...args] = argv;
  if (!file) throw new Error('command job has an empty command');
  const signal = job.signal;
  if (signal.aborted) throw signal.reason;

  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: definition.cwd,
      env: { ...process.env, ...definition.env, QTOOL_JOB_ID: job.id, QTOOL_ATTEMPT: String(job.attempt) },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < OUTPUT_CAP) stdout += chunk.slice(0, OUTPUT_CAP - stdout.length);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < OUTPUT_CAP) stderr += chunk.slice(0, OUTPUT_CAP - stderr.length);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      reject(error.code === 'ENOENT' ? new Error(`command not found: ${file}`) : error);
    });
    child.on('close', (code, killedBy) => {
      signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      job.stdout = stdout;
      job.stderr = stderr;
      if (signal.aborted) return reject(signal.reason);
      if (code === 0) return resolve();
      const tail = stderr.trim().split('\n').pop() ?? '';
      const how = killedBy ? `was killed by ${killedBy}` : `exited with code ${code}`;
      reject(new Error(`command ${file} ${how}${tail ? `: ${tail}` : ''}`));
    });
  });
}
