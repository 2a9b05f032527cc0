import { Box } from 'ink';
import { bodyHeight } from '../layout.js';
import { topView } from '../select.js';
import type { State } from '../state.js';
import { EventsPane } from './events-pane.js';
import { FailedPane } from './failed-pane.js';
import { Header } from './header.js';
import { HelpOverlay } from './help-overlay.js';
import { JobDetail } from './job-detail.js';
import { LocksPane } from './locks-pane.js';
import { QueueDetail } from './queue-detail.js';
import { QueuesPane } from './queues-pane.js';
import { StatusLine } from './status-line.js';
import { ThrottlesPane } from './throttles-pane.js';
import { WorkersPane } from './workers-pane.js';

const PANE_VIEWS = {
  queues: QueuesPane,
  failed: FailedPane,
  workers: WorkersPane,
  locks: LocksPane,
  throttles: ThrottlesPane,
  events: EventsPane,
};

function Body({ state }: { state: State }) {
  if (state.mode === 'help') return <HelpOverlay width={state.size.columns} height={bodyHeight(state.size)} />;
  const view = topView(state);
  if (view?.kind === 'queue') return <QueueDetail state={state} view={view} />;
  if (view?.kind === 'job') return <JobDetail state={state} view={view} />;
  const Pane = PANE_VIEWS[state.pane];
  return <Pane state={state} />;
}

/** The whole screen: header, the pane or drill-down on top, the status line. Pure: state in, frame out. */
export function Screen({ state, connection }: { state: State; connection: string }) {
  return (
    <Box flexDirection="column" width={state.size.columns}>
      <Header state={state} connection={connection} />
      <Box flexDirection="column" height={bodyHeight(state.size)} overflow="hidden">
        <Body state={state} />
      </Box>
      <StatusLine state={state} />
    </Box>
  );
}
