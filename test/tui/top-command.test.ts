import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { Io } from '../../src/commands/context.js';
import { ROOT } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function io(tty: boolean): Io & { err: () => string } {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  const cwd = mkdtempSync(join(tmpdir(), 'qtool-top-'));
  dirs.push(cwd);
  return { stdout, stderr, stdin, env: {}, cwd, err: () => err };
}

describe('qtool top (command)', () => {
  it('refuses when stdout is not a terminal, in one line pointing to status --watch, exit 2', async () => {
    const piped = io(false);
    expect(await main(['top'], piped)).toBe(2);
    expect(piped.err()).toBe(
      'qtool: top needs a terminal: stdout is not a TTY (for plain refreshing output use `qtool status --watch`)\n',
    );
    expect(existsSync(join(piped.cwd, '.qtool'))).toBe(false);
  });

  it('rejects a bad --interval, exit 2', async () => {
    const terminal = io(true);
    expect(await main(['top', '--interval', 'soon'], terminal)).toBe(2);
    expect(terminal.err()).toMatch(/^qtool: --interval: invalid duration "soon"/);
    expect(await main(['top', '--interval', '10ms'], terminal)).toBe(2);
  });

  it('Ink, React and the dashboard are imported by `top` only, and dynamically', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : [path];
      });
    const src = join(ROOT, 'src');
    const offenders = files(src)
      .filter((file) => !file.startsWith(join(src, 'tui')))
      .filter((file) => /^import (?!type)[^;]*from '(ink|react|[./]+\/tui\/[^']*)'/m.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
    expect(readFileSync(join(src, 'commands', 'top.ts'), 'utf8')).toContain("await import('../tui/run.js')");
  });
});
