import { formatDuration } from '../../core/duration.js';
import type { StoredEvent } from '../../drivers/types.js';
import { clockTime } from '../../output/format.js';
import { type Column, listHeight } from '../layout.js';
import { visibleEvents } from '../select.js';
import type { State } from '../state.js';
import { type Cell, type Color, Table } from './table.js';
import { Title } from './title.js';

const COLUMNS: Column[] = [
  { title: 'TIME', width: 8 },
  { title: 'EVENT', width: 15 },
  { title: 'QUEUE', width: 8, flex: 1 },
  { title: 'JOB', width: 10, flex: 1 },
  { title: 'ID', width: 26, minColumns: 110 },
  { title: 'DETAILS', width: 10, flex: 3 },
];

function color(name: string): Color {
  if (name.endsWith('failed') || name.endsWith('timeout') || name.endsWith('exception')) return 'red';
  if (name.endsWith('processed') || name.endsWith('completed')) return 'green';
  if (name.endsWith('released') || name.endsWith('busy') || name.startsWith('throttle') || name.endsWith('paused')) {
    return 'yellow';
  }
  return 'cyan';
}

function details(e: StoredEvent): Cell {
  const { error, ...rest } = e.details ?? {};
  const parts = [
    e.attempt ? `#${e.attempt}` : '',
    e.durationMs !== null && e.durationMs !== undefined ? formatDuration(e.durationMs) : '',
    e.workerId && e.jobId ? `on ${e.workerId}` : (e.workerId ?? ''),
    ...Object.entries(rest)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `${k}=${detailValue(k, v)}`),
  ].filter(Boolean);
  const text = typeof error === 'string' ? `${error.split('\n')[0]} ${parts.join(' ')}` : parts.join(' ');
  return typeof error === 'string' ? { text, color: 'red' } : text;
}

/** Instants (`availableAt`…) as clock times, objects as JSON. */
function detailValue(key: string, value: unknown): string {
  if (typeof value === 'number' && key.endsWith('At') && value > 1e12) return clockTime(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The live event stream (as `qtool tail`), newest first; `/` filters by words or `job.*` patterns. */
export function EventsPane({ state }: { state: State }) {
  const width = state.size.columns;
  const events = visibleEvents(state);
  const rows = events.map((e): Cell[] => [
    { text: clockTime(e.time), dim: true },
    { text: e.name, color: color(e.name) },
    e.queue ?? '',
    e.jobName ?? '',
    { text: e.jobId ?? '', dim: true },
    details(e),
  ]);
  const filter = state.filters.events;
  const detail = `${events.length}${filter ? ` matching ${filter}` : ''} · live${state.cursors.events > 0 ? ' (held: g for newest)' : ''}`;
  return (
    <>
      <Title name="Events" detail={detail} hint="Enter job · / filter (words, job.*)" width={width} />
      <Table
        columns={COLUMNS}
        rows={rows}
        width={width}
        height={listHeight(state.size)}
        selected={rows.length ? state.cursors.events : null}
        empty={filter ? 'no events match the filter' : 'waiting for events…'}
      />
    </>
  );
}
