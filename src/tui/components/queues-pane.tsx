import { formatDuration } from '../../core/duration.js';
import { type Column, compact, listHeight, rate, sparkline } from '../layout.js';
import { SPARK_MINUTES } from '../rates.js';
import { markedRows, visibleQueues } from '../select.js';
import type { State } from '../state.js';
import { type Cell, Table } from './table.js';
import { Title } from './title.js';

const FIXED: Column[] = [
  { title: 'PENDING', width: 7, align: 'right' },
  { title: 'DELAYED', width: 7, align: 'right' },
  { title: 'RUNNING', width: 7, align: 'right' },
  { title: 'FAILED', width: 6, align: 'right' },
  { title: 'STATE', width: 6 },
  { title: 'JOBS/M', width: 6, align: 'right' },
];

/** Per queue: counts by state, paused, jobs/min now with a 30-minute sparkline, average wait. */
export function QueuesPane({ state }: { state: State }) {
  const { columns: width } = state.size;
  const rows = visibleQueues(state);
  const metrics = state.data?.metrics ?? false;
  const fixed = FIXED.reduce((n, c) => n + c.width + 1, 0) + 6; // + WAIT and its gap
  const rest = width - 1 - fixed - 2; // two gaps: queue and sparkline
  const spark = Math.min(SPARK_MINUTES, Math.max(8, Math.floor(rest / 2)));
  const columns: Column[] = [
    { title: 'QUEUE', width: 8, flex: 1 },
    ...FIXED,
    { title: `LAST ${Math.min(spark, SPARK_MINUTES)}m`, width: spark },
    { title: 'WAIT', width: 5, align: 'right' },
  ];
  const cells = rows.map((q): Cell[] => [
    { text: q.queue, bold: true },
    compact(q.pending),
    q.delayed ? { text: compact(q.delayed), color: 'yellow' } : '0',
    q.reserved ? { text: compact(q.reserved), color: 'cyan' } : '0',
    q.failed ? { text: compact(q.failed), color: 'red' } : '0',
    q.paused ? { text: 'paused', color: 'yellow' } : { text: 'active', dim: true },
    rate(q.jobsPerMin),
    metrics ? { text: sparkline(q.perMinute, spark), color: 'green' } : { text: '-', dim: true },
    q.waitMs === null ? '-' : formatDuration(q.waitMs),
  ]);
  const filter = state.filters.queues;
  const detail = [`${rows.length}`, `sort: ${state.sort}`, filter ? `filter: ${filter}` : ''].filter(Boolean);
  return (
    <>
      <Title
        name="Queues"
        detail={detail.join(' · ')}
        hint={
          metrics
            ? 'Enter jobs · x select · p pause · R retry · C clear · s sort'
            : 'no metrics yet: JOBS/M from refresh deltas'
        }
        width={width}
      />
      <Table
        columns={columns}
        rows={cells}
        width={width}
        height={listHeight(state.size)}
        selected={rows.length ? state.cursors.queues : null}
        marked={markedRows(
          state,
          rows.map((q) => q.queue),
        )}
        empty={
          state.data
            ? 'no queues yet: dispatch a job with `qtool dispatch`'
            : state.error
              ? 'no data yet: the store does not answer (retrying)'
              : 'loading…'
        }
      />
    </>
  );
}
