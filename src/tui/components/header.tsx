import { Text } from 'ink';
import { clockTime } from '../../output/format.js';
import { clipMiddle, rate } from '../layout.js';
import type { State } from '../state.js';
import { PANE_LABELS, PANES } from '../types.js';

/** Two lines: connection, workers alive, jobs/min, failed in the last hour, clock; then the pane tabs. */
export function Header({ state, connection }: { state: State; connection: string }) {
  const width = state.size.columns;
  const data = state.data;
  const alive = data ? data.workers.filter((w) => !w.lost).length : 0;
  const lost = data ? data.workers.length - alive : 0;
  const failed = data?.failedLastHour ?? null;
  const facts = [
    `workers ${alive}${lost ? ` (${lost} lost)` : ''}`,
    `jobs/min ${rate(data?.jobsPerMin ?? null)}`,
    `failed/1h ${failed === null ? '-' : failed}`,
    data ? clockTime(data.now) : '--:--:--',
  ].join('  ');
  const stale = state.error ? ' STALE' : '';
  const room = Math.max(8, width - facts.length - stale.length - 9);
  const failedCount = data ? data.queues.reduce((n, q) => n + q.failed, 0) : 0;
  return (
    <>
      <Text wrap="truncate">
        <Text bold color="cyan">
          {' qtool '}
        </Text>
        <Text>{clipMiddle(connection, room)} </Text>
        <Text color={lost ? 'yellow' : undefined}>{facts}</Text>
        <Text color="red" bold>
          {stale}
        </Text>
      </Text>
      <Text wrap="truncate">
        {PANES.map((pane, i) => {
          const label = `${i + 1} ${PANE_LABELS[pane]}${pane === 'failed' && failedCount ? ` ${failedCount}` : ''}`;
          return pane === state.pane ? (
            <Text key={pane} inverse bold>{`[${label}]`}</Text>
          ) : (
            <Text key={pane} dimColor>{` ${label} `}</Text>
          );
        })}
      </Text>
    </>
  );
}
