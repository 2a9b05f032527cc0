import { Text } from 'ink';
import { clip } from '../layout.js';

/** A pane's first line: bold name, then details, then dim key hints, cut to the width. */
export function Title({ name, detail, hint, width }: { name: string; detail?: string; hint?: string; width: number }) {
  const head = ` ${name}`;
  const middle = detail ? `  ${detail}` : '';
  const line = clip(`${head}${middle}${hint ? `  ${hint}` : ''}`, width);
  return (
    <Text wrap="truncate">
      <Text bold>{line.slice(0, head.length)}</Text>
      {line.slice(head.length, head.length + middle.length)}
      <Text dimColor>{line.slice(head.length + middle.length)}</Text>
    </Text>
  );
}
