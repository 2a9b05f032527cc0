import type { Size } from './types.js';

/** Smallest screen the dashboard lays out for; smaller terminals are clipped. */
export const MIN_SIZE: Size = { columns: 80, rows: 24 };

/**
 * Rows: header (2) + body + status line (1), leaving the terminal's last row free so Ink
 * updates in place instead of clearing the whole screen on every frame (no flicker).
 */
export function bodyHeight(size: Size): number {
  return Math.max(4, size.rows - 4);
}

/** Rows left for list items under a pane's title line and table header. */
export function listHeight(size: Size): number {
  return bodyHeight(size) - 2;
}

/** First index of the window of `height` rows that shows `cursor` (whole pages, stable while moving). */
export function windowStart(cursor: number, height: number): number {
  return height > 0 ? Math.floor(Math.max(0, cursor) / height) * height : 0;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max));
}

/** Pad or cut `text` to exactly `width` characters (cut text ends with an ellipsis). */
export function clip(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const flat = text.replace(/\s*\n\s*/g, ' ');
  const cut = flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
  return align === 'right' ? cut.padStart(width) : cut.padEnd(width);
}

/** Cut in the middle when too long, keeping both ends (`sqlite:/srv/…/.qtool/qtool.db`). */
export function clipMiddle(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  if (width < 8) return clip(text, width);
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

export interface Column {
  title: string;
  /** Fixed width; columns with `flex` share what is left (at least `width`). */
  width: number;
  flex?: number;
  align?: 'left' | 'right';
  /** Hidden when the screen is narrower than this. */
  minColumns?: number;
}

/** Widths for the columns shown at `total` characters (one space between columns). */
export function fitColumns(columns: Column[], total: number): Column[] {
  const shown = columns.filter((c) => !c.minColumns || total >= c.minColumns);
  const fixed = shown.reduce((n, c) => n + c.width, 0) + shown.length - 1;
  const flexTotal = shown.reduce((n, c) => n + (c.flex ?? 0), 0);
  const spare = Math.max(0, total - fixed);
  const lastFlex = shown.findLastIndex((c) => c.flex);
  let given = 0;
  return shown.map((c, i) => {
    if (!c.flex) return c;
    const extra = i === lastFlex ? spare - given : Math.floor((spare * c.flex) / flexTotal);
    given += extra;
    return { ...c, width: c.width + extra };
  });
}

const BARS = ' ▁▂▃▄▅▆▇█';

/** One character per value, scaled to the largest; the last `width` values. */
export function sparkline(values: number[], width: number): string {
  const shown = values.slice(-width);
  const max = Math.max(0, ...shown);
  if (max === 0) return '·'.repeat(shown.length).padStart(width);
  return shown
    .map((v) => (v <= 0 ? ' ' : BARS[Math.max(1, Math.round((v / max) * (BARS.length - 1)))]))
    .join('')
    .padStart(width);
}

/** 12, 1.2k, 3.4M: counts in narrow columns. */
export function compact(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** Jobs per minute: 0, 4.5, 120, 1.2k. */
export function rate(n: number | null): string {
  if (n === null) return '-';
  if (n < 10) return String(Math.round(n * 10) / 10);
  return compact(Math.round(n));
}
