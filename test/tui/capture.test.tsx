import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { expect, it } from 'vitest';
import { Screen } from '../../src/tui/components/screen.js';
import type { Action } from '../../src/tui/state.js';
import { CONNECTION, plain, scene, stateAfter, WORKER } from './fixture.js';

const key = (input: string, extra: Record<string, boolean> = {}): Action => ({ type: 'key', input, key: extra });
const ENTER = key('\r', { return: true });

/**
 * Text captures of every pane for docs/top.md:
 *   QTOOL_TOP_CAPTURE=/tmp/captures.txt npx vitest run test/tui/capture.test.tsx
 */
const target = process.env.QTOOL_TOP_CAPTURE ?? join(tmpdir(), `qtool-top-captures-${process.pid}.txt`);

it('writes a text capture of every pane', async () => {
  const { driver, runningId, failedId } = await scene();
  await driver.eventsAppend([
    {
      name: 'job.processing',
      queue: 'podcasts',
      jobId: runningId,
      jobName: 'ProcessPodcast',
      attempt: 1,
      workerId: WORKER,
    },
    {
      name: 'job.processing',
      queue: 'podcasts',
      jobId: failedId,
      jobName: 'ProcessPodcast',
      attempt: 1,
      workerId: WORKER,
    },
    {
      name: 'job.failed',
      queue: 'podcasts',
      jobId: failedId,
      jobName: 'ProcessPodcast',
      attempt: 1,
      workerId: WORKER,
      durationMs: 30012,
      details: { error: 'Error: feed timed out' },
    },
    { name: 'queue.paused', queue: 'emails' },
    { name: 'lock.released', details: { key: 'overlap:ProcessPodcast:9', forced: true } },
  ]);
  const views: [string, Action[], { columns: number; rows: number }?][] = [
    ['queues', []],
    ['queues-wide', [], { columns: 120, rows: 30 }],
    ['queue-pending', [key('j'), ENTER]],
    ['queue-delayed', [ENTER, key('l')]],
    ['queue-reserved', [key('j'), ENTER, key('l'), key('l')]],
    ['queue-failed', [key('j'), ENTER, key('h')]],
    ['job', [key('2'), ENTER]],
    ['failed', [key('2')]],
    ['workers', [key('3')]],
    ['workers-wide', [key('3')], { columns: 120, rows: 30 }],
    ['locks', [key('4')]],
    ['throttles', [key('5')]],
    ['events', [key('6')]],
    [
      'events-filter',
      [key('6'), key('/'), key('j'), key('o'), key('b'), key('.'), key('*'), key(' '), key('p'), key('o'), key('d')],
    ],
    ['confirm', [key('j'), key('R')]],
    ['queue-selected', [key('j'), ENTER, key('x'), key('j'), key('x')]],
    ['confirm-selected', [key('j'), ENTER, key('x'), key('j'), key('x'), key('D')]],
    ['job-pending', [key('j'), ENTER, ENTER]],
    ['help', [key('?')]],
  ];
  let out = '';
  for (const [name, actions, size] of views) {
    const state = await stateAfter(driver, actions, size);
    const r = render(<Screen state={state} connection={CONNECTION} />);
    const frame = plain(r.lastFrame())
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
    // Every capture is a whole screen with the header, within its terminal size.
    const rows = frame.split('\n');
    expect(rows.length, name).toBeLessThanOrEqual(size?.rows ?? 24);
    expect(Math.max(...rows.map((l) => l.length)), name).toBeLessThanOrEqual(size?.columns ?? 80);
    expect(frame, name).toMatch(/^ ?qtool /);
    out += `=== ${name}\n${frame}\n`;
    r.unmount();
  }
  writeFileSync(target!, out);
});
