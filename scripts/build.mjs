// Build step run by `npm install` (prepare) and `npm run build`: compile TypeScript to dist/, then
// bundle the two entry points (the CLI and the library) over it.
// Redis Lua scripts are embedded into a generated module first, so nothing reads files at run time.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const embed = join(root, 'scripts', 'embed-lua.mjs');
if (existsSync(embed)) execFileSync(process.execPath, [embed], { stdio: 'inherit', cwd: root });
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: root });

// Every `qtool` command starts a process, and loading ~200 small ES modules (zod alone is 95) took
// more time than most commands' own work: 0.17 s of 0.23 here, against 0.09 s bundled. The CLI and
// the library are bundled together, sharing their chunks, so a config that imports `qtool` gets
// the very modules the CLI runs (one WithoutOverlapping class, one QtoolError), not a second copy.
// Dynamic imports stay lazy in chunks of their own (the Redis driver, the dashboard). Left out:
// the native SQLite binding, jiti (loads only for a TypeScript config) and Ink with React (only
// `qtool top`). tsc's per-module output stays beside the bundle for the type declarations and for
// benchmarks that reach inside.
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'dist/cli.js', index: 'dist/index.js' },
  outdir: 'dist',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', 'jiti', 'ink', 'react', 'react/*'],
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __qtoolRequire } from 'node:module';\nconst require = __qtoolRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
