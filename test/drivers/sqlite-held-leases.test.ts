import { describe, expect, it } from 'vitest';
import { HeldLeases } from '../../src/drivers/sqlite/held-leases.js';

describe('held leases (completions that need no store read)', () => {
  it('trusts a lease with over a second left, for its own token only', () => {
    const leases = new HeldLeases();
    leases.add('j', 't1', 10_000, 0);
    expect(leases.surelyHeld('j', 't1', 5_000)).toBe(true);
    expect(leases.surelyHeld('j', 'other', 5_000)).toBe(false);
    expect(leases.surelyHeld('j', 't1', 9_500)).toBe(false); // within a second of its end: ask the store
  });

  it('follows renewals, and a late outcome of an older reservation leaves the newer one alone', () => {
    const leases = new HeldLeases();
    leases.add('j', 't1', 2_000, 0);
    leases.renew('j', 't1', 20_000);
    expect(leases.surelyHeld('j', 't1', 10_000)).toBe(true);
    leases.add('j', 't2', 40_000, 25_000); // the lease ran out and this connection took the job again
    leases.settle('j', 't1');
    expect(leases.surelyHeld('j', 't2', 30_000)).toBe(true);
    leases.settle('j', 't2');
    expect(leases.surelyHeld('j', 't2', 30_000)).toBe(false);
  });

  it('drops leases that ran out once many are kept', () => {
    const leases = new HeldLeases();
    for (let i = 0; i < 10_000; i++) leases.add(`old${i}`, 't', 100_000, 0);
    expect(leases.surelyHeld('old1', 't', 50_000)).toBe(true);
    leases.add('new', 't', 500_000, 200_000); // all 10,000 ran out at 100,000: pruned
    expect(leases.surelyHeld('old1', 't', 50_000)).toBe(false);
    expect(leases.surelyHeld('new', 't', 300_000)).toBe(true);
  });
});
