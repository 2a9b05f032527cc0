import type { StoredEvent } from '../drivers/types.js';
import type { Command } from './commands.js';
import type { KeyPress } from './keys.js';
import type { PaneId, Size, Snapshot, View } from './types.js';

/** The dashboard's state and the actions that change it (the reducer is in state.ts). */

export type Mode = 'normal' | 'filter' | 'confirm' | 'help';
/** What a key asks for; upper-case keys' intents destroy or change many jobs, and ask y/n first. */
export type Intent = 'retry' | 'pause' | 'retryMany' | 'delete' | 'clear' | 'release';
export const CONFIRMED_INTENTS: readonly Intent[] = ['retryMany', 'delete', 'clear', 'release'];
export type SortKey = 'name' | 'pending' | 'failed' | 'rate';

export interface Status {
  text: string;
  tone: 'info' | 'ok' | 'error';
  /** Set by a failed refresh, so the next good one can say it recovered. */
  fetchError?: boolean;
}

export interface State {
  pane: PaneId;
  /** Drill-downs opened in each pane, innermost last. */
  stacks: Record<PaneId, View[]>;
  cursors: Record<PaneId, number>;
  filters: Record<PaneId, string>;
  sort: SortKey;
  mode: Mode;
  confirm: { prompt: string; command: Command } | null;
  /** Rows marked with `x` / `A`, by key (queue name, job id, lock or throttle key), in one list. */
  selection: { list: string; keys: string[] } | null;
  /** The command to run next; `seq` changes each time so the runner sees repeats. */
  effect: { seq: number; command: Command } | null;
  status: Status | null;
  /** The last refresh failed with this message; `data` is the last good one. */
  error: string | null;
  data: Snapshot | null;
  events: StoredEvent[];
  size: Size;
  quit: boolean;
}

export type Action =
  | { type: 'key'; input: string; key: KeyPress }
  | { type: 'pane'; pane: PaneId }
  | { type: 'cyclePane'; delta: number }
  | { type: 'move'; delta: number }
  | { type: 'page'; delta: number }
  | { type: 'edge'; end: boolean }
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'tab'; delta: number }
  | { type: 'sort' }
  | { type: 'help' }
  | { type: 'filterStart' }
  | { type: 'filterType'; text: string }
  | { type: 'filterErase' }
  | { type: 'filterDone'; keep: boolean }
  | { type: 'intent'; intent: Intent }
  | { type: 'toggleSelect' }
  | { type: 'selectAll' }
  /** A key that does nothing here, and the line that says what to press instead. */
  | { type: 'say'; text: string }
  | { type: 'confirm'; yes: boolean }
  | { type: 'quit' }
  | { type: 'data'; snapshot: Snapshot }
  | { type: 'fetchFailed'; message: string }
  | { type: 'events'; events: StoredEvent[] }
  | { type: 'eventsFailed'; message: string }
  | { type: 'commandDone'; command: Command; ok: boolean; message: string }
  | { type: 'resize'; size: Size };
