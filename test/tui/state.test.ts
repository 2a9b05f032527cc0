import { beforeAll, describe, expect, it } from 'vitest';
import { currentCursor, selectedJob, topView, visibleQueues } from '../../src/tui/select.js';
import { type Action, reducer, type State } from '../../src/tui/state.js';
import { type Scene, scene, stateAfter } from './fixture.js';

let s: Scene;
let base: State;
beforeAll(async () => {
  s = await scene();
  base = await stateAfter(s.driver, []);
});
const run = (state: State, ...actions: Action[]) => actions.reduce(reducer, state);
const key = (input: string, extra: Record<string, boolean> = {}): Action => ({ type: 'key', input, key: extra });

describe('reducer: navigation', () => {
  it.each<[string, Action[], (state: State) => unknown, unknown]>([
    ['Tab goes to the next pane', [key('\t', { tab: true })], (st) => st.pane, 'failed'],
    ['Shift-Tab wraps to the last', [key('', { tab: true, shift: true })], (st) => st.pane, 'events'],
    ['3 opens workers', [key('3')], (st) => st.pane, 'workers'],
    ['j stops at the last row', [key('j'), key('j'), key('j')], currentCursor, 1],
    ['k stops at the first', [key('k')], currentCursor, 0],
    ['G goes to the last row', [key('G')], currentCursor, 1],
    [
      'Enter on a queue opens its first non-empty state',
      [key('j'), key('\r', { return: true })],
      topView,
      { kind: 'queue', queue: 'podcasts', tab: 'pending', cursor: 0 },
    ],
    [
      '→ switches job state',
      [key('j'), key('\r', { return: true }), key('l')],
      (st) => (topView(st) as { tab: string }).tab,
      'delayed',
    ],
    [
      '← wraps to failed',
      [key('j'), key('\r', { return: true }), key('h')],
      (st) => (topView(st) as { tab: string }).tab,
      'failed',
    ],
    ['Esc goes back to the list', [key('\r', { return: true }), key('', { escape: true })], topView, undefined],
    [
      'each pane keeps its drill-down',
      [key('\r', { return: true }), key('2'), key('1')],
      (st) => topView(st)?.kind,
      'queue',
    ],
    [
      'Enter on a throttle explains',
      [key('5'), key('\r', { return: true })],
      (st) => st.status?.text,
      'nothing to open here (c clears a throttle)',
    ],
    ['s sorts queues by pending', [key('s')], (st) => visibleQueues(st).map((q) => q.queue), ['podcasts', 'emails']],
    [
      '/ then typing filters live',
      [key('/'), key('p'), key('o')],
      (st) => visibleQueues(st).map((q) => q.queue),
      ['podcasts'],
    ],
    [
      'Enter keeps the filter',
      [key('/'), key('e'), key('\r', { return: true })],
      (st) => [st.mode, st.filters.queues],
      ['normal', 'e'],
    ],
    ['Esc while typing clears it', [key('/'), key('e'), key('', { escape: true })], (st) => st.filters.queues, ''],
    [
      'Esc at the list clears a kept filter',
      [key('/'), key('e'), key('\r', { return: true }), key('', { escape: true })],
      (st) => st.filters.queues,
      '',
    ],
    ['/ inside a drill-down explains', [key('\r', { return: true }), key('/')], (st) => st.mode, 'normal'],
    ['? opens help, any key closes it', [key('?'), key('x')], (st) => st.mode, 'normal'],
    ['q quits', [key('q')], (st) => st.quit, true],
  ])('%s', (_name, actions, read, expected) => {
    expect(read(run(base, ...actions))).toEqual(expected);
  });

  it('Enter on a job in a queue opens its detail, with a paged cursor', async () => {
    const inQueue = await stateAfter(s.driver, [key('j'), key('\r', { return: true }), key('j')]);
    const job = selectedJob(inQueue);
    expect(job?.state).toBe('pending');
    expect(topView(run(inQueue, key('\r', { return: true })))).toEqual({ kind: 'job', id: job!.id, scroll: 0 });
  });
});

describe('reducer: actions on the store', () => {
  it.each<[string, Action[], Partial<State> | ((st: State) => unknown), unknown?]>([
    [
      'r with no failed job selected explains',
      [key('r')],
      (st) => st.status?.text,
      'r retries the selected failed job: select one first',
    ],
    [
      'R asks before retrying a queue',
      [key('j'), key('R')],
      (st) => [st.mode, st.confirm?.prompt],
      ['confirm', 'retry every failed job of podcasts?'],
    ],
    [
      'y runs it',
      [key('j'), key('R'), key('y')],
      (st) => st.effect?.command,
      { kind: 'retryQueue', queue: 'podcasts' },
    ],
    ['n cancels', [key('j'), key('R'), key('n')], (st) => [st.effect, st.status?.text], [null, 'cancelled']],
    ['R on a queue without failures explains', [key('R')], (st) => st.status?.text, 'emails has no failed jobs'],
    [
      'p resumes a paused queue at once',
      [key('p')],
      (st) => st.effect?.command,
      { kind: 'pause', queue: 'emails', paused: false },
    ],
    [
      'p pauses an active one',
      [key('j'), key('p')],
      (st) => st.effect?.command,
      { kind: 'pause', queue: 'podcasts', paused: true },
    ],
    [
      'D in the failed pane forgets all (asks)',
      [key('2'), key('D')],
      (st) => st.confirm?.command,
      { kind: 'flushFailed', queue: null },
    ],
    [
      'x asks before releasing a lock',
      [key('4'), key('x')],
      (st) => st.confirm?.command,
      { kind: 'releaseLock', key: 'overlap:ProcessPodcast:1' },
    ],
    ['x outside the locks pane explains', [key('x')], (st) => st.effect, null],
    [
      'c clears a throttle at once',
      [key('5'), key('c')],
      (st) => st.effect?.command,
      { kind: 'clearCounter', key: 'rate:mailgun' },
    ],
  ])('%s', async (_name, actions, read, expected) => {
    // Each key is followed by a refresh, as on screen.
    const state = await stateAfter(s.driver, actions);
    expect(typeof read === 'function' ? read(state) : state).toEqual(expected);
  });

  it('r retries the failed job selected in the failed pane; d forgets it (asks)', async () => {
    const failedPane = await stateAfter(s.driver, [key('2')]);
    expect(run(failedPane, key('r')).effect?.command).toEqual({ kind: 'retry', id: s.failedId });
    expect(run(failedPane, key('d')).confirm?.command).toEqual({ kind: 'forgetFailed', id: s.failedId });
  });

  it('d on a pending job asks to delete it; r says it is not failed', async () => {
    const inQueue = await stateAfter(s.driver, [key('j'), key('\r', { return: true })]);
    const id = selectedJob(inQueue)!.id;
    expect(run(inQueue, key('d')).confirm?.command).toEqual({ kind: 'deleteJob', id });
    expect(run(inQueue, key('r')).status?.text).toBe(`job ${id} is pending, not failed`);
  });
});

describe('reducer: data, errors and events', () => {
  it('a failed refresh keeps the last data and says so; the next good one clears it', () => {
    const failed = run(base, { type: 'fetchFailed', message: 'connect ECONNREFUSED' });
    expect(failed.data).toBe(base.data);
    expect(failed.error).toBe('connect ECONNREFUSED');
    expect(failed.status?.text).toMatch(/^store unreachable: connect ECONNREFUSED \(retrying; showing data from /);
    const back = run(failed, { type: 'data', snapshot: base.data! });
    expect([back.error, back.status?.text]).toEqual([null, 'store reachable again']);
  });

  it('a finished command says what it did; deleting the open job goes back', async () => {
    const open = await stateAfter(s.driver, [key('2'), { type: 'open' }]);
    expect(topView(open)).toEqual({ kind: 'job', id: s.failedId, scroll: 0 });
    const done = run(open, {
      type: 'commandDone',
      command: { kind: 'forgetFailed', id: s.failedId },
      ok: true,
      message: `forgot failed job ${s.failedId}`,
    });
    expect([topView(done), done.status]).toEqual([undefined, { text: `forgot failed job ${s.failedId}`, tone: 'ok' }]);
  });

  it('new events keep a held selection on the same event', () => {
    const events = run(base, key('6'), key('j'));
    const held = visibleEventsId(events);
    const more = run(events, { type: 'events', events: [{ id: 'zzz', name: 'job.processed', time: Date.now() }] });
    expect(visibleEventsId(more)).toBe(held);
  });
});

function visibleEventsId(state: State): string | undefined {
  return [...state.events].reverse()[state.cursors.events]?.id;
}
