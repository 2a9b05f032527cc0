import { Text } from 'ink';
import { jobLines } from '../job-lines.js';
import { bodyHeight, clamp, clip } from '../layout.js';
import type { State } from '../state.js';
import type { View } from '../types.js';
import { Title } from './title.js';

const TONES = { red: 'red', green: 'green', yellow: 'yellow', cyan: 'cyan', dim: 'gray' } as const;

/** A job's detail: state, attempts, chain, payload pretty-printed, attempt history, error and stack. */
export function JobDetail({ state, view }: { state: State; view: Extract<View, { kind: 'job' }> }) {
  const width = state.size.columns;
  const height = bodyHeight(state.size) - 1;
  const data = state.data;
  const loaded = data?.job?.id === view.id ? data.job : null;
  const record = loaded?.record ?? null;
  const lines = record && data ? jobLines(record, data.now, loaded?.why ?? null) : [];
  const scroll = clamp(view.scroll, 0, lines.length - height);
  const more =
    lines.length > height ? `lines ${scroll + 1}-${Math.min(lines.length, scroll + height)} of ${lines.length} · ` : '';
  const keys = record?.state === 'failed' ? 'r retry · D forget' : 'D delete';
  return (
    <>
      <Title
        name={`Job ${view.id}`}
        detail={record ? record.envelope.name : undefined}
        hint={`${more}↑/↓ scroll · ${keys} · Esc back`}
        width={width}
      />
      {!loaded ? <Text dimColor> loading…</Text> : null}
      {loaded && !record ? (
        <Text color="yellow"> not found: the job finished (completed jobs are not kept) or was deleted</Text>
      ) : null}
      {numbered(lines.slice(scroll, scroll + height), scroll).map((line) => (
        <Text key={line.n} wrap="truncate">
          {line.label !== undefined ? <Text bold>{` ${line.label.padEnd(12)}`}</Text> : ' '}
          <Text color={line.tone ? TONES[line.tone] : undefined}>
            {clip(line.text, Math.max(0, width - (line.label !== undefined ? 14 : 1)))}
          </Text>
        </Text>
      ))}
    </>
  );
}

const numbered = <T,>(items: T[], from: number) => items.map((item, i) => ({ ...item, n: from + i }));
