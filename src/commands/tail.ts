import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { eventMatcher, followEvents } from '../core/events.js';
import { formatEventLine } from '../output/event-line.js';
import { type Io, withSession } from './context.js';
import { durationFlag, queueFlag } from './flags.js';

interface TailFlags {
  queue?: string;
  job?: string;
  since?: string;
  fromId?: string;
}

export function registerTail(program: Command, io: Io): void {
  program
    .command('tail')
    .description('stream lifecycle events as they happen (Ctrl-C to stop)')
    .argument('[patterns...]', 'event names, * as wildcard: job.* lock.* job.failed')
    .option('--queue <name>', 'only events of this queue')
    .option('--job <name>', 'only events of this job name')
    .option('--since <duration>', 'replay stored events of the last 5m, 1h… first')
    .option('--from-id <id>', 'replay stored events after this event id first')
    .addHelpText(
      'after',
      '\nExamples:\n  $ qtool tail job.failed --queue podcasts\n  $ qtool tail --since 10m --json | jq .name',
    )
    .action(async (patterns: string[], flags: TailFlags, command: Command) => {
      if (flags.since !== undefined && flags.fromId !== undefined)
        throw new InputError('--since and --from-id: give one, not both');
      const queue = queueFlag('--queue', flags.queue);
      const sinceSeconds = durationFlag('--since', flags.since);
      const matches = eventMatcher(patterns);
      await withSession(
        io,
        command,
        async (session) => {
          const stop = new AbortController();
          const onSignal = () => stop.abort();
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          const since = sinceSeconds === undefined ? undefined : (await session.driver.now()) - sinceSeconds * 1000;
          try {
            for await (const event of followEvents(session.driver, {
              fromId: flags.fromId,
              since,
              signal: stop.signal,
            })) {
              if (!matches(event.name)) continue;
              if (queue && event.queue !== queue) continue;
              if (flags.job && event.jobName !== flags.job) continue;
              session.print(session.globals.json ? JSON.stringify(event) : formatEventLine(event, session.theme));
            }
          } finally {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          }
        },
        { reconnect: true },
      );
    });
}
