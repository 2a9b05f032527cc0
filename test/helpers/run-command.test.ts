import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCommand } from './cli.js';

describe('the e2e helper runCommand', () => {
  it('kills a node program that overruns, and says where it was stuck and what it had open', async () => {
    const stuck =
      'const net = require("node:net"); const s = net.createServer().listen(0, "127.0.0.1"); setInterval(() => {}, 1000);';
    const error = await runCommand(process.execPath, ['-e', stuck], { cwd: tmpdir(), timeoutMs: 1000 }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/did not finish in time/);
    expect(error?.message).toMatch(/active handles: .*tcp/);
  });
});
