import { describe, expect, it } from 'vitest';
import { KEY_HELP, type KeyPress, keyToAction } from '../../src/tui/keys.js';
import { type Action, initialState, type Mode } from '../../src/tui/state.js';

const inMode = (mode: Mode) => ({ ...initialState({ columns: 80, rows: 24 }), mode });
const press = (mode: Mode, input: string, key: KeyPress = {}) => keyToAction(inMode(mode), input, key);

describe('keymap', () => {
  it.each<[string, string, KeyPress, Action | null]>([
    ['Tab', '\t', { tab: true }, { type: 'cyclePane', delta: 1 }],
    ['Shift-Tab', '', { tab: true, shift: true }, { type: 'cyclePane', delta: -1 }],
    ['1', '1', {}, { type: 'pane', pane: 'queues' }],
    ['2', '2', {}, { type: 'pane', pane: 'failed' }],
    ['6', '6', {}, { type: 'pane', pane: 'events' }],
    ['7', '7', {}, null],
    ['↓', '', { downArrow: true }, { type: 'move', delta: 1 }],
    ['j', 'j', {}, { type: 'move', delta: 1 }],
    ['↑', '', { upArrow: true }, { type: 'move', delta: -1 }],
    ['k', 'k', {}, { type: 'move', delta: -1 }],
    ['PgDn', '', { pageDown: true }, { type: 'page', delta: 1 }],
    ['PgUp', '', { pageUp: true }, { type: 'page', delta: -1 }],
    ['g', 'g', {}, { type: 'edge', end: false }],
    ['G', 'G', { shift: true }, { type: 'edge', end: true }],
    ['Home', '', { home: true }, { type: 'edge', end: false }],
    ['End', '', { end: true }, { type: 'edge', end: true }],
    ['←', '', { leftArrow: true }, { type: 'tab', delta: -1 }],
    ['l', 'l', {}, { type: 'tab', delta: 1 }],
    ['Enter', '\r', { return: true }, { type: 'open' }],
    ['Esc', '', { escape: true }, { type: 'back' }],
    ['/', '/', {}, { type: 'filterStart' }],
    ['s', 's', {}, { type: 'sort' }],
    ['r', 'r', {}, { type: 'intent', intent: 'retry' }],
    ['p', 'p', {}, { type: 'intent', intent: 'pause' }],
    ['x', 'x', {}, { type: 'toggleSelect' }],
    ['A', 'A', { shift: true }, { type: 'selectAll' }],
    ['R', 'R', { shift: true }, { type: 'intent', intent: 'retryMany' }],
    ['D', 'D', { shift: true }, { type: 'intent', intent: 'delete' }],
    ['C', 'C', { shift: true }, { type: 'intent', intent: 'clear' }],
    ['X', 'X', { shift: true }, { type: 'intent', intent: 'release' }],
    ['?', '?', {}, { type: 'help' }],
    ['q', 'q', {}, { type: 'quit' }],
    ['Ctrl-R', 'r', { ctrl: true }, null],
    ['z', 'z', {}, null],
  ])('normal mode: %s', (_name, input, key, action) => {
    expect(press('normal', input, key)).toEqual(action);
  });

  it.each<[string, string, KeyPress, Action | null]>([
    ['y', 'y', {}, { type: 'confirm', yes: true }],
    ['Y', 'Y', { shift: true }, { type: 'confirm', yes: true }],
    ['n', 'n', {}, { type: 'confirm', yes: false }],
    ['Esc', '', { escape: true }, { type: 'confirm', yes: false }],
    ['q does not quit mid-question', 'q', {}, null],
    ['Enter is no answer', '\r', { return: true }, null],
  ])('confirm mode: %s', (_name, input, key, action) => {
    expect(press('confirm', input, key)).toEqual(action);
  });

  it.each<[string, string, KeyPress, Action | null]>([
    ['letters type', 'a', {}, { type: 'filterType', text: 'a' }],
    ['q types too', 'q', {}, { type: 'filterType', text: 'q' }],
    ['* types', '*', {}, { type: 'filterType', text: '*' }],
    ['Backspace', '', { backspace: true }, { type: 'filterErase' }],
    ['Delete', '', { delete: true }, { type: 'filterErase' }],
    ['Enter keeps', '\r', { return: true }, { type: 'filterDone', keep: true }],
    ['Esc clears', '', { escape: true }, { type: 'filterDone', keep: false }],
    ['control characters are ignored', '\x01', { ctrl: true }, null],
  ])('filter mode: %s', (_name, input, key, action) => {
    expect(press('filter', input, key)).toEqual(action);
  });

  it('any key closes the help overlay', () => {
    for (const input of ['q', '?', 'x', ''])
      expect(press('help', input, { escape: input === '' })).toEqual({ type: 'help' });
  });

  it('the help lists every key the keymap knows', () => {
    const documented = KEY_HELP.map(([keys]) => keys).join(' ');
    for (const key of ['Tab', '1-6', 'j', 'k', 'PgUp', 'PgDn', 'g', 'G', 'Enter', 'Esc', 'h', 'l', '/', 's']) {
      expect(documented).toContain(key);
    }
    for (const key of ['x', 'A', 'r', 'p', 'R', 'D', 'C', 'X', '?', 'q']) {
      expect(KEY_HELP.some(([keys]) => keys.split(/\s+/).includes(key))).toBe(true);
    }
  });

  it('no lower-case key destroys: every store-changing lower-case key acts at once and only retries or pauses', () => {
    for (const letter of 'abcdefghijklmnopqrstuvwxyz') {
      const action = press('normal', letter);
      if (action?.type === 'intent') expect(['retry', 'pause']).toContain(action.intent);
    }
    for (const letter of ['d', 'c']) expect(press('normal', letter)?.type).toBe('say');
  });

  it('the help fits 80 columns and 24 rows', () => {
    const keyWidth = Math.max(...KEY_HELP.map(([keys]) => keys.length)) + 4;
    expect(KEY_HELP.length).toBeLessThanOrEqual(24 - 4 - 1);
    for (const [, what] of KEY_HELP) expect(keyWidth + what.length).toBeLessThanOrEqual(80);
  });
});
