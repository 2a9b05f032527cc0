import { clockTime, relativeTime } from '../../output/format.js';
import { type Column, listHeight } from '../layout.js';
import { markedRows, visibleCounters } from '../select.js';
import type { State } from '../state.js';
import { type Cell, Table } from './table.js';
import { Title } from './title.js';

const COLUMNS: Column[] = [
  { title: 'KEY', width: 16, flex: 1 },
  { title: 'KIND', width: 8 },
  { title: 'COUNT', width: 9, align: 'right' },
  { title: 'WINDOW ENDS', width: 11, align: 'right' },
  { title: 'STATE', width: 22 },
];

/** Exception throttles and rate limiters (as `qtool throttle`): tripped once the count reaches the limit. */
export function ThrottlesPane({ state }: { state: State }) {
  const width = state.size.columns;
  const counters = visibleCounters(state);
  const now = state.data?.now ?? Date.now();
  const rows = counters.map((c): Cell[] => {
    const tripped = c.count >= (c.meta?.limit ?? Number.POSITIVE_INFINITY);
    return [
      { text: c.key, bold: true },
      c.meta?.kind ?? '',
      `${c.count}/${c.meta?.limit ?? '?'}`,
      relativeTime(c.expiresAt, now),
      tripped ? { text: `tripped until ${clockTime(c.expiresAt)}`, color: 'red' } : { text: 'open', color: 'green' },
    ];
  });
  const filter = state.filters.throttles;
  return (
    <>
      <Title
        name="Throttles"
        detail={`${counters.length}${filter ? ` · filter: ${filter}` : ''}`}
        hint="x select · C clear · / filter"
        width={width}
      />
      <Table
        columns={COLUMNS}
        rows={rows}
        width={width}
        height={listHeight(state.size)}
        selected={rows.length ? state.cursors.throttles : null}
        marked={markedRows(
          state,
          counters.map((c) => c.key),
        )}
        empty={state.data?.counters ? 'no throttles or rate limits in effect' : 'loading…'}
      />
    </>
  );
}
