import type { AckOptions } from '../types.js';

/** At most this many acknowledgements per store call. */
const ACK_BATCH = 500;

interface PendingAck {
  options: AckOptions;
  resolve: (ok: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Acknowledgements issued in the same tick (a worker's slots finishing together) go to the store
 * together: one call per queue for up to ACK_BATCH jobs, each job still checked on its own, each
 * caller answered with its own result. Until that call lands the jobs stay reserved, so a crash in
 * between leaves them to run again when their leases expire.
 */
export class AckBatcher {
  private pending = new Map<string, PendingAck[]>();
  private flushScheduled = false;

  /** `send` stores one queue's acknowledgements and says, per job in order, whether it held. */
  constructor(private readonly send: (queue: string, acks: AckOptions[]) => Promise<boolean[]>) {}

  add(queue: string, options: AckOptions): Promise<boolean> {
    let acks = this.pending.get(queue);
    if (!acks) {
      acks = [];
      this.pending.set(queue, acks);
      this.scheduleFlush();
    }
    const list = acks;
    return new Promise((resolve, reject) => {
      list.push({ options, resolve, reject });
    });
  }

  /** Send what this tick gathered once the current callbacks have run. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => {
      this.flushScheduled = false;
      const pending = this.pending;
      this.pending = new Map();
      for (const [queue, acks] of pending) void this.flushQueue(queue, acks);
    });
  }

  private async flushQueue(queue: string, acks: PendingAck[]): Promise<void> {
    for (let start = 0; start < acks.length; start += ACK_BATCH) {
      const slice = acks.slice(start, start + ACK_BATCH);
      try {
        const held = await this.send(
          queue,
          slice.map((ack) => ack.options),
        );
        for (const [i, ack] of slice.entries()) ack.resolve(held[i] === true);
      } catch (error) {
        for (const ack of slice) ack.reject(error);
      }
    }
  }
}
