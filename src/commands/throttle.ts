import type { Command } from 'commander';
import { QtoolError } from '../core/errors.js';
import type { CounterState } from '../drivers/types.js';
import { relativeTime, timestamp } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { type Io, withSession } from './context.js';

/** Open, or tripped until the window ends. */
export function counterStatus(counter: CounterState): { tripped: boolean; until: number | null } {
  const limit = counter.meta?.limit ?? Number.POSITIVE_INFINITY;
  return counter.count >= limit ? { tripped: true, until: counter.expiresAt } : { tripped: false, until: null };
}

export function registerThrottle(program: Command, io: Io): void {
  const throttle = program
    .command('throttle')
    .description('exception throttles and rate limiters: key, count/limit, window, state')
    .addHelpText('after', '\nExamples:\n  $ qtool throttle\n  $ qtool throttle clear throttle:ChargeCard')
    .action(async (_flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const counters = await session.driver.counterList();
        if (session.globals.json) {
          return session.printJson({ counters: counters.map((c) => ({ ...c, ...counterStatus(c) })) });
        }
        if (counters.length === 0) return session.print(session.theme.dim('no throttles or rate limits in effect'));
        const now = Date.now();
        const t = session.theme;
        session.print(
          renderTable(
            ['KEY', 'KIND', 'COUNT', 'WINDOW ENDS', 'STATE'],
            counters.map((c) => {
              const state = counterStatus(c);
              return [
                c.key,
                c.meta?.kind ?? '',
                `${c.count}/${c.meta?.limit ?? '?'}`,
                `${relativeTime(c.expiresAt, now)} (${timestamp(c.expiresAt).slice(11)})`,
                state.tripped ? t.red(`tripped until ${timestamp(state.until!).slice(11)}`) : t.green('open'),
              ];
            }),
          ),
        );
      });
    });

  throttle
    .command('clear')
    .description('reset a throttle or rate-limit counter, so waiting jobs may run at once')
    .argument('<keys...>', 'counter keys')
    .action(async (keys: string[], _flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const cleared: string[] = [];
        for (const key of keys) if (await session.driver.counterClear(key)) cleared.push(key);
        const missing = keys.filter((k) => !cleared.includes(k));
        if (session.globals.json) session.printJson({ cleared, missing });
        else for (const key of cleared) session.print(`cleared ${key}`);
        if (missing.length) throw new QtoolError(`no counter ${missing.join(', ')}`);
      });
    });
}
