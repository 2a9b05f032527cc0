import { describe, expect, it } from 'vitest';
import { REDIS_URL, ROOT, runCommand } from './cli.js';

describe('the e2e helper runCommand', () => {
  it('kills a node program that overruns, and says what it had open and what its Redis client last did', async () => {
    const stuck = `import { Redis } from 'ioredis';
      const redis = new Redis(${JSON.stringify(REDIS_URL)});
      await redis.ping('before-the-hang');
      setInterval(() => {}, 1000);`;
    const error = await runCommand(process.execPath, ['--input-type=module', '-e', stuck], {
      cwd: ROOT,
      timeoutMs: 2000,
    }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/did not finish in time/);
    expect(error?.message).toMatch(/active handles: .*tcp -> .*6379/);
    expect(error?.message).toMatch(/write command.*ping\(\[ 'before-the-hang' \]\)/);
  });
});
