import type { Driver } from '../drivers/types.js';
import type { AttemptAbort } from './attempt-abort.js';
import type { JobEnvelope } from './envelope.js';
import { errorMessage } from './errors.js';

/** A job a worker holds, from its reserve until its outcome is stored. */
export interface InFlight {
  envelope: JobEnvelope;
  token: string;
  startedAt: number;
  abort: AttemptAbort;
  /** When the lease was last taken or renewed (worker clock). */
  renewedAt: number;
  /** The handler is done and the outcome is on its way to the store: no more renewals. */
  recording: boolean;
}

/**
 * Keeps the leases of a worker's running jobs: one timer looks every sixth of the lease and renews
 * those last renewed a third of it ago or more (a timer per job cost more than its renewals). A
 * job whose lease the store no longer gives it is aborted.
 */
export class LeaseRenewer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly running: () => Iterable<InFlight>,
    private readonly options: { driver: Driver; leaseMs: number; onWarning?: (message: string) => void },
  ) {}

  start(): void {
    this.timer = setInterval(() => this.renewDue(), Math.max(25, Math.floor(this.options.leaseMs / 6)));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private renewDue(): void {
    const { driver, leaseMs, onWarning } = this.options;
    const now = Date.now();
    const every = Math.max(50, Math.floor(leaseMs / 3));
    for (const entry of this.running()) {
      if (entry.recording || entry.abort.aborted || now - entry.renewedAt < every) continue;
      entry.renewedAt = now;
      const { envelope } = entry;
      driver.jobExtendLease({ id: envelope.id, token: entry.token, leaseMs }).then(
        (kept) => {
          if (kept || entry.recording) return;
          onWarning?.(`lease lost on job ${envelope.id} (${envelope.name}); abandoning it`);
          entry.abort.abort('lease lost');
        },
        (error) => onWarning?.(`cannot renew the lease of job ${envelope.id}: ${errorMessage(error)}`),
      );
    }
  }
}
