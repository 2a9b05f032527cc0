import { formatDuration } from '../../core/duration.js';
import { relativeTime } from '../../output/format.js';
import { type Column, listHeight } from '../layout.js';
import { visibleWorkers } from '../select.js';
import type { State } from '../state.js';
import { type Cell, Table } from './table.js';
import { Title } from './title.js';

const COLUMNS: Column[] = [
  { title: 'WORKER', width: 12, flex: 2 },
  { title: 'HOST', width: 12, minColumns: 120 },
  { title: 'PID', width: 7, align: 'right', minColumns: 120 },
  { title: 'QUEUES', width: 8, flex: 1 },
  { title: 'CURRENT JOB', width: 14, flex: 2 },
  { title: 'DONE', width: 5, align: 'right' },
  { title: 'FAIL', width: 4, align: 'right' },
  { title: 'BEAT', width: 7, align: 'right' },
  { title: 'STATE', width: 8 },
];

/** Workers from the heartbeat registry; a heartbeat older than 15 s (3 beats) marks one lost. */
export function WorkersPane({ state }: { state: State }) {
  const width = state.size.columns;
  const workers = visibleWorkers(state);
  const now = state.data?.now ?? Date.now();
  const rows = workers.map((w): Cell[] => {
    const job = w.current[0];
    const current = job
      ? `${job.name} ${formatDuration(now - job.startedAt)}${w.current.length > 1 ? ` +${w.current.length - 1}` : ''}`
      : '';
    return [
      w.id,
      w.host,
      String(w.pid),
      w.queues.join(','),
      current ? { text: current, color: 'cyan' } : { text: 'idle', dim: true },
      String(w.processed),
      w.failed ? { text: String(w.failed), color: 'red' } : '0',
      relativeTime(w.lastBeatAt, now),
      w.lost
        ? { text: 'LOST', color: 'red', bold: true }
        : w.status === 'stopping'
          ? { text: 'stopping', color: 'yellow' }
          : { text: 'running', color: 'green' },
    ];
  });
  const lost = workers.filter((w) => w.lost).length;
  const filter = state.filters.workers;
  const detail = `${workers.length - lost} alive${lost ? `, ${lost} lost` : ''}${filter ? ` · filter: ${filter}` : ''}`;
  return (
    <>
      <Title name="Workers" detail={detail} hint="Enter current job · / filter" width={width} />
      <Table
        columns={COLUMNS}
        rows={rows}
        width={width}
        height={listHeight(state.size)}
        selected={rows.length ? state.cursors.workers : null}
        empty={state.data ? 'no workers: start one with `qtool work`' : 'loading…'}
      />
    </>
  );
}
