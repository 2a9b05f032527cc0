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

/** Every key, for the help overlay and docs/top.md. */
export const KEY_HELP: [keys: string, what: string][] = [
  ['Tab / Shift-Tab', 'next / previous pane'],
  ['1-6', 'Queues, Failed, Workers, Locks, Throttles, Events'],
  ['↑ ↓  k j', 'move the selection (scroll a job)'],
  ['PgUp PgDn', 'page up / down (paged lists load that page)'],
  ['g G  Home End', 'first / last row'],
  ['Enter', 'open: queue → its jobs, job → its detail'],
  ['Esc', 'back (or clear the filter)'],
  ['← →  h l', 'job state tab in a queue: pending delayed reserved failed'],
  ['/', 'filter the pane (Enter keeps, Esc clears)'],
  ['s', 'sort queues: name, pending, failed, jobs/min'],
  ['r', 'retry the selected failed job'],
  ['R', 'retry every failed job of the queue (y/n)'],
  ['d', 'delete the selected job / forget a failed one (y/n)'],
  ['D', 'forget every failed job of the queue (y/n)'],
  ['p', 'pause / resume the selected queue'],
  ['x', 'release the selected lock (y/n)'],
  ['c', 'clear the selected throttle'],
  ['?', 'this help (any key closes it)'],
  ['q  Ctrl-C', 'quit'],
];

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
  r: { type: 'intent', intent: 'retry' },
  R: { type: 'intent', intent: 'retryAll' },
  d: { type: 'intent', intent: 'delete' },
  D: { type: 'intent', intent: 'deleteAll' },
  p: { type: 'intent', intent: 'pause' },
  x: { type: 'intent', intent: 'release' },
  c: { type: 'intent', intent: 'clear' },
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
