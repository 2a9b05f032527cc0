import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulidx';

const nextUlid = monotonicFactory();

/** Job ids are ULIDs: unique across processes and sortable by creation time. */
export function newJobId(): string {
  return nextUlid();
}

/** Reservation and lock tokens: unguessable, never reused. */
export function newToken(): string {
  return randomBytes(12).toString('base64url');
}
