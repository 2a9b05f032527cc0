import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { relativeTime } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { type Io, withSession } from './context.js';
import { confirm } from './flags.js';

export function registerLocks(program: Command, io: Io): void {
  const locks = program
    .command('locks')
    .description('overlap locks held now: key, owner (worker and job), acquired, expires')
    .addHelpText('after', '\nExamples:\n  $ qtool locks\n  $ qtool locks release overlap:ProcessPodcast:42')
    .action(async (_flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const rows = await session.driver.lockList();
        if (session.globals.json) return session.printJson({ locks: rows });
        if (rows.length === 0) return session.print(session.theme.dim('no locks held'));
        const now = Date.now();
        session.print(
          renderTable(
            ['KEY', 'JOB', 'WORKER', 'ACQUIRED', 'EXPIRES'],
            rows.map((l) => [
              l.key,
              l.jobId ?? '',
              l.workerId ?? '',
              relativeTime(l.acquiredAt, now),
              l.expiresAt ? relativeTime(l.expiresAt, now) : 'never',
            ]),
          ),
        );
      });
    });

  locks
    .command('release')
    .description('release locks by key whoever holds them (a stuck lock after a crash)')
    .argument('[keys...]', 'lock keys')
    .option('--all', 'release every lock')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (keys: string[], flags: { all?: boolean; yes?: boolean }, command: Command) => {
      if (!flags.all && keys.length === 0) throw new InputError('name lock keys, or --all');
      if (flags.all && keys.length > 0) throw new InputError('give lock keys or --all, not both');
      await withSession(io, command, async (session) => {
        let targets = keys;
        if (flags.all) {
          targets = (await session.driver.lockList()).map((l) => l.key);
          if (targets.length === 0)
            return session.globals.json ? session.printJson({ released: [] }) : session.print('no locks held');
          await confirm(io, `release ${targets.length} lock(s)?`, flags.yes);
        }
        const released = await session.driver.lockForceRelease(targets);
        if (released.length) {
          await session.driver.eventsAppend(
            released.map((key) => ({ name: 'lock.released', details: { key, forced: true } })),
          );
        }
        if (session.globals.json)
          return session.printJson({ released, notHeld: targets.filter((k) => !released.includes(k)) });
        for (const key of targets) session.print(released.includes(key) ? `released ${key}` : `not held ${key}`);
      });
    });
}
