import { useApp, useInput, useStdout } from 'ink';
import { useEffect, useMemo, useReducer, useRef } from 'react';
import { errorMessage } from '../core/errors.js';
import type { Driver } from '../drivers/types.js';
import { failureMessage, runCommand } from './commands.js';
import { Screen } from './components/screen.js';
import { runEventFeed } from './events.js';
import { createFetcher, queryOf } from './fetch.js';
import { Poller, withTimeout } from './poller.js';
import { initialState, reducer } from './state.js';
import type { Size } from './types.js';

export interface AppProps {
  driver: Driver;
  /** Where the store is, password masked. */
  connection: string;
  intervalMs: number;
  /** A fixed size (tests); otherwise the terminal's, following resizes. */
  size?: Size;
  /** Stored events replayed into the events pane at start. */
  historyMs?: number;
}

/** The dashboard: state reducer, refresh loop, events subscription, command runner, keys. */
export function App({ driver, connection, intervalMs, size, historyMs = 10 * 60_000 }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [state, dispatch] = useReducer(reducer, undefined, () => initialState(size ?? terminalSize(stdout)));
  // The refresh loop reads the view on screen when it runs, not when it was created.
  const latest = useRef(state);
  latest.current = state;

  useEffect(() => {
    if (size) return;
    const onResize = () => dispatch({ type: 'resize', size: terminalSize(stdout) });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, size]);

  const poller = useMemo(() => {
    const fetcher = createFetcher(driver);
    const timeoutMs = Math.max(5000, intervalMs * 3);
    return new Poller(async () => {
      try {
        const snapshot = await withTimeout(fetcher.fetch(queryOf(latest.current)), timeoutMs, 'the store');
        dispatch({ type: 'data', snapshot });
      } catch (error) {
        dispatch({ type: 'fetchFailed', message: errorMessage(error) });
      }
    }, intervalMs);
  }, [driver, intervalMs]);
  useEffect(() => () => poller.stop(), [poller]);
  // Refresh at once when the view asks for other data (another pane, queue, page or job).
  const queryKey = JSON.stringify(queryOf(state));
  // biome-ignore lint/correctness/useExhaustiveDependencies: queryKey is the trigger
  useEffect(() => poller.now(), [poller, queryKey]);

  useEffect(() => {
    const controller = new AbortController();
    void runEventFeed(driver, {
      historyMs,
      signal: controller.signal,
      onEvents: (events) => dispatch({ type: 'events', events }),
      onError: (message) => dispatch({ type: 'eventsFailed', message }),
    });
    return () => controller.abort();
  }, [driver, historyMs]);

  const effect = state.effect;
  useEffect(() => {
    if (!effect) return;
    const { command } = effect;
    runCommand(driver, command)
      .then(
        (result) => dispatch({ type: 'commandDone', command, ...result }),
        (error) =>
          dispatch({ type: 'commandDone', command, ok: false, message: failureMessage(command, errorMessage(error)) }),
      )
      .finally(() => poller.now());
  }, [effect, driver, poller]);

  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);

  useInput((input, key) => dispatch({ type: 'key', input, key }));

  return <Screen state={state} connection={connection} />;
}

function terminalSize(stdout: NodeJS.WriteStream): Size {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}
