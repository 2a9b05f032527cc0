// --quiet: commands whose output is ids print only the ids, one per line, for scripts.
import { afterAll, describe, expect, it } from 'vitest';
import { lines, tempProject } from '../helpers/cli.js';

const ID = /^[0-9A-Z]{26}$/;
const project = tempProject(`export default { jobs: { Hello: { handle() {} } } };\n`);
afterAll(() => project.cleanup());

describe('--quiet', () => {
  it('dispatch prints one job id per line; a unique-key skip goes to stderr only', async () => {
    project.write('two.ndjson', '{"job":"Hello","data":{"n":1}}\n{"job":"Hello","data":{"n":2}}\n');
    const two = await project.run(['dispatch', 'two.ndjson', '--queue', 'quiet', '-q']);
    expect(two.code, two.stderr).toBe(0);
    const ids = lines(two.stdout);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(ID);

    const first = await project.run(['dispatch', '--job', 'Hello', '--queue', 'quiet', '--unique', 'u1', '--quiet']);
    expect(first.stdout.trim()).toMatch(ID);
    const skipped = await project.run(['dispatch', '--job', 'Hello', '--queue', 'quiet', '--unique', 'u1', '--quiet']);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toBe('');
    expect(skipped.stderr).toMatch(/skipped \(unique key u1 held by/);

    const key = ['dispatch', '--job', 'Hello', '--queue', 'quiet', '--idempotency-key', 'k1', '--quiet'];
    const once = (await project.run(key)).stdout.trim();
    expect(once).toMatch(ID);
    expect((await project.run(key)).stdout.trim()).toBe(once);
  });

  it('jobs lists only ids, which pipe into jobs delete', async () => {
    const listed = await project.run(['jobs', 'quiet', '--quiet']);
    const ids = lines(listed.stdout);
    expect(ids).toHaveLength(4);
    for (const id of ids) expect(id).toMatch(ID);
    expect((await project.run(['jobs', 'delete', ...ids])).code).toBe(0);
    expect((await project.run(['jobs', 'quiet', '-q'])).stdout).toBe('');
  });

  it('batch prints the batch id, and batch list the batch ids', async () => {
    project.write('b.ndjson', '{"job":"Hello"}\n{"job":"Hello"}\n');
    const batch = await project.run(['batch', 'b.ndjson', '--queue', 'batched', '--quiet']);
    expect(batch.code, batch.stderr).toBe(0);
    const id = batch.stdout.trim();
    expect(id).toMatch(ID);
    expect((await project.run(['batch', 'show', id])).stdout).toMatch(/0\/2 done/);
    expect(lines((await project.run(['batch', 'list', '-q'])).stdout)).toEqual([id]);
  });
});

describe('output into a closed pipe', () => {
  it('qtool tail | head -1 ends quietly once head has gone, without an EPIPE stack trace', async () => {
    const { BIN, runCommand, waitFor } = await import('../helpers/cli.js');
    let ended = false;
    const piped = runCommand('sh', ['-c', `"${process.execPath}" "${BIN}" tail | head -1`], {
      cwd: project.dir,
      env: { ...process.env, NO_COLOR: '1' },
      timeoutMs: 35_000,
    }).finally(() => {
      ended = true;
    });
    // Live events: the first reaches head, which exits; tail's next write meets the closed pipe.
    await waitFor(
      async () => {
        if (!ended) await project.run(['dispatch', '--job', 'Hello', '--queue', 'piped']);
        return ended;
      },
      30_000,
      'tail to end after head exits',
    );
    const { stdout, stderr } = await piped;
    expect(stdout).toMatch(/job\.dispatched/);
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
  }, 40_000);
});
