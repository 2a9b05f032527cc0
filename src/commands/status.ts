import type { Command } from 'commander';
import { formatDuration } from '../core/duration.js';
import { type MetricSummary, MINUTE_MS, summarize } from '../core/metrics.js';
import { timestamp } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { batchProgress } from './batch.js';
import { type Io, type Session, withSession } from './context.js';
import { durationFlag } from './flags.js';

export function registerStatus(program: Command, io: Io): void {
  program
    .command('status')
    .description('per queue: pending, delayed, reserved, failed, paused, jobs/min and wait (last 5 min), processed')
    .option('--watch', 'refresh until Ctrl-C')
    .option('--interval <duration>', 'refresh interval with --watch', '1s')
    .addHelpText('after', '\nExamples:\n  $ qtool status\n  $ qtool status --watch --interval 2s')
    .action(async (flags: { watch?: boolean; interval: string }, command: Command) => {
      const intervalMs = (durationFlag('--interval', flags.interval) ?? 1) * 1000;
      await withSession(io, command, async (session) => {
        if (!flags.watch) return renderOnce(session);
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          while (!stop.signal.aborted) {
            if (io.stdout.isTTY) io.stdout.write('\x1b[H\x1b[2J');
            await renderOnce(session);
            await new Promise((resolve) => setTimeout(resolve, intervalMs));
          }
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });
    });
}

/** Throughput and wait in `status` are averages over the last minutes. */
const STATUS_WINDOW_MIN = 5;

async function renderOnce(session: Session): Promise<void> {
  const now = await session.driver.now();
  const [stats, workers, rows] = await Promise.all([
    session.driver.queueStats(),
    session.driver.workerList({ sinceMs: 30_000 }),
    session.driver.metricsRead({ since: now - STATUS_WINDOW_MIN * MINUTE_MS }),
  ]);
  const rates = new Map<string, MetricSummary>(summarize(rows, now, STATUS_WINDOW_MIN).map((m) => [m.queue, m]));
  const queues = stats
    .sort((a, b) => a.queue.localeCompare(b.queue))
    .map((q) => ({
      ...q,
      jobsPerMinute: rates.get(q.queue)?.throughput ?? 0,
      avgWaitMs: rates.get(q.queue)?.avgWaitMs ?? null,
    }));
  // Batches still running, for a progress line each.
  const batches = (await session.driver.batchList({ limit: 20 })).filter((b) => b.pending > b.failed && !b.cancelledAt);
  if (session.globals.json) {
    return session.printJson({
      connection: session.connectionLabel,
      workers: workers.length,
      windowMinutes: STATUS_WINDOW_MIN,
      queues,
      batches,
    });
  }
  const t = session.theme;
  session.print(
    `${t.bold('connection')} ${session.connectionLabel}   ${t.bold('workers')} ${workers.length}   ${t.dim(timestamp(Date.now()))}`,
  );
  if (queues.length === 0) return session.print(t.dim('no queues yet: dispatch a job with `qtool dispatch`'));
  session.print(
    renderTable(
      [
        'QUEUE',
        'PENDING',
        'DELAYED',
        'RESERVED',
        'WAITING',
        'FAILED',
        'PAUSED',
        'JOBS/MIN',
        'WAIT',
        'PROCESSED',
        'FAILED (ALL)',
      ],
      queues.map((q) => [
        q.queue,
        q.pending,
        q.delayed,
        q.reserved,
        q.waiting ? t.yellow(String(q.waiting)) : 0,
        q.failed ? t.red(String(q.failed)) : 0,
        q.paused ? t.yellow('yes') : 'no',
        q.jobsPerMinute,
        q.avgWaitMs === null ? '-' : formatDuration(q.avgWaitMs),
        q.processedTotal,
        q.failedTotal,
      ]),
    ),
  );
  for (const b of batches)
    session.print(`${t.bold('batch')} ${b.id}${b.name ? ` (${b.name})` : ''}: ${batchProgress(b)}`);
}
