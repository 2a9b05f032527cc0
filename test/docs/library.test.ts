import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

// Every ```js block of docs/library.md runs as written against the built package. The files go
// inside the repository so that `import … from 'qtool'` resolves through the package's own exports.
const doc = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');
const blocks = [...doc.matchAll(/^## (.+)$|^```js\n([\s\S]*?)^```$/gm)].reduce<{ title: string; code: string }[]>(
  (list, match) => {
    if (match[1]) list.push({ title: match[1], code: '' });
    else if (match[2] && list.length) list[list.length - 1]!.code = match[2];
    return list;
  },
  [],
);
const dir = join(ROOT, '.doc-examples');

describe('docs/library.md examples', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has an example under every section', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    for (const block of blocks) expect(block.code, block.title).not.toBe('');
  });

  it.each(blocks.map((b) => [b.title, b.code] as const))('%s runs', (title, code) => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${title.toLowerCase().replace(/\W+/g, '-')}.mjs`);
    writeFileSync(file, code);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).not.toBe('');
  });
});
