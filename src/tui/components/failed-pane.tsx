import { formatDuration } from '../../core/duration.js';
import { type Column, listHeight, windowStart } from '../layout.js';
import { failedQueue, markedRows, queueCount } from '../select.js';
import type { State } from '../state.js';
import { type Cell, Table } from './table.js';
import { Title } from './title.js';

const COLUMNS: Column[] = [
  { title: 'ID', width: 26 },
  { title: 'QUEUE', width: 8, flex: 1 },
  { title: 'JOB', width: 8, flex: 1 },
  { title: 'FAILED', width: 7, align: 'right' },
  { title: 'ERROR', width: 10, flex: 3 },
];

/** Failed jobs of every queue (or of the queue typed with `/`), newest first, a page at a time. */
export function FailedPane({ state }: { state: State }) {
  const width = state.size.columns;
  const height = listHeight(state.size);
  const queue = failedQueue(state);
  const page = state.data?.failed;
  const cursor = state.cursors.failed;
  const fresh = page && page.queue === queue && page.offset === windowStart(cursor, height);
  const total = queueCount(state, queue, 'failed');
  const now = state.data?.now ?? Date.now();
  const rows = fresh
    ? page.rows.map((f): Cell[] => [
        { text: f.id, dim: true },
        f.queue,
        f.name,
        formatDuration(Math.max(0, now - f.failedAt)),
        { text: f.error.message, color: 'red' },
      ])
    : [];
  const detail = `${total}${queue ? ` in ${queue}` : ''} · page ${Math.floor(cursor / height) + 1}/${Math.max(1, Math.ceil(total / height))}`;
  return (
    <>
      <Title
        name="Failed"
        detail={detail}
        hint="Enter detail · r retry · x select · R retry · D forget · / queue"
        width={width}
      />
      <Table
        columns={COLUMNS}
        rows={rows}
        width={width}
        height={height}
        selected={fresh && rows.length ? cursor - page.offset : null}
        paged
        marked={markedRows(state, fresh ? page.rows.map((f) => f.id) : [])}
        empty={fresh || total === 0 ? 'no failed jobs' : 'loading…'}
      />
    </>
  );
}
