// Relative links between the docs, the README and examples/ point at files that exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

// Written by the failed-jobs work that lands beside this one.
const PENDING = new Set(['docs/failed-jobs.md']);

function markdown(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdown(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

describe('links in the docs', () => {
  const files = [join(ROOT, 'README.md'), join(ROOT, 'examples', 'README.md'), ...markdown(join(ROOT, 'docs'))];

  it.each(files.map((f) => [relative(ROOT, f), f] as const))('%s: every relative link resolves', (_name, file) => {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    const broken = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!.split('#')[0]!)
      .filter((target) => target && !/^[a-z]+:/.test(target))
      .map((target) => relative(ROOT, join(dirname(file), target)))
      .filter((target) => !existsSync(join(ROOT, target)) && !PENDING.has(target));
    expect(broken).toEqual([]);
  });
});
