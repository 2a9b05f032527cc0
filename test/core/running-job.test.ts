import { describe, expect, it } from 'vitest';
import { RunningJob } from '../../src/core/running-job.js';
import { makeEnvelope } from '../drivers/conformance/envelopes.js';

describe('a running job and its handler context', () => {
  it('gives handlers a context whose methods work detached and whose signal aborts with the attempt', () => {
    const job = new RunningJob(makeEnvelope({ name: 'Encode', queue: 'podcasts', data: { n: 1 } }), 'token', 'w1');
    const ctx = job.context();
    expect(ctx).toMatchObject({ name: 'Encode', queue: 'podcasts', data: { n: 1 }, workerId: 'w1' });
    const { log, release, signal } = ctx;
    log('step', { at: 1 });
    release('10s');
    expect(job.logs).toEqual(['step {"at":1}']);
    expect(job.outcome).toMatchObject({ type: 'release', delaySeconds: 10 });
    expect(signal.aborted).toBe(false);
    job.abort.abort(new Error('timed out'));
    expect(signal.aborted).toBe(true);
    expect(ctx.signal).toBe(signal);
    // Nothing internal shows among its own properties.
    expect(Object.keys(ctx).sort()).toEqual(
      ['attempt', 'data', 'delete', 'fail', 'id', 'log', 'name', 'queue', 'release', 'workerId'].sort(),
    );
  });
});
