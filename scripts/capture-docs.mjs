// Fill the output blocks of docs/getting-started.md and docs/commands/*.md from the built binary
// (run `node scripts/build.mjs` first). In a page, three markers each take the fenced block that
// follows them:
//
//   <!-- file: jobs/a.json -->   the block's text is written to that file (the block is kept)
//   <!-- run: qtool status -->   the block becomes "$ qtool status" and its real output
//   <!-- help: qtool work -->    the block becomes `qtool work --help`
//   <!-- do: command -->         runs a set-up step shown nowhere (no block follows)
//
// Each page runs top to bottom in a fresh directory holding examples/, as qtool.config.mjs
// examples/qtool.config.mjs, and node_modules/qtool (a link to this package, as if installed), so
// one page's steps build on each other. Commands run through sh with
// `qtool` on PATH, stdout and stderr together, NO_COLOR and 80 columns. Ids and times differ from
// run to run; paths to the temp directory read ~/app.
//
//   node scripts/capture-docs.mjs [page.md ...]     (default: every page that has markers)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BLOCK = /<!-- (run|help|file): (.+?) -->\n```([a-z]*)\n([\s\S]*?)```|<!-- do: (.+?) -->/g;

function pages(args) {
  if (args.length) return args.map((page) => resolve(page));
  const commands = join(root, 'docs', 'commands');
  return [
    join(root, 'docs', 'getting-started.md'),
    ...readdirSync(commands)
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => join(commands, f)),
  ].filter((page) => readFileSync(page, 'utf8').match(BLOCK));
}

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'qtool-docs-'));
  cpSync(join(root, 'examples'), join(dir, 'examples'), { recursive: true });
  cpSync(join(root, 'examples', 'qtool.config.mjs'), join(dir, 'qtool.config.mjs'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'qtool'), 'dir');
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'qtool'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin', 'qtool.js')}" "$@"\n`, {
    mode: 0o755,
  });
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', COLUMNS: '80', HOME: dir };
  delete env.QTOOL_CONNECTION;
  delete env.QTOOL_CONFIG;
  delete env.FORCE_COLOR;
  return { dir, env };
}

function capture(page) {
  const { dir, env } = project();
  const tidy = (text) => text.replaceAll(dir, '~/app').replace(/\s+$/, '');
  try {
    const sh = (command) =>
      spawnSync('sh', ['-c', `exec 2>&1\n${command}`], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    const text = readFileSync(page, 'utf8').replace(BLOCK, (whole, kind, arg, lang, body, setUp) => {
      if (setUp !== undefined) {
        const step = sh(setUp);
        if (step.status !== 0) throw new Error(`${relative(root, page)}: ${setUp}: ${step.stdout}`);
        return whole;
      }
      if (kind === 'file') {
        const path = join(dir, arg.trim());
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, body);
        return whole;
      }
      const command = kind === 'help' ? `${arg.trim()} --help` : arg.trim();
      const run = spawnSync('sh', ['-c', `exec 2>&1\n${command}`], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (run.error) throw new Error(`${relative(root, page)}: ${command}: ${run.error.message}`);
      const output = tidy(run.stdout);
      if (kind === 'help') return `<!-- help: ${arg} -->\n\`\`\`${lang || 'text'}\n${output}\n\`\`\``;
      const shown = `$ ${command}${output ? `\n${output}` : ''}`;
      return `<!-- run: ${arg} -->\n\`\`\`${lang || 'console'}\n${shown}\n\`\`\``;
    });
    writeFileSync(page, text);
    console.log(`captured ${relative(root, page)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Fails early when dist/ is not built.
execFileSync(process.execPath, [join(root, 'bin', 'qtool.js'), '--help'], { stdio: 'ignore' });
for (const page of pages(process.argv.slice(2))) capture(page);
