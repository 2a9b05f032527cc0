import type { StoredEvent } from '../drivers/types.js';
import { type Command, confirmPrompt } from './commands.js';
import { resolveIntent } from './intents.js';
import { keyToAction } from './keys.js';
import { clamp, listHeight } from './layout.js';
import { type Action, CONFIRMED_INTENTS, type Intent, type SortKey, type State, type Status } from './model.js';
import {
  currentCursor,
  cursorKey,
  eventFilter,
  itemCount,
  jobScrollMax,
  listId,
  openTarget,
  rowKeys,
  selectedKeys,
  setCursor,
  topView,
} from './select.js';
import { JOB_TABS, PANES, type PaneId, type Size, type View } from './types.js';

export type { Action, Intent, Mode, SortKey, State, Status } from './model.js';

export const SORT_KEYS: SortKey[] = ['name', 'pending', 'failed', 'rate'];
/** Events kept for the events pane (newest). */
export const EVENTS_KEPT = 1000;

const perPane = <T>(value: T) => Object.fromEntries(PANES.map((p) => [p, value])) as Record<PaneId, T>;

export function initialState(size: Size): State {
  return {
    pane: 'queues',
    stacks: perPane<View[]>([]),
    cursors: perPane(0),
    filters: perPane(''),
    sort: 'name',
    mode: 'normal',
    confirm: null,
    selection: null,
    effect: null,
    status: { text: 'press ? for help, q to quit', tone: 'info' },
    error: null,
    data: null,
    events: [],
    size,
    quit: false,
  };
}

const info = (state: State, text: string, tone: Status['tone'] = 'info'): State => ({
  ...state,
  status: { text, tone },
});

function withTop(state: State, view: View | null): State {
  const stack = state.stacks[state.pane];
  const next = view ? [...stack.slice(0, -1), view] : stack.slice(0, -1);
  return { ...state, stacks: { ...state.stacks, [state.pane]: next } };
}

function push(state: State, view: View): State {
  return { ...state, stacks: { ...state.stacks, [state.pane]: [...state.stacks[state.pane], view] } };
}

function move(state: State, delta: number): State {
  const view = topView(state);
  if (view?.kind === 'job')
    return withTop(state, { ...view, scroll: clamp(view.scroll + delta, 0, jobScrollMax(state)) });
  return setCursor(state, clamp(currentCursor(state) + delta, 0, itemCount(state) - 1));
}

/** Keep the cursor of the pane on screen inside its list after new data. */
function clampCursor(state: State): State {
  const count = itemCount(state);
  return currentCursor(state) >= count ? setCursor(state, count - 1) : state;
}

function runOrConfirm(state: State, intent: Intent, command: Command): State {
  if (CONFIRMED_INTENTS.includes(intent)) {
    return { ...state, mode: 'confirm', confirm: { prompt: confirmPrompt(command), command }, status: null };
  }
  return { ...state, effect: { seq: (state.effect?.seq ?? 0) + 1, command }, status: { text: '…', tone: 'info' } };
}

export function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'key': {
      // Keys are mapped here, against the state they land on, so fast typing never sees a stale mode.
      const mapped = keyToAction(state, action.input, action.key);
      return mapped ? reducer(state, mapped) : state;
    }
    case 'pane':
      return { ...state, pane: action.pane };
    case 'cyclePane': {
      const index = (PANES.indexOf(state.pane) + action.delta + PANES.length) % PANES.length;
      return { ...state, pane: PANES[index]! };
    }
    case 'move':
      return move(state, action.delta);
    case 'page':
      return move(state, action.delta * listHeight(state.size));
    case 'edge':
      return move(state, action.end ? Number.MAX_SAFE_INTEGER / 2 : -Number.MAX_SAFE_INTEGER / 2);
    case 'open': {
      const target = openTarget(state);
      return typeof target === 'string' ? info(state, target) : push(state, target);
    }
    case 'back': {
      if (selectedKeys(state).length) return info({ ...state, selection: null }, 'selection cleared');
      if (state.stacks[state.pane].length > 0) return withTop(state, null);
      if (state.filters[state.pane]) return { ...state, filters: { ...state.filters, [state.pane]: '' } };
      return state;
    }
    case 'tab': {
      const view = topView(state);
      if (view?.kind !== 'queue') return info(state, '←/→ switch job states inside a queue (Enter on a queue)');
      const index = (JOB_TABS.indexOf(view.tab) + action.delta + JOB_TABS.length) % JOB_TABS.length;
      return withTop(state, { ...view, tab: JOB_TABS[index]!, cursor: 0 });
    }
    case 'sort': {
      const sort = SORT_KEYS[(SORT_KEYS.indexOf(state.sort) + 1) % SORT_KEYS.length]!;
      return info({ ...state, sort }, `queues sorted by ${sort}`);
    }
    case 'help':
      return { ...state, mode: state.mode === 'help' ? 'normal' : 'help' };
    case 'filterStart':
      if (topView(state)) return info(state, '/ filters the pane lists; Esc to go back first');
      return { ...state, mode: 'filter' };
    case 'filterType':
    case 'filterErase': {
      const old = state.filters[state.pane];
      const text = action.type === 'filterType' ? old + action.text : old.slice(0, -1);
      return setCursor({ ...state, filters: { ...state.filters, [state.pane]: text } }, 0);
    }
    case 'filterDone': {
      const text = action.keep ? state.filters[state.pane] : '';
      const next = { ...state, mode: 'normal' as const, filters: { ...state.filters, [state.pane]: text } };
      return info(next, text ? `filter: ${text}` : 'filter cleared');
    }
    case 'intent': {
      const resolved = resolveIntent(state, action.intent);
      return typeof resolved === 'string' ? info(state, resolved) : runOrConfirm(state, action.intent, resolved);
    }
    case 'toggleSelect':
      return toggleSelect(state);
    case 'selectAll':
      return selectAll(state);
    case 'say':
      return info(state, action.text);
    case 'confirm': {
      const pending = state.confirm;
      const next = { ...state, mode: 'normal' as const, confirm: null };
      if (!pending || !action.yes) return info(next, 'cancelled');
      return { ...next, effect: { seq: (state.effect?.seq ?? 0) + 1, command: pending.command } };
    }
    case 'quit':
      return { ...state, quit: true };
    case 'data': {
      const status = state.status?.fetchError ? { text: 'store reachable again', tone: 'ok' as const } : state.status;
      return clampCursor({ ...state, data: action.snapshot, error: null, status });
    }
    case 'fetchFailed': {
      const since = state.data ? `; showing data from ${new Date(state.data.now).toTimeString().slice(0, 8)}` : '';
      const text = `store unreachable: ${action.message} (retrying${since})`;
      return { ...state, error: action.message, status: { text, tone: 'error', fetchError: true } };
    }
    case 'events':
      return addEvents(state, action.events);
    case 'eventsFailed':
      return info(state, `events: ${action.message} (resubscribing)`, 'error');
    case 'commandDone': {
      // A bulk action done clears the selection it worked on; a failed one keeps it for another try.
      const next = info(
        { ...state, selection: action.ok ? null : state.selection },
        action.message,
        action.ok ? 'ok' : 'error',
      );
      const view = topView(next);
      const c = action.command;
      const gone = action.ok && (c.kind === 'deleteJobs' || c.kind === 'forgetFailed');
      return gone && view?.kind === 'job' && c.ids.includes(view.id) ? withTop(next, null) : next;
    }
    case 'resize':
      return clampCursor({ ...state, size: action.size });
  }
}

const NOT_SELECTABLE = 'x and A select rows in the queues, failed, locks and throttles lists and in a queue';

/** x: mark or unmark the row under the cursor, then step down so a run of x marks a run of rows. */
function toggleSelect(state: State): State {
  const list = listId(state);
  const key = cursorKey(state);
  if (list === null) return info(state, NOT_SELECTABLE);
  if (key === null) return info(state, 'no row under the cursor');
  const keys = selectedKeys(state);
  const next = keys.includes(key) ? keys.filter((k) => k !== key) : [...keys, key];
  return move({ ...state, selection: next.length ? { list, keys: next } : null }, 1);
}

/** A: mark every row shown (a paged list: this page); when all are marked already, unmark all. */
function selectAll(state: State): State {
  const list = listId(state);
  if (list === null) return info(state, NOT_SELECTABLE);
  const shown = rowKeys(state);
  const keys = selectedKeys(state);
  if (shown.length === 0) return info(state, 'no rows to select');
  if (shown.every((k) => keys.includes(k))) return info({ ...state, selection: null }, 'selection cleared');
  const all = [...keys, ...shown.filter((k) => !keys.includes(k))];
  return info({ ...state, selection: { list, keys: all } }, `selected ${all.length}`);
}

/** New events go on top; a cursor that left the newest row stays on the event it was on. */
function addEvents(state: State, events: StoredEvent[]): State {
  const next = { ...state, events: [...state.events, ...events].slice(-EVENTS_KEPT) };
  const cursor = next.cursors.events;
  if (cursor === 0) return next;
  const added = events.filter(eventFilter(state.filters.events)).length;
  return { ...next, cursors: { ...next.cursors, events: clamp(cursor + added, 0, EVENTS_KEPT - 1) } };
}
