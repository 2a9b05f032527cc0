import { beforeAll, describe, expect, it } from 'vitest';
import { currentCursor, rowKeys, selectedJob, selectedKeys, topView, visibleQueues } from '../../src/tui/select.js';
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
      'nothing to open here (C clears a throttle)',
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
  it.each<[string, Action[], (st: State) => unknown, unknown]>([
    [
      'r with no failed job under the cursor explains',
      [key('r')],
      (st) => st.status?.text,
      'r retries the failed job under the cursor: move to one first',
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
      { kind: 'retryQueues', queues: ['podcasts'] },
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
      'R in the failed pane with nothing selected retries all (asks)',
      [key('2'), key('R')],
      (st) => st.confirm?.command,
      { kind: 'retryQueues', queues: [null] },
    ],
    [
      'D on a queue forgets its failed jobs (asks)',
      [key('j'), key('D')],
      (st) => st.confirm?.prompt,
      'forget every failed job of podcasts?',
    ],
    [
      'C on a queue asks before deleting its pending and delayed jobs',
      [key('C')],
      (st) => [st.confirm?.prompt, st.confirm?.command],
      ['delete every pending and delayed job of emails?', { kind: 'clearQueues', queues: ['emails'] }],
    ],
    [
      'X asks before releasing a lock',
      [key('4'), key('X')],
      (st) => st.confirm?.command,
      { kind: 'releaseLocks', keys: ['overlap:ProcessPodcast:1'] },
    ],
    [
      'X outside the locks pane explains',
      [key('X')],
      (st) => [st.mode, st.status?.text],
      ['normal', 'X releases locks in the locks pane (4)'],
    ],
    [
      'C asks before clearing a throttle',
      [key('5'), key('C')],
      (st) => st.confirm?.command,
      { kind: 'clearCounters', keys: ['rate:mailgun'] },
    ],
    [
      'd never deletes: it points to D',
      [key('2'), key('d')],
      (st) => [st.mode, st.effect, st.status?.text.slice(0, 9)],
      ['normal', null, 'D deletes'],
    ],
    [
      'c never clears: it points to C',
      [key('5'), key('c')],
      (st) => [st.mode, st.effect, st.status?.text.slice(0, 9)],
      ['normal', null, 'C clears '],
    ],
  ])('%s', async (_name, actions, read, expected) => {
    // Each key is followed by a refresh, as on screen.
    expect(read(await stateAfter(s.driver, actions))).toEqual(expected);
  });

  it('r retries the failed job in the failed pane at once; D forgets it after a question', async () => {
    const failedPane = await stateAfter(s.driver, [key('2')]);
    expect(run(failedPane, key('r')).effect?.command).toEqual({ kind: 'retryJobs', ids: [s.failedId] });
    expect(run(failedPane, key('D')).confirm?.command).toEqual({ kind: 'forgetFailed', ids: [s.failedId] });
  });

  it('D on a pending job asks to delete it; r says it is not failed', async () => {
    const inQueue = await stateAfter(s.driver, [key('j'), key('\r', { return: true })]);
    const id = selectedJob(inQueue)!.id;
    expect(run(inQueue, key('D')).confirm?.command).toEqual({ kind: 'deleteJobs', ids: [id] });
    expect(run(inQueue, key('r')).status?.text).toBe(`job ${id} is pending, not failed`);
  });
});

describe('reducer: multi-select', () => {
  const inQueue = () => stateAfter(s.driver, [key('j'), key('\r', { return: true })]);

  it('x marks the row under the cursor and steps down; x again unmarks', async () => {
    const state = await inQueue();
    const ids = rowKeys(state);
    const one = run(state, key('x'));
    expect([selectedKeys(one), currentCursor(one)]).toEqual([[ids[0]], 1]);
    const two = run(one, key('x'));
    expect(selectedKeys(two)).toEqual([ids[0], ids[1]]);
    expect(selectedKeys(run(two, key('k'), key('x')))).toEqual([ids[0]]);
  });

  it('A selects every row shown, A again none; Esc drops the selection before going back', async () => {
    const state = await inQueue();
    const all = run(state, key('A'));
    expect(selectedKeys(all)).toEqual(rowKeys(state));
    expect(all.status?.text).toBe(`selected ${rowKeys(state).length}`);
    expect(selectedKeys(run(all, key('A')))).toEqual([]);
    const esc = run(all, key('', { escape: true }));
    expect([selectedKeys(esc), topView(esc)?.kind]).toEqual([[], 'queue']);
  });

  it('D works on the selection, not the cursor; the selection is per list', async () => {
    const state = await inQueue();
    const ids = rowKeys(state);
    const picked = run(state, key('x'), key('j'), key('x'));
    expect(run(picked, key('D')).confirm).toEqual({
      prompt: 'delete 2 jobs?',
      command: { kind: 'deleteJobs', ids: [ids[0], ids[2]] },
    });
    // Another list (the failed tab) does not see it.
    expect(selectedKeys(run(picked, key('h')))).toEqual([]);
  });

  it('R with failed jobs selected retries those; in the queues pane, the selected queues', async () => {
    const failedPane = await stateAfter(s.driver, [key('2'), key('x')]);
    expect(run(failedPane, key('R')).confirm?.command).toEqual({ kind: 'retryJobs', ids: [s.failedId] });
    const queues = run(base, key('A'), key('R'));
    expect(queues.confirm?.command).toEqual({ kind: 'retryQueues', queues: ['podcasts'] });
    expect(run(base, key('A'), key('C')).confirm?.command).toEqual({
      kind: 'clearQueues',
      queues: ['emails', 'podcasts'],
    });
  });

  it('x where rows cannot be selected explains', () => {
    expect(run(base, key('3'), key('x')).status?.text).toMatch(/^x and A select rows in/);
  });

  it('a finished command clears the selection; a failed one keeps it', async () => {
    const picked = run(await inQueue(), key('A'));
    const command = picked.selection && { kind: 'deleteJobs' as const, ids: picked.selection.keys };
    const done = (ok: boolean) => run(picked, { type: 'commandDone', command: command!, ok, message: 'm' });
    expect(done(true).selection).toBeNull();
    expect(done(false).selection).toEqual(picked.selection);
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
      command: { kind: 'forgetFailed', ids: [s.failedId] },
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
