// `npm run bench -- sqlite|redis|all`: builds nothing; run `npm run build` first (npm test does).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const which = process.argv[2] ?? 'sqlite';
const suites = which === 'all' ? ['sqlite', 'redis'] : [which];
for (const suite of suites) {
  const file = join(here, `${suite}.bench.mjs`);
  const run = spawnSync(process.execPath, ['--expose-gc', file, ...process.argv.slice(3)], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
