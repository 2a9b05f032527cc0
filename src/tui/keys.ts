import type { Action, State } from './state.js';
import { PANES } from './types.js';

/** The subset of Ink's Key the keymap reads (tests pass only what they press). */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/** Every key, for the help overlay and docs/top.md (HELP_TITLE says what D C X work on). */
export const HELP_TITLE = ' Keys · D C X act on the selected rows, else the cursor row · any key closes';
export const KEY_HELP: [keys: string, what: string][] = [
  ['Tab / Shift-Tab', 'next / previous pane'],
  ['1-6', 'Queues, Failed, Workers, Locks, Throttles, Events'],
  ['↑ ↓  k j', 'move the cursor (scroll a job)'],
  ['PgUp PgDn  g G', 'page up / down; first / last row (Home End too)'],
  ['Enter', 'open: queue → its jobs, job → its detail'],
  ['Esc', 'drop the selection; else back; else clear the filter'],
  ['← →  h l', 'job state tab in a queue: pending delayed reserved failed'],
  ['/', 'filter the pane (Enter keeps, Esc clears)'],
  ['s', 'sort queues: name, pending, failed, jobs/min'],
  ['x', 'select / unselect the row under the cursor (marked *)'],
  ['A', 'select every row shown; pressed again, select none'],
  ['r', 'retry the failed job under the cursor'],
  ['p', 'pause / resume the queue under the cursor'],
  ['R', 'retry selected failed jobs, else every failed one here (y/n)'],
  ['D', 'delete jobs (failed: forget); on a queue: its failed (y/n)'],
  ['C', 'clear a queue (pending + delayed jobs) or a throttle (y/n)'],
  ['X', 'release locks, whoever holds them (y/n)'],
  ['?', 'this help (any key closes it)'],
  ['q  Ctrl-C', 'quit'],
];

/** Lower-case keys never destroy: the old ones say which upper-case key does it now. */
const MOVED: Record<string, string> = {
  d: 'D deletes (selected rows, or the one under the cursor), after a y/n question',
  c: 'C clears (a queue or a throttle), after a y/n question',
};

const NORMAL: Record<string, Action> = {
  q: { type: 'quit' },
  '?': { type: 'help' },
  j: { type: 'move', delta: 1 },
  k: { type: 'move', delta: -1 },
  h: { type: 'tab', delta: -1 },
  l: { type: 'tab', delta: 1 },
  g: { type: 'edge', end: false },
  G: { type: 'edge', end: true },
  '/': { type: 'filterStart' },
  s: { type: 'sort' },
  x: { type: 'toggleSelect' },
  A: { type: 'selectAll' },
  r: { type: 'intent', intent: 'retry' },
  p: { type: 'intent', intent: 'pause' },
  R: { type: 'intent', intent: 'retryMany' },
  D: { type: 'intent', intent: 'delete' },
  C: { type: 'intent', intent: 'clear' },
  X: { type: 'intent', intent: 'release' },
  ...Object.fromEntries(Object.entries(MOVED).map(([k, text]) => [k, { type: 'say', text } as const])),
};

/** Key press → action, by mode. null: the key means nothing here. */
export function keyToAction(state: State, input: string, key: KeyPress): Action | null {
  switch (state.mode) {
    case 'help':
      return { type: 'help' };
    case 'confirm':
      if (input === 'y' || input === 'Y') return { type: 'confirm', yes: true };
      if (input === 'n' || input === 'N' || key.escape) return { type: 'confirm', yes: false };
      return null;
    case 'filter':
      if (key.escape) return { type: 'filterDone', keep: false };
      if (key.return) return { type: 'filterDone', keep: true };
      if (key.backspace || key.delete) return { type: 'filterErase' };
      if (key.ctrl || key.meta || key.tab || !input || [...input].some((ch) => ch.charCodeAt(0) < 32)) return null;
      return { type: 'filterType', text: input };
    case 'normal':
      return normalKey(input, key);
  }
}

function normalKey(input: string, key: KeyPress): Action | null {
  if (key.tab) return { type: 'cyclePane', delta: key.shift ? -1 : 1 };
  if (key.upArrow) return { type: 'move', delta: -1 };
  if (key.downArrow) return { type: 'move', delta: 1 };
  if (key.leftArrow) return { type: 'tab', delta: -1 };
  if (key.rightArrow) return { type: 'tab', delta: 1 };
  if (key.pageUp) return { type: 'page', delta: -1 };
  if (key.pageDown) return { type: 'page', delta: 1 };
  if (key.home) return { type: 'edge', end: false };
  if (key.end) return { type: 'edge', end: true };
  if (key.return) return { type: 'open' };
  if (key.escape) return { type: 'back' };
  if (key.ctrl || key.meta) return null;
  const pane = PANES[Number(input) - 1];
  if (/^[1-6]$/.test(input) && pane) return { type: 'pane', pane };
  return NORMAL[input] ?? null;
}
