import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

// scripts/build.mjs bundles the CLI and the library together. A config imports `qtool` (the
// library entry) while the CLI runs it, so a class both use must be defined in one shared chunk:
// a second copy would break `instanceof` between them (the dry run's overlap-lock check, errors).
const dist = join(ROOT, 'dist');
const bundleFiles = [
  ...['cli.js', 'index.js'].map((f) => join(dist, f)),
  ...readdirSync(join(dist, 'chunks'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dist, 'chunks', f)),
];
const definitions = (name: string) =>
  bundleFiles.filter((file) =>
    new RegExp(`\\bclass ${name}\\b|\\b(var|let|const) ${name} = class\\b`).test(readFileSync(file, 'utf8')),
  );

describe('the built bundle', () => {
  it.each(['WithoutOverlapping', 'QtoolError', 'DriverError', 'Worker'])(
    'defines %s once, in a shared chunk',
    (name) => {
      const files = definitions(name);
      expect(files).toHaveLength(1);
      expect(files[0]).toContain(`${join('dist', 'chunks')}`);
    },
  );

  it("carries one of zod's locales, not all of them", () => {
    // `import { z } from 'zod'` kept every export of zod: 64 locales and the JSON-schema code, 755 KB
    // that every command parsed at start (0.38 s against 0.25 s for `qtool status`).
    const locales = bundleFiles.flatMap((file) => [
      ...readFileSync(file, 'utf8').matchAll(/^\/\/ \S*node_modules\/zod\/v4\/locales\/(\w+)\.js$/gm),
    ]);
    expect(locales.map((m) => m[1])).toEqual(['en']);
  });

  it('keeps the Redis driver, the dashboard and native or optional packages out of the entry points', () => {
    for (const entry of ['cli.js', 'index.js']) {
      const source = readFileSync(join(dist, entry), 'utf8');
      const staticImports = [...source.matchAll(/^import [^\n]* from "([^"]+)";$/gm)].map((m) => m[1]);
      expect(staticImports.filter((s) => !s?.startsWith('./') && !s?.startsWith('node:'))).toEqual([]);
      expect(source).not.toMatch(/class Redis\b|from ["']ink["']/);
    }
  });
});
