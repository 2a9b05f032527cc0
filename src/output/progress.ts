import cliProgress from 'cli-progress';
import type { Io } from '../commands/context.js';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

/**
 * A progress bar with rate and ETA on stderr, only when stderr is a TTY (pipes and CI stay clean).
 * With total 0 it counts without a bar.
 */
export function createProgress(io: Io, label: string, total: number): Progress | null {
  if (!io.stderr.isTTY) return null;
  const format =
    total > 0
      ? `${label} [{bar}] {percentage}% {value}/{total} | {speed}/s | eta {eta_formatted}`
      : `${label} {value} | {speed}/s`;
  const bar = new cliProgress.SingleBar(
    { format, stream: io.stderr as NodeJS.WriteStream, hideCursor: true, clearOnComplete: true, fps: 10 },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = Date.now();
  bar.start(total, 0, { speed: 0 });
  return {
    update(done) {
      const seconds = (Date.now() - startedAt) / 1000;
      bar.update(done, { speed: seconds > 0 ? Math.round(done / seconds) : 0 });
    },
    stop() {
      bar.stop();
    },
  };
}
