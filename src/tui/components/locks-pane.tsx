import { relativeTime } from '../../output/format.js';
import { type Column, listHeight } from '../layout.js';
import { markedRows, visibleLocks } from '../select.js';
import type { State } from '../state.js';
import { type Cell, Table } from './table.js';
import { Title } from './title.js';

const COLUMNS: Column[] = [
  { title: 'KEY', width: 16, flex: 3 },
  { title: 'JOB', width: 10, flex: 2 },
  { title: 'WORKER', width: 10, flex: 2 },
  { title: 'ACQUIRED', width: 9, align: 'right' },
  { title: 'EXPIRES', width: 9, align: 'right' },
];

/** Overlap locks held now (as `qtool locks`). */
export function LocksPane({ state }: { state: State }) {
  const width = state.size.columns;
  const locks = visibleLocks(state);
  const now = state.data?.now ?? Date.now();
  const rows = locks.map((l): Cell[] => [
    { text: l.key, bold: true },
    { text: l.jobId ?? '', dim: true },
    l.workerId ?? '',
    relativeTime(l.acquiredAt, now),
    l.expiresAt ? relativeTime(l.expiresAt, now) : { text: 'never', dim: true },
  ]);
  const filter = state.filters.locks;
  return (
    <>
      <Title
        name="Locks"
        detail={`${locks.length} held${filter ? ` · filter: ${filter}` : ''}`}
        hint="x select · X release · Enter holder job · / filter"
        width={width}
      />
      <Table
        columns={COLUMNS}
        rows={rows}
        width={width}
        height={listHeight(state.size)}
        selected={rows.length ? state.cursors.locks : null}
        marked={markedRows(
          state,
          locks.map((l) => l.key),
        )}
        empty={state.data?.locks ? 'no locks held' : 'loading…'}
      />
    </>
  );
}
