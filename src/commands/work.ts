import type { Command } from 'commander';
import { WORKER_DEFAULTS } from '../core/attempts.js';
import { parseDurationMs, parseDurationSeconds } from '../core/duration.js';
import { STOP_EXIT_CODES, Worker } from '../core/worker.js';
import { attemptRecord, formatAttemptLine } from '../output/worker-log.js';
import { type Io, withSession } from './context.js';
import { backoffFlag, durationFlag, intFlag, queueListFlag } from './flags.js';

interface WorkFlags {
  queue: string;
  concurrency?: string;
  lease?: string;
  sleep: string;
  maxJobs?: string;
  maxTime?: string;
  stopWhenEmpty?: boolean;
  once?: boolean;
  memory?: string;
  tries?: string;
  backoff?: string;
  timeout?: string;
}

export function registerWork(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('work')
    .description('run a worker: take jobs from the queues and run them until stopped')
    .option('--queue <names>', 'queues in strict priority order, comma-separated', 'default')
    .option('--concurrency <n>', 'jobs run at once in this process (default: 1)')
    .option('--lease <duration>', "how long a reserved job stays this worker's without renewal (default: 30s)")
    .option('--sleep <duration>', 'longest wait for a job before re-checking stop conditions', '3s')
    .option('--max-jobs <n>', 'stop after this many jobs')
    .option('--max-time <duration>', 'stop after running this long (checked between jobs)')
    .option('--stop-when-empty', 'stop once the queues hold nothing pending, delayed or reserved')
    .option('--once', 'run a single job, then stop')
    .option('--memory <mb>', 'stop (exit 12) once the process uses this many MB')
    .option('--tries <n>', `default tries for jobs that set none (default: ${WORKER_DEFAULTS.tries})`)
    .option('--backoff <list>', 'default seconds between tries, e.g. 10,60 (default: 0)')
    .option(
      '--timeout <duration>',
      `default time an attempt may take; 0 for none (default: ${WORKER_DEFAULTS.timeout}s)`,
    )
    .addHelpText(
      'after',
      `
SIGTERM or Ctrl-C stops taking jobs and finishes those in hand; a second one aborts them
(they are released, not lost). \`qtool restart\` makes running workers exit after their job.

Examples:
  $ qtool work --queue=high,default --concurrency 4
  $ qtool work --queue=podcasts --stop-when-empty --json`,
    )
    .action(async (flags: WorkFlags, command: Command) => {
      const queues = queueListFlag(flags.queue);
      const options = {
        concurrency: intFlag('--concurrency', flags.concurrency, 1),
        leaseMs: flags.lease === undefined ? undefined : (durationFlag('--lease', flags.lease) ?? 30) * 1000,
        sleepMs: (durationFlag('--sleep', flags.sleep) ?? 3) * 1000,
        maxJobs: intFlag('--max-jobs', flags.maxJobs, 1),
        maxTimeMs: flags.maxTime === undefined ? undefined : durationFlag('--max-time', flags.maxTime)! * 1000,
        memoryMb: intFlag('--memory', flags.memory, 1),
        tries: intFlag('--tries', flags.tries),
        backoff: backoffFlag(flags.backoff),
        timeout: durationFlag('--timeout', flags.timeout),
      };
      await withSession(
        io,
        command,
        async (session) => {
          const { config } = session.loaded;
          const fromConfig = config.worker ?? {};
          const configBackoff = fromConfig.backoff;
          const worker = new Worker({
            driver: session.driver,
            jobs: config.jobs ?? {},
            limiters: config.limiters,
            queues,
            concurrency: options.concurrency ?? fromConfig.concurrency ?? 1,
            leaseMs: options.leaseMs ?? (fromConfig.lease !== undefined ? parseDurationMs(fromConfig.lease) : 30_000),
            sleepMs: Math.max(options.sleepMs, 10),
            maxJobs: options.maxJobs,
            maxTimeMs: options.maxTimeMs,
            memoryMb: options.memoryMb,
            stopWhenEmpty: flags.stopWhenEmpty,
            once: flags.once,
            defaults: {
              tries: options.tries ?? fromConfig.tries ?? WORKER_DEFAULTS.tries,
              backoff:
                options.backoff ??
                (Array.isArray(configBackoff)
                  ? configBackoff.map((b) => parseDurationSeconds(b))
                  : configBackoff !== undefined
                    ? parseDurationSeconds(configBackoff)
                    : WORKER_DEFAULTS.backoff),
              timeout:
                options.timeout ??
                (fromConfig.timeout !== undefined ? parseDurationSeconds(fromConfig.timeout) : WORKER_DEFAULTS.timeout),
            },
            onResult: (result) =>
              session.print(
                session.globals.json ? JSON.stringify(attemptRecord(result)) : formatAttemptLine(result, session.theme),
              ),
            onWarning: (message) => io.stderr.write(`qtool: ${message}\n`),
          });
          let signals = 0;
          const onSignal = () => {
            signals += 1;
            worker.stop('interrupted', signals > 1);
          };
          process.on('SIGTERM', onSignal);
          process.on('SIGINT', onSignal);
          process.on('SIGQUIT', onSignal);
          if (!session.globals.json) {
            io.stderr.write(`qtool: worker ${worker.id} on ${session.connectionLabel}, queues ${queues.join(', ')}\n`);
          }
          try {
            const reason = await worker.run();
            if (!session.globals.json) io.stderr.write(`qtool: worker stopped (${reason})\n`);
            setExitCode(STOP_EXIT_CODES[reason]);
          } finally {
            process.off('SIGTERM', onSignal);
            process.off('SIGINT', onSignal);
            process.off('SIGQUIT', onSignal);
          }
        },
        { reconnect: true },
      );
    });
}
