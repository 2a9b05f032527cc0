import { Text } from 'ink';
import { HELP_TITLE, KEY_HELP } from '../keys.js';
import { clip } from '../layout.js';

/** Every key and what it does (any key closes it). */
export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const keyWidth = Math.max(...KEY_HELP.map(([keys]) => keys.length)) + 4;
  const rows = KEY_HELP.slice(0, Math.max(1, height - 1));
  return (
    <>
      <Text bold>{clip(HELP_TITLE, width)}</Text>
      {rows.map(([keys, what]) => (
        <Text key={keys} wrap="truncate">
          <Text bold color="cyan">
            {clip(`  ${keys}`, keyWidth)}
          </Text>
          {clip(what, Math.max(0, width - keyWidth))}
        </Text>
      ))}
    </>
  );
}
