// The package as users get it: `npm pack`, install the tarball into an empty directory (one
// install; better-sqlite3 may compile from source), then the getting-started flow with the
// installed binary, the library import with its type declarations, and the tarball's contents.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCommand } from '../helpers/cli.js';

// The install compiles better-sqlite3 when no prebuilt binary is reachable: ~70 s alone, over 3 min
// on a busy machine.
const INSTALL_TIMEOUT = 420_000;

const run = (cmd: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }) =>
  runCommand(cmd, args, { timeoutMs: 60_000, ...options });

let work: string;
let app: string;
let tarball: string;
let files: string[];
let env: NodeJS.ProcessEnv;

/** The installed binary, run through npx as the README does. */
const qtool = (args: string[], timeoutMs = 30_000) =>
  run('npx', ['--no-install', 'qtool', ...args], { cwd: app, env, timeoutMs });

beforeAll(async () => {
  // Pack what is built; --ignore-scripts so packing does not rebuild dist/ under other tests' feet
  // (`npm test` builds first).
  expect(existsSync(join(ROOT, 'dist', 'cli.js')), 'dist/ is built (node scripts/build.mjs)').toBe(true);
  work = mkdtempSync(join(tmpdir(), 'qtool-pack-'));
  app = join(work, 'app');
  env = { ...process.env, NO_COLOR: '1', npm_config_yes: 'true', npm_config_update_notifier: 'false' };
  delete env.QTOOL_CONNECTION;
  delete env.QTOOL_CONFIG;
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: ROOT,
    env,
  });
  expect(pack.code, pack.stderr).toBe(0);
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = join(work, info.filename);
  files = info.files.map((f) => f.path);

  // An empty project, as `npm init -y` leaves it, then one install of the tarball.
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const install = await run('npm', ['install', tarball, '--no-audit', '--no-fund'], {
    cwd: app,
    env,
    timeoutMs: INSTALL_TIMEOUT,
  });
  expect(install.code, `npm install failed:\n${install.stdout}\n${install.stderr}`).toBe(0);
}, INSTALL_TIMEOUT + 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships only what users need', () => {
    for (const needed of [
      'package.json',
      'README.md',
      'bin/qtool.js',
      'dist/cli.js',
      'dist/index.js',
      'dist/index.d.ts',
      'docs/getting-started.md',
      'docs/config.md',
      'examples/qtool.config.mjs',
    ]) {
      expect(files, needed).toContain(needed);
    }
    const unwanted = files.filter((f) =>
      /^(src|test|bench|scripts|coverage|\.qtool)\/|\.test\.|\.tsbuildinfo$/.test(f),
    );
    expect(unwanted).toEqual([]);
    // Source maps point at src/, which is not shipped.
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(manifest.engines.node).toMatch(/>=\s*20/);
  });

  it('installs without running the build: dist/ comes in the tarball', () => {
    const installed = join(app, 'node_modules', 'qtool');
    expect(existsSync(join(installed, 'dist', 'cli.js'))).toBe(true);
    expect(existsSync(join(installed, 'scripts'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', '.bin', 'qtool'))).toBe(true);
    // better-sqlite3's native module was built (or fetched) by its install script.
    const native = join(app, 'node_modules', 'better-sqlite3', 'build', 'Release');
    expect(readdirSync(native).some((f) => f.endsWith('.node'))).toBe(true);
  });

  it('runs the getting-started flow: init, dispatch with a delay, work until empty, status', async () => {
    const version = await qtool(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);

    const init = await qtool(['init']);
    expect(init.code, init.stderr).toBe(0);
    expect(existsSync(join(app, 'qtool.config.ts'))).toBe(true);

    const dispatch = await qtool(['dispatch', 'examples/hello.json', '--delay=2s', '--quiet']);
    expect(dispatch.code, dispatch.stderr).toBe(0);
    const id = dispatch.stdout.trim();
    expect(id).toMatch(/^[0-9A-Z]{26}$/);

    const worker = await qtool(['work', '--stop-when-empty', '--sleep', '200ms']);
    expect(worker.code, worker.stderr).toBe(0);
    expect(worker.stdout).toMatch(/Hello\s+\S+ DONE/);

    const status = await qtool(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const queues = JSON.parse(status.stdout).queues as { queue: string; processedTotal: number; pending: number }[];
    expect(queues.find((q) => q.queue === 'default')).toMatchObject({ processedTotal: 1, pending: 0 });
    expect(existsSync(join(app, '.qtool', 'qtool.db'))).toBe(true);
  }, 90_000);

  it("runs the README's podcast example from the shipped examples/", async () => {
    const config = ['--config', 'node_modules/qtool/examples/qtool.config.mjs'];
    const dispatch = await qtool([...config, 'dispatch', 'node_modules/qtool/examples/podcast.json', '--delay=1s']);
    expect(dispatch.code, dispatch.stderr).toBe(0);
    const worker = await qtool([...config, 'work', '--queue=podcasts', '--stop-when-empty', '--sleep', '200ms']);
    expect(worker.code, worker.stderr).toBe(0);
    expect(worker.stdout).toMatch(/ProcessPodcast\s+\S+ DONE/);
    const status = await qtool([...config, 'status']);
    expect(status.stdout).toMatch(/podcasts/);
  }, 60_000);

  it('imports the library from an .mjs file, with type declarations that type-check', async () => {
    writeFileSync(
      join(app, 'use.mjs'),
      `import { defineJob, createQueue } from 'qtool';
const Greet = defineJob({ async handle(data) { console.log('hello ' + data.name); } });
const queue = createQueue({ connection: 'memory:', config: { jobs: { Greet } } });
const id = await queue.dispatch('Greet', { name: 'pack' });
console.log(typeof id === 'string' ? 'dispatched' : 'no id');
await queue.close();
`,
    );
    const used = await run(process.execPath, ['use.mjs'], { cwd: app, env });
    expect(used.code, used.stderr).toBe(0);
    expect(used.stdout).toMatch(/dispatched/);

    writeFileSync(
      join(app, 'typed.mts'),
      `import { createQueue, defineConfig, defineJob } from 'qtool';
const config = defineConfig({ jobs: { Greet: defineJob<{ name: string }>({ async handle(data) { data.name.toUpperCase(); } }) } });
const queue = createQueue({ config, connection: 'memory:' });
export const pending: Promise<string> = queue.dispatch('Greet', { name: 'x' }).then((id) => id);
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['typed.mts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, env });
    expect(checked.code, `${checked.stdout}${checked.stderr}`).toBe(0);
    expect(existsSync(join(app, 'node_modules', 'qtool', 'dist', 'index.d.ts'))).toBe(true);
  }, 60_000);

  it('loads Ink and React only for qtool top', async () => {
    const log = join(work, 'loaded.log');
    const hook = `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (/\\/node_modules\\/(ink|react|react-reconciler)\\//.test(result.url)) {
    (await import('node:fs')).appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
  }
  return result;
}`;
    writeFileSync(
      join(work, 'spy.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});\n`,
    );
    const bin = join(app, 'node_modules', 'qtool', 'bin', 'qtool.js');
    const spied = (args: string[]) =>
      run(process.execPath, ['--import', join(work, 'spy.mjs'), bin, ...args], { cwd: app, env });
    for (const args of [['status'], ['dispatch', 'examples/hello.json'], ['work', '--stop-when-empty'], ['--help']]) {
      const result = await spied(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').toBe('');
    // The spy does see them when top loads them (top refuses without a TTY, after loading or not):
    // prove the hook works by importing ink directly.
    const direct = await run(
      process.execPath,
      ['--import', join(work, 'spy.mjs'), '--input-type=module', '-e', "await import('ink')"],
      {
        cwd: app,
        env,
      },
    );
    expect(direct.code, direct.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toMatch(/node_modules\/ink\//);
  }, 60_000);
});
