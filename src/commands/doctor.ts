import type { Command } from 'commander';
import { runDoctor } from '../core/doctor.js';
import { type Io, withSession } from './context.js';

export function registerDoctor(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('doctor')
    .description('health checks: store, config, workers, leases, locks, throttles, queues; exit 1 on findings')
    .addHelpText(
      'after',
      '\nExamples:\n  $ qtool doctor\n  $ qtool doctor --json --connection redis://127.0.0.1:6379/0',
    )
    .action(async (_flags: unknown, command: Command) => {
      await withSession(io, command, async (session) => {
        const findings = await runDoctor(session.driver, session.loaded);
        const problems = findings.filter((f) => !f.ok);
        if (session.globals.json) session.printJson({ ok: problems.length === 0, findings });
        else {
          const t = session.theme;
          for (const f of findings) {
            session.print(
              `${f.ok ? t.green('ok  ') : t.red('FAIL')} ${f.check}: ${f.detail}${!f.ok && f.fix ? t.dim(`  → ${f.fix}`) : ''}`,
            );
          }
          session.print(problems.length ? t.red(`${problems.length} problem(s)`) : t.green('all good'));
        }
        if (problems.length) setExitCode(1);
      });
    });
}
