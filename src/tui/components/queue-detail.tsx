import { Text } from 'ink';
import { formatDuration } from '../../core/duration.js';
import { relativeTime } from '../../output/format.js';
import { type Column, listHeight, windowStart } from '../layout.js';
import { markedRows, queueCount } from '../select.js';
import type { State } from '../state.js';
import { JOB_TABS, type JobRow, type JobTab, type View } from '../types.js';
import { type Cell, Table } from './table.js';

const ID: Column = { title: 'ID', width: 26 };
const JOB: Column = { title: 'JOB', width: 10, flex: 1 };
const TRY: Column = { title: 'TRY', width: 3, align: 'right' };

const COLUMNS: Record<JobTab, Column[]> = {
  pending: [ID, JOB, TRY, { title: 'WAITING', width: 9, align: 'right' }],
  delayed: [ID, JOB, TRY, { title: 'DUE', width: 10, align: 'right' }],
  reserved: [ID, JOB, TRY, { title: 'WORKER', width: 10, flex: 1 }, { title: 'RUNNING', width: 8, align: 'right' }],
  failed: [
    ID,
    { ...JOB, flex: 1 },
    { title: 'FAILED', width: 8, align: 'right' },
    { title: 'ERROR', width: 10, flex: 2 },
  ],
};

function cells(row: JobRow, tab: JobTab, now: number): Cell[] {
  const base: Cell[] = [{ text: row.id, dim: true }, row.name];
  switch (tab) {
    case 'pending':
      return [...base, String(row.attempts), formatDuration(Math.max(0, now - row.availableAt))];
    case 'delayed':
      return [...base, String(row.attempts), { text: relativeTime(row.availableAt, now), color: 'yellow' }];
    case 'reserved':
      return [...base, String(row.attempts), row.reservedBy ?? '?', formatDuration(now - (row.reservedAt ?? now))];
    case 'failed':
      return [...base, row.failedAt ? formatDuration(now - row.failedAt) : '', { text: row.error ?? '', color: 'red' }];
  }
}

/** One queue's jobs in one state, a page at a time (←/→ switch state, PgUp/PgDn page). */
export function QueueDetail({ state, view }: { state: State; view: Extract<View, { kind: 'queue' }> }) {
  const width = state.size.columns;
  const height = listHeight(state.size);
  const page = state.data?.jobs;
  const fresh =
    page && page.queue === view.queue && page.tab === view.tab && page.offset === windowStart(view.cursor, height);
  const total = queueCount(state, view.queue, view.tab);
  const pages = Math.max(1, Math.ceil(total / height));
  const paused = state.data?.queues.find((q) => q.queue === view.queue)?.paused;
  return (
    <>
      <Text wrap="truncate">
        <Text bold>{` ${view.queue}`}</Text>
        {paused ? <Text color="yellow"> paused</Text> : null}{' '}
        {JOB_TABS.map((tab) => {
          const label = ` ${tab} ${queueCount(state, view.queue, tab)} `;
          return tab === view.tab ? (
            <Text key={tab} inverse bold>{`[${label.trim()}]`}</Text>
          ) : (
            <Text key={tab}>{label}</Text>
          );
        })}
        <Text dimColor>{` page ${Math.floor(view.cursor / height) + 1}/${pages}  ←→ state`}</Text>
      </Text>
      <Table
        columns={COLUMNS[view.tab]}
        rows={fresh ? page.rows.map((r) => cells(r, view.tab, state.data!.now)) : []}
        width={width}
        height={height}
        selected={fresh && page.rows.length ? view.cursor - page.offset : null}
        paged
        marked={markedRows(state, fresh ? page.rows.map((r) => r.id) : [])}
        empty={fresh ? `no ${view.tab} jobs` : 'loading…'}
      />
    </>
  );
}
