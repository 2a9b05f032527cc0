import { describe, expect, it } from 'vitest';
import { tempProject } from './helpers/cli.js';

describe('qtool CLI basics', () => {
  const project = tempProject();

  it('prints its version and help', async () => {
    const { version } = await import('../package.json', { with: { type: 'json' } }).then((m) => m.default);
    expect((await project.run(['--version'])).stdout.trim()).toBe(version);
    const help = await project.run(['--help']);
    for (const command of [
      'dispatch',
      'work',
      'status',
      'jobs',
      'failed',
      'retry',
      'clear',
      'pause',
      'resume',
      'restart',
      'locks',
      'throttle',
    ]) {
      expect(help.stdout).toContain(command);
    }
    expect((await project.run(['dispatch', '--help'])).stdout).toMatch(/Examples:/);
  });

  it('suggests the nearest command for a typo, exit 2', async () => {
    const result = await project.run(['dispatc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/qtool: unknown command 'dispatc'/);
    expect(result.stderr).toMatch(/dispatch/);
  });

  it('fails fast on an unreachable Redis with one line, exit 1', async () => {
    const result = await project.run(['status', '--connection', 'redis://user:secret@127.0.0.1:6390/0']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^qtool: cannot reach Redis at 127\.0\.0\.1:6390 \(ECONNREFUSED\)$/);
    expect(result.stderr).not.toContain('secret');
  });

  it('reports a broken config in one line, exit 2', async () => {
    project.write('qtool.config.mjs', 'export default { jobs: { X: { nothing: true } } };');
    const result = await project.run(['status']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^qtool: config .*qtool\.config\.mjs: job "X": needs handle\(\)/);
  });
});
