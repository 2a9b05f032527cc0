import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { explainJob } from '../../src/core/why.js';
import { Screen } from '../../src/tui/components/screen.js';
import type { Action, State } from '../../src/tui/state.js';
import { CONNECTION, plain, type Scene, scene, stateAfter, WORKER } from './fixture.js';

let s: Scene;
beforeAll(async () => {
  s = await scene();
});
const level = chalk.level;
afterEach(() => {
  chalk.level = level;
});

const key = (input: string, extra: Record<string, boolean> = {}): Action => ({ type: 'key', input, key: extra });
const ENTER = key('\r', { return: true });

function frame(state: State): string {
  const instance = render(<Screen state={state} connection={CONNECTION} />);
  const text = instance.lastFrame() ?? '';
  instance.unmount();
  return text;
}

async function screen(actions: Action[], size = { columns: 80, rows: 24 }): Promise<string> {
  return plain(frame(await stateAfter(s.driver, actions, size)));
}

function expectFits(text: string, columns: number, rows: number) {
  const lines = text.split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
}

describe('panes at 80x24', () => {
  it.each<[string, Action[], (string | RegExp)[]]>([
    [
      'header',
      [],
      [/qtool sqlite:\/.*qtool\.db/, 'workers 1 (1 lost)', /jobs\/min \d+/, /failed\/1h \d+/, '[1 Queues]'],
    ],
    ['queues', [], [/emails\s+1\s+1\s+0\s+0 paused/, /›?\s*podcasts\s+10\s+0\s+1\s+1 active\s+\d+ [ ▁▂▃▄▅▆▇█]+\s+2s/]],
    ['queue drill-down: pending', [key('j'), ENTER], ['podcasts', '[pending 10]', 'WAITING', 'ProcessPodcast']],
    ['queue drill-down: delayed with due-in', [ENTER, key('l')], ['[delayed 1]', 'SendEmail', /in (10m|9m5\ds)/]],
    [
      'queue drill-down: reserved with worker',
      [key('j'), ENTER, key('l'), key('l')],
      ['[reserved 1]', WORKER.slice(0, 12), 'RUNNING'],
    ],
    ['queue drill-down: failed with error', [key('j'), ENTER, key('h')], ['[failed 1]', 'Error: feed timed out']],
    ['failed', [key('2')], ['[2 Failed 1]', 'podcasts', 'Error: feed timed']],
    ['workers', [key('3')], ['1 alive, 1 lost', 'web-1:4242:a1b2c3', 'ProcessPodcast', /LOST/]],
    ['locks', [key('4')], ['1 held', 'overlap:ProcessPodcast:1', /in (2m|1m\d+s)/]],
    ['throttles', [key('5')], ['throttle:ChargeCard', '3/3', 'tripped until', 'rate:mailgun', 'open']],
    ['events', [key('6')], ['job.dispatched', 'SendEmail', 'live']],
    ['events filtered', [key('6'), key('/'), key('e'), key('m')], ['matching em', 'SendEmail', '/em_']],
    ['help', [key('?')], ['Tab / Shift-Tab', 'select / unselect the row', 'release locks', 'quit']],
    ['confirm question', [key('4'), key('X')], ['release lock overlap:ProcessPodcast:1 whoever holds it? (y/n)']],
    [
      'selected rows: a * marker and the count in the status line',
      [key('j'), ENTER, key('x'), key('x')],
      [/^ \*\w{26} ProcessPodcast/m, /^›\s\w{26} ProcessPodcast/m, /2 selected\s+\? help {2}q quit$/m],
    ],
  ])('%s', async (_name, actions, expected) => {
    const text = await screen(actions);
    for (const want of expected) expect(text).toMatch(want);
    expectFits(text, 80, 24);
  });

  it('job detail: payload pretty-printed, attempts, error and stack', async () => {
    const text = await screen([key('2'), ENTER]);
    expect(text).toContain(`Job ${s.failedId}`);
    expect(text).toMatch(/state\s+failed/);
    expect(text).toMatch(/attempts\s+1 of 3/);
    expect(text).toContain('"podcastId": 2');
    expect(text).toMatch(/chain\s+01JCHAIN0000000000000000AB: link 1 of 3/);
    expect(text).toContain('next 2. TranscribePodcast');
    expectFits(text, 80, 24);
    const end = await screen([key('2'), ENTER, key('G')]);
    expect(end).toMatch(/#1 .* failed after 30s on web-1:4242:a1b2c3/);
    expect(end).toContain('at fetchFeed (jobs/podcast.ts:12:11)');
  });

  it('job detail: the why line and evidence, as `qtool why` gives them', async () => {
    const why = await explainJob(s.driver, s.failedId);
    expect(why.cause).toBe('failed');
    const text = await screen([key('2'), ENTER]);
    expect(text).toMatch(/why\s+failed: failed \S+ ago after 1 attempt\(s\): Error: feed timed out/);
    expect(text).toContain(`retry: qtool retry ${s.failedId}`);
    for (const name of Object.keys(why.evidence)) expect(text).toContain(`  ${name}: `);
    const pending = await screen([key('j'), ENTER, ENTER]);
    expect(pending).toMatch(/why\s+pending: pending on queue podcasts with 10 pending job\(s\) and 1 w/);
    expect(pending).toMatch(/workers: web-1:4242:a1b2c3/);
  });

  it('a job that is gone says so', async () => {
    const state = await stateAfter(s.driver, [key('2')]);
    const gone: State = {
      ...state,
      stacks: { ...state.stacks, failed: [{ kind: 'job', id: 'nope', scroll: 0 }] },
      data: { ...state.data!, job: { id: 'nope', record: null, why: null } },
    };
    expect(plain(frame(gone))).toContain('not found: the job finished');
  });
});

describe('other sizes and colours', () => {
  it('uses a wider terminal: workers show host and pid, the sparkline grows', async () => {
    const workers = await screen([key('3')], { columns: 140, rows: 40 });
    expect(workers).toMatch(/HOST\s+PID/);
    expect(workers).toMatch(/web-1\s+4242/);
    const queues = await screen([], { columns: 140, rows: 40 });
    expect(queues).toContain('LAST 30m');
    expectFits(queues, 140, 40);
  });

  it('NO_COLOR: no escape codes at all, the selection still shows (›, [pane])', async () => {
    chalk.level = 1;
    const state = await stateAfter(s.driver, [key('3')]);
    expect(frame(state)).toContain('\x1b[');
    chalk.level = 0;
    const text = frame(state);
    expect(text).not.toContain('\x1b[');
    expect(text).toContain('›web-1');
    expect(text).toContain('[3 Workers]');
  });
});
