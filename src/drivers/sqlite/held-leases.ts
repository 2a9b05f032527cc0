/** Within this much of its end a lease is checked in the store: clocks of processes agree to ~1 ms. */
const MARGIN_MS = 1000;
/** Entries left behind (an outcome that was never stored) are dropped once this many are kept. */
const PRUNE_AT = 10_000;

/**
 * The leases this connection handed out and has not settled yet. While one has well over a second
 * left, no other worker can have taken its job (only an expired lease is reserved again), so a
 * completion needs no read of the store to know the job is still held: that read, a read
 * transaction of its own outside the next commit, was a tenth of a one-slot worker's time.
 * A job deleted from another process (`qtool jobs delete`) while it runs then reports completed
 * instead of lost; the delete stands either way.
 */
export class HeldLeases {
  private readonly leases = new Map<string, { token: string; until: number }>();

  add(id: string, token: string, until: number, now: number): void {
    if (this.leases.size >= PRUNE_AT) {
      for (const [key, lease] of this.leases) if (lease.until <= now) this.leases.delete(key);
    }
    this.leases.set(id, { token, until });
  }

  /** A renewal the store accepted. */
  renew(id: string, token: string, until: number): void {
    const lease = this.leases.get(id);
    if (lease?.token === token) lease.until = until;
  }

  /** The job's outcome was stored, or its lease lost; with a token, only that reservation's. */
  settle(id: string, token?: string): void {
    if (token === undefined || this.leases.get(id)?.token === token) this.leases.delete(id);
  }

  /** Whether `token` surely still holds the job at `now` without asking the store. */
  surelyHeld(id: string, token: string, now: number): boolean {
    const lease = this.leases.get(id);
    return lease !== undefined && lease.token === token && now < lease.until - MARGIN_MS;
  }
}
