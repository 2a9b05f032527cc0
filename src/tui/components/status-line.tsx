import { Text } from 'ink';
import { clip } from '../layout.js';
import { selectedKeys } from '../select.js';
import type { State } from '../state.js';

const HINT = '? help  q quit';
const FILTER_HINT = 'Enter keep  Esc clear';
const TONE = { info: undefined, ok: 'green', error: 'red' } as const;

/**
 * The bottom line: a y/n question, the filter being typed, or what the last action or refresh did,
 * with how many rows are selected in the list on screen.
 */
export function StatusLine({ state }: { state: State }) {
  const width = state.size.columns;
  const count = selectedKeys(state).length;
  const hint = `${count ? `${count} selected · ` : ''}${HINT}`;
  const room = Math.max(0, width - hint.length - 2);
  if (state.mode === 'confirm' && state.confirm) {
    return (
      <Text wrap="truncate">
        <Text color="yellow" bold>
          {clip(` ${state.confirm.prompt} (y/n)`, width)}
        </Text>
      </Text>
    );
  }
  if (state.mode === 'filter') {
    return (
      <Text wrap="truncate">
        <Text bold>{clip(` /${state.filters[state.pane]}_`, Math.max(0, width - FILTER_HINT.length - 2))}</Text>
        <Text dimColor>{clip(FILTER_HINT, FILTER_HINT.length + 2, 'right')}</Text>
      </Text>
    );
  }
  const status = state.status;
  return (
    <Text wrap="truncate">
      <Text color={status ? TONE[status.tone] : undefined}>{clip(` ${status?.text ?? ''}`, room)}</Text>
      {count ? (
        <Text color="yellow" bold>
          {clip(`${count} selected`, `${count} selected`.length + 2, 'right')}
        </Text>
      ) : null}
      <Text dimColor>{clip(HINT, HINT.length + (count ? 3 : 2), 'right')}</Text>
    </Text>
  );
}
