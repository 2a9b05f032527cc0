import { createServer } from 'node:http';
import type { Command } from 'commander';
import { formatDuration } from '../core/duration.js';
import { InputError } from '../core/errors.js';
import { MINUTE_MS, summarize } from '../core/metrics.js';
import { prometheusText } from '../output/prometheus.js';
import { renderTable } from '../output/table.js';
import { type Io, type Session, withSession } from './context.js';
import { intFlag, queueFlag } from './flags.js';

interface MetricsFlags {
  queue?: string;
  minutes: string;
  byJob?: boolean;
  buckets?: boolean;
  prometheus?: string | boolean;
}

export function registerMetrics(program: Command, io: Io): void {
  program
    .command('metrics')
    .description('throughput, runtime (avg, p95), wait and failure rate per queue, from one-minute buckets')
    .option('--queue <name>', 'only this queue')
    .option('--minutes <n>', 'window to summarize', '60')
    .option('--by-job', 'one row per queue and job name')
    .option('--buckets', 'print the per-minute counts too')
    .option('--prometheus [address]', 'print the Prometheus text format, or serve it at host:port (e.g. :9464)')
    .addHelpText('after', '\nExamples:\n  $ qtool metrics --by-job --minutes 15\n  $ qtool metrics --prometheus :9464')
    .action(async (flags: MetricsFlags, command: Command) => {
      const queue = queueFlag('--queue', flags.queue);
      const minutes = intFlag('--minutes', flags.minutes, 1)!;
      if (minutes > 1440) throw new InputError('--minutes: at most 1440 (metrics are kept for 24 hours)');
      await withSession(io, command, async (session) => {
        if (typeof flags.prometheus === 'string') return servePrometheus(session, flags.prometheus, minutes);
        // Prometheus series are always per job: labels let the query side aggregate.
        const data = await collect(session, minutes, Boolean(flags.byJob || flags.prometheus), queue);
        if (flags.prometheus) return session.print(prometheusText(data.stats, data.summaries, minutes).trimEnd());
        if (session.globals.json) return session.printJson({ minutes, queues: data.summaries });
        if (data.summaries.length === 0)
          return session.print(session.theme.dim(`no jobs finished in the last ${minutes} minutes`));
        const ms = (value: number | null) => (value === null ? '-' : formatDuration(value));
        session.print(
          renderTable(
            [
              'QUEUE',
              ...(flags.byJob ? ['JOB'] : []),
              'JOBS/MIN',
              'PROCESSED',
              'FAILED',
              'FAIL %',
              'AVG',
              'P95',
              'WAIT',
            ],
            data.summaries.map((m) => [
              m.queue,
              ...(flags.byJob ? [m.job ?? ''] : []),
              m.throughput,
              m.processed,
              m.failed,
              (m.failureRate * 100).toFixed(1),
              ms(m.avgRuntimeMs),
              ms(m.p95RuntimeMs),
              ms(m.avgWaitMs),
            ]),
          ),
        );
        if (flags.buckets)
          for (const m of data.summaries)
            session.print(`${m.queue}${m.job ? `/${m.job}` : ''}: ${m.perMinute.join(' ')}`);
      });
    });
}

async function collect(session: Session, minutes: number, byJob: boolean, queue?: string) {
  const now = await session.driver.now();
  const [rows, stats] = await Promise.all([
    session.driver.metricsRead({ since: now - minutes * MINUTE_MS }),
    session.driver.queueStats(),
  ]);
  const summaries = summarize(rows, now, minutes, byJob).filter((m) => !queue || m.queue === queue);
  return {
    stats: stats.filter((s) => !queue || s.queue === queue),
    summaries: summaries.sort((a, b) => a.queue.localeCompare(b.queue)),
  };
}

async function servePrometheus(session: Session, address: string, minutes: number): Promise<void> {
  const match = /^(.*):(\d+)$/.exec(address);
  if (!match) throw new InputError(`--prometheus: expected host:port or :port, got "${address}"`);
  const host = match[1] || '127.0.0.1';
  const port = Number(match[2]);
  const server = createServer(async (req, res) => {
    try {
      const data = await collect(session, minutes, true);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(prometheusText(data.stats, data.summaries, minutes));
    } catch (error) {
      res.writeHead(500);
      res.end(String(error));
    }
    void req;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  session.io.stderr.write(`qtool: serving Prometheus metrics at http://${host}:${port}/metrics (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
