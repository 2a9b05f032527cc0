import { Text } from 'ink';
import { type Column, clip, fitColumns, windowStart } from '../layout.js';

export type Color = 'red' | 'green' | 'yellow' | 'cyan' | 'gray';
export type Cell = string | { text: string; color?: Color; dim?: boolean; bold?: boolean };

export interface TableProps {
  columns: Column[];
  rows: Cell[][];
  width: number;
  height: number;
  /** Index in `rows` of the selected row (null: none); the window scrolls to keep it visible. */
  selected: number | null;
  /** Rows are one page already (loaded with LIMIT/OFFSET): no windowing here. */
  paged?: boolean;
  /** Per row, whether it is selected (x, A): given for lists whose rows can be selected. */
  marked?: boolean[];
  empty: string;
}

/**
 * Fixed-width rows: a `›` marker and inverse video on the cursor row, a `*` on selected rows (the
 * markers keep both visible with NO_COLOR), columns cut with an ellipsis to fit the width.
 */
export function Table({ columns, rows, width, height, selected, paged = false, marked, empty }: TableProps) {
  const gutter = marked ? 2 : 1;
  const fitted = fitColumns(columns, width - gutter);
  const start = paged ? 0 : windowStart(selected ?? 0, height);
  const shown = rows.slice(start, start + height);
  return (
    <>
      <Text bold dimColor>
        {`${' '.repeat(gutter)}${fitted.map((c) => clip(c.title, c.width, c.align)).join(' ')}`}
      </Text>
      {shown.length === 0 ? <Text dimColor>{` ${empty}`}</Text> : null}
      {shown.map((row, i) => {
        const isSelected = start + i === selected;
        const key = `${start + i}`;
        return (
          <Text key={key} inverse={isSelected} wrap="truncate">
            {isSelected ? '›' : ' '}
            {marked ? (
              <Text color="yellow" bold>
                {marked[start + i] ? '*' : ' '}
              </Text>
            ) : null}
            {fitted.map((c, j) => {
              const cell = row[indexOf(columns, c)] ?? '';
              const value = typeof cell === 'string' ? { text: cell } : cell;
              return (
                <Text key={c.title} color={value.color} dimColor={value.dim} bold={value.bold}>
                  {(j === 0 ? '' : ' ') + clip(value.text, c.width, c.align)}
                </Text>
              );
            })}
          </Text>
        );
      })}
    </>
  );
}

/** Position of a (possibly re-created) fitted column among the declared ones, by title. */
function indexOf(columns: Column[], column: Column): number {
  return columns.findIndex((c) => c.title === column.title);
}
