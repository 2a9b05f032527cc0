// Build step run by `npm install` (prepare) and `npm run build`: compile TypeScript to dist/.
// Redis Lua scripts are embedded into a generated module first, so nothing reads files at run time.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const embed = join(root, 'scripts', 'embed-lua.mjs');
if (existsSync(embed)) execFileSync(process.execPath, [embed], { stdio: 'inherit', cwd: root });
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: root });
