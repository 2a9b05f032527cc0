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

  it('prints completion scripts; the bash one completes commands, subcommands and flags', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = (await project.run(['completion', 'bash'])).stdout;
    const complete = (words: string[]) =>
      spawnSync(
        'bash',
        [
          '-c',
          `${script}\nCOMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _qtool; echo "\${COMPREPLY[@]}"`,
        ],
        {
          encoding: 'utf8',
        },
      ).stdout.trim();
    expect(complete(['qtool', 'fai'])).toBe('failed');
    expect(complete(['qtool', 'failed', 'pr'])).toBe('prune');
    expect(complete(['qtool', 'work', '--con'])).toBe('--concurrency');
    expect((await project.run(['completion', 'zsh'])).stdout).toMatch(/^#compdef qtool/);
    expect((await project.run(['completion', 'fish'])).stdout).toMatch(
      /complete -c qtool -n '__fish_seen_subcommand_from work' -l concurrency/,
    );
    const bad = await project.run(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('qtool: completion: unknown shell "tcsh" (bash, zsh or fish)');
  });

  it('completes queue names from the store, and never creates a store to do it', async () => {
    const { spawnSync } = await import('node:child_process');
    const { existsSync, mkdirSync, writeFileSync, chmodSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { BIN } = await import('./helpers/cli.js');
    // `qtool` on the PATH, as an installed package puts it.
    const bin = join(project.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'qtool'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'qtool'), 0o755);
    const script = (await project.run(['completion', 'bash'])).stdout;
    const complete = (words: string[]) =>
      spawnSync(
        'bash',
        [
          '-c',
          `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _qtool; echo "\${COMPREPLY[@]}"`,
        ],
        { cwd: project.dir, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } },
      ).stdout.trim();

    expect(complete(['qtool', 'pause', ''])).toBe('--help');
    expect(existsSync(join(project.dir, '.qtool'))).toBe(false);
    for (const queue of ['high', 'podcasts']) await project.run(['dispatch', '--job', 'X', '--queue', queue]);
    expect(complete(['qtool', 'pause', ''])).toBe('--help high podcasts');
    expect(complete(['qtool', 'clear', '--yes', 'p'])).toBe('podcasts');
    expect(complete(['qtool', 'work', '--queue', 'high,p'])).toBe('high,podcasts');
    expect(complete(['qtool', 'jobs', 'podcasts', ''])).not.toContain('high');
    expect(complete(['qtool', 'pause', '--connection', 'sqlite:other.db', ''])).toBe('--help');
    expect(existsSync(join(project.dir, 'other.db'))).toBe(false);
    expect((await project.run(['completion', 'fish'])).stdout).toMatch(
      /complete -c qtool -n '__fish_seen_subcommand_from work' -l queue -x -a '\(qtool __queues 2>\/dev\/null\)'/,
    );
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

  it('refuses a SQLite store written by a newer qtool in one line, exit 1, and leaves it alone', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { join } = await import('node:path');
    const path = join(project.dir, 'newer.db');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    const result = await project.run(['status', '--connection', 'sqlite:newer.db']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^qtool: the SQLite store .*newer\.db was written by a newer qtool \(schema version 99; this qtool reads up to \d+\): upgrade qtool$/,
    );
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(99);
    check.close();
  });

  it('reports a broken config in one line, exit 2', async () => {
    project.write('qtool.config.mjs', 'export default { jobs: { X: { nothing: true } } };');
    const result = await project.run(['status']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^qtool: config .*qtool\.config\.mjs: job "X": needs handle\(\)/);
  });
});
