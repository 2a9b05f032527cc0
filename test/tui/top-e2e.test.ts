import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, type Project, tempProject, waitFor } from '../helpers/cli.js';

const CONFIG = `
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
export default {
  jobs: {
    ProcessPodcast: { async handle() { await new Promise((r) => setTimeout(r, 100)); } },
    FailOnce: {
      handle() {
        if (!existsSync('failed-once')) { writeFileSync('failed-once', ''); throw new Error('first attempt fails'); }
        appendFileSync('ran.txt', 'ran\\n');
      },
    },
  },
};
`;

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `qtool-top-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'top');

let project: Project;
beforeEach(() => {
  project = tempProject(CONFIG);
});
afterEach(async () => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  await project.cleanup();
});

describe.skipIf(!hasTmux)('qtool top in a terminal (tmux), built binary, SQLite, a running worker', () => {
  it('shows counts change as the worker runs, r on a failed job makes it run, C then y clears a queue', async () => {
    const jobs = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ job: 'ProcessPodcast', queue: 'podcasts', data: { i } }),
    );
    jobs.push(JSON.stringify({ job: 'FailOnce', queue: 'podcasts' }));
    // A queue no worker listens to, sorted first: C clears it at the end.
    for (let i = 0; i < 3; i++) jobs.push(JSON.stringify({ job: 'ProcessPodcast', queue: 'backlog', data: { i } }));
    await project.run(['dispatch', '-', '--quiet'], { input: `${jobs.join('\n')}\n` });

    const command = `env -u CI NO_COLOR=1 ${process.execPath} ${BIN} top --interval 200ms; echo TOP-EXITED-$?; sleep 60`;
    tmux('new-session', '-d', '-s', 'top', '-x', '100', '-y', '30', '-c', project.dir, command);
    await waitFor(() => /podcasts\s+21\s/.test(screen()), 10_000, 'the queue with 21 pending');

    const worker = project.spawn(['work', '--queue', 'podcasts', '--sleep', '100ms']);
    try {
      const pending = () => Number(/podcasts\s+(\d+)\s/.exec(screen())?.[1] ?? 21);
      await waitFor(() => pending() < 21, 10_000, 'the pending count to drop');
      await waitFor(() => /podcasts\s+0\s+0\s+0\s+1\s/.test(screen()), 20_000, 'all done, one failed');
      expect(screen()).toMatch(/workers 1/);

      tmux('send-keys', '-t', 'top', '2');
      await waitFor(() => screen().includes('first attempt fails'), 5000, 'the failed pane');
      tmux('send-keys', '-t', 'top', 'r');
      await waitFor(() => /retried job \w{26}/.test(screen()), 5000, 'the status line');
      await waitFor(() => existsSync(join(project.dir, 'ran.txt')), 10_000, 'the retried job to run');
      expect(readFileSync(join(project.dir, 'ran.txt'), 'utf8')).toBe('ran\n');
      await waitFor(() => screen().includes('no failed jobs'), 5000, 'the failed pane to empty');

      tmux('send-keys', '-t', 'top', '1');
      await waitFor(() => /›\s?backlog\s+3\s/.test(screen()), 5000, 'the backlog queue under the cursor');
      tmux('send-keys', '-t', 'top', 'c');
      await waitFor(() => screen().includes('C clears'), 5000, 'c to point to C');
      tmux('send-keys', '-t', 'top', 'C');
      await waitFor(
        () => screen().includes('delete every pending and delayed job of backlog? (y/n)'),
        5000,
        'the question',
      );
      tmux('send-keys', '-t', 'top', 'y');
      await waitFor(() => screen().includes('cleared 3 jobs of backlog'), 5000, 'the queue cleared');
      await waitFor(() => /backlog\s+0\s/.test(screen()), 5000, 'the backlog count at 0');

      tmux('send-keys', '-t', 'top', 'q');
      await waitFor(() => screen().includes('TOP-EXITED-0'), 5000, 'top to exit 0');
    } finally {
      worker.kill('SIGTERM');
      await worker.exited;
    }
  });
});
