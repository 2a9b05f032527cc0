import { Text } from 'ink';
import { fit } from '../layout.js';
import type { State } from '../state.js';

const HINT = '? help  q quit';
const TONE = { info: undefined, ok: 'green', error: 'red' } as const;

/** The bottom line: a y/n question, the filter being typed, or what the last action or refresh did. */
export function StatusLine({ state }: { state: State }) {
  const width = state.size.columns;
  const room = Math.max(0, width - HINT.length - 2);
  if (state.mode === 'confirm' && state.confirm) {
    return (
      <Text wrap="truncate">
        <Text color="yellow" bold>
          {fit(` ${state.confirm.prompt} (y/n)`, width)}
        </Text>
      </Text>
    );
  }
  if (state.mode === 'filter') {
    return (
      <Text wrap="truncate">
        <Text bold>{fit(` /${state.filters[state.pane]}_`, room)}</Text>
        <Text dimColor>{fit('Enter keep  Esc clear', HINT.length + 2, 'right')}</Text>
      </Text>
    );
  }
  const status = state.status;
  return (
    <Text wrap="truncate">
      <Text color={status ? TONE[status.tone] : undefined}>{fit(` ${status?.text ?? ''}`, room)}</Text>
      <Text dimColor>{fit(HINT, HINT.length + 2, 'right')}</Text>
    </Text>
  );
}
