import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Project, STORES, tempProject } from '../helpers/cli.js';
import { storedPayload, withStoredPayload } from '../helpers/store-access.js';

const KEY = 'test-key-0123456789-abcdefghijklmnopqrstuvwxyz';
const OLD_KEY = 'old-key-0123456789-abcdefghijklmnopqrstuvwxyz';

const CONFIG = `
import { appendFileSync } from 'node:fs';
export default {
  jobs: {
    Pay: { handle(data, ctx) { appendFileSync('ledger.txt', ctx.id + ' ' + JSON.stringify(data) + '\\n'); } },
    Secret: { encrypted: true, handle(data, ctx) { appendFileSync('ledger.txt', ctx.id + ' ' + JSON.stringify(data) + '\\n'); } },
  },
};
`;

function ledger(project: Project): string[] {
  try {
    return readFileSync(join(project.dir, 'ledger.txt'), 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe.each(STORES)('signed and encrypted jobs, undecodable payloads (%s)', (store) => {
  let project: Project;
  beforeAll(() => undefined);
  afterEach(async () => project.cleanup());

  const dispatch = async (job: string, data: object, env: Record<string, string> = {}) => {
    const result = await project.run(['dispatch', '--job', job, '--data', JSON.stringify(data), '--quiet'], { env });
    expect(result.stderr).toBe('');
    return result.stdout.trim();
  };
  const work = (env: Record<string, string> = {}) =>
    project.run(['work', '--stop-when-empty', '--json'], { env, timeoutMs: 30_000 });

  it('runs signed jobs, and fails a job changed in the store with "signature mismatch", unrun', async () => {
    project = tempProject(CONFIG, store);
    const env = { QTOOL_KEY: KEY };
    const good = await dispatch('Pay', { amount: 10 }, env);
    const bad = await dispatch('Pay', { amount: 10 }, env);
    await withStoredPayload(project, store, { id: bad, queue: 'default' }, (payload) =>
      payload.replace('"amount":10', '"amount":10000'),
    );
    const run = await work(env);
    expect(run.code).toBe(0);
    expect(ledger(project)).toEqual([`${good} {"amount":10}`]);
    const failed = await project.run(['failed', 'show', bad, '--json'], { env });
    expect(JSON.parse(failed.stdout).error.message).toMatch(/^signature mismatch/);
  });

  it('fails unsigned jobs when the worker has a key, and runs them when it has none', async () => {
    project = tempProject(CONFIG, store);
    const unsigned = await dispatch('Pay', { n: 1 });
    const run = await work({ QTOOL_KEY: KEY });
    expect(run.code).toBe(0);
    expect(ledger(project)).toEqual([]);
    const failed = await project.run(['failed', 'show', unsigned, '--json']);
    expect(JSON.parse(failed.stdout).error.message).toMatch(/not signed/);
  });

  it('stores encrypted data as ciphertext, runs it in the clear, and accepts a previous key', async () => {
    project = tempProject(CONFIG, store);
    const id = await dispatch('Secret', { card: '4111-1111' }, { QTOOL_KEY: OLD_KEY });
    const stored = await storedPayload(project, store, { id, queue: 'default' });
    expect(stored).not.toContain('4111-1111'); // the whole number: a timestamp's digits may hold '4111'
    expect(JSON.parse(stored)).toMatchObject({ encrypted: true, signature: expect.stringMatching(/^v1\./) });
    const shown = await project.run(['jobs', 'show', id, '--json'], { env: { QTOOL_KEY: OLD_KEY } });
    expect(JSON.parse(shown.stdout).envelope.data).toEqual({ card: '4111-1111' });
    const run = await work({ QTOOL_KEY: KEY, QTOOL_PREVIOUS_KEYS: OLD_KEY });
    expect(run.code).toBe(0);
    expect(ledger(project)).toEqual([`${id} {"card":"4111-1111"}`]);
  });

  it('fails an encrypted job on a worker without the key instead of running it on ciphertext', async () => {
    project = tempProject(CONFIG, store);
    const id = await dispatch('Secret', { card: '4111-1111' }, { QTOOL_KEY: KEY });
    await work({});
    expect(ledger(project)).toEqual([]);
    const failed = await project.run(['failed', 'show', id, '--json']);
    expect(JSON.parse(failed.stdout).error.message).toMatch(/encrypted and this worker has no key/);
  });

  it('refuses a short key with one line and exit 2', async () => {
    project = tempProject(CONFIG, store);
    const result = await project.run(['status'], { env: { QTOOL_KEY: 'short' } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^qtool: QTOOL_KEY is too short/);
  });

  it('fails a job whose stored payload is not JSON, with its reason, and runs the rest of the queue', async () => {
    project = tempProject(CONFIG, store);
    const poisoned = await dispatch('Pay', { n: 1 });
    const fine = await dispatch('Pay', { n: 2 });
    await withStoredPayload(project, store, { id: poisoned, queue: 'default' }, () => '{"id": cut short');
    const run = await work();
    expect(run.code).toBe(0);
    expect(ledger(project)).toEqual([`${fine} {"n":2}`]);
    const failed = await project.run(['failed', 'show', poisoned, '--json']);
    expect(failed.code).toBe(0);
    const record = JSON.parse(failed.stdout);
    expect(record.error.message).toMatch(/not valid JSON/);
    expect(record.envelope.data.undecodablePayload).toBe('{"id": cut short');
    const listed = await project.run(['failed']);
    expect(listed.stdout).toContain(poisoned);
  });
});

describe('job size limit', () => {
  it('refuses a job over maxJobSize with one line naming the job, and dispatches none of the file', async () => {
    const project = tempProject(`export default { maxJobSize: '1kb', jobs: { Pay: { handle() {} } } };`);
    try {
      project.write(
        'jobs.ndjson',
        [
          { job: 'Pay', data: { n: 1 } },
          { job: 'Pay', data: { blob: 'x'.repeat(2000) } },
        ]
          .map((j) => JSON.stringify(j))
          .join('\n'),
      );
      const result = await project.run(['dispatch', 'jobs.ndjson']);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        'qtool: job at index 1 (Pay) has 1.96KB of data, over the 1KB job size limit (maxJobSize in the config)',
      );
      expect((await project.run(['status', '--json'])).stdout).not.toContain('"pending": 1');
      project.write('qtool.config.mjs', `export default { maxJobSize: 'lots' };`);
      const bad = await project.run(['status']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/maxJobSize.*"lots" is not a size/);
    } finally {
      await project.cleanup();
    }
  });
});
