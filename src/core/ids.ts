import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulidx';

/**
 * Random bytes from the system CSPRNG, drawn 4 KiB at a time: a draw per id or token (ulidx asks
 * for one byte at a time, sixteen times an id) was a system call each, a few µs per job. Each byte
 * is handed out once.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomBytesFromPool(n: number): Buffer {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const bytes = Buffer.from(pool.subarray(used, used + n));
  used += n;
  return bytes;
}

function randomByte(): number {
  if (used >= pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]!;
}

// The same draw ulidx makes by default (one byte / 0xff), from the pool.
const nextUlid = monotonicFactory(() => randomByte() / 0xff);

/** Job ids are ULIDs: unique across processes and sortable by creation time. */
export function newJobId(): string {
  return nextUlid();
}

/** Reservation and lock tokens: unguessable, never reused. */
export function newToken(): string {
  return randomBytesFromPool(12).toString('base64url');
}
