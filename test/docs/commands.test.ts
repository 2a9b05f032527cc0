// docs/commands/ documents the whole command tree: every command has a section of its own (a
// heading naming it, or its --help block), and every flag of it is mentioned in that page.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { commandTree } from '../helpers/command-tree.js';

const DIR = join(ROOT, 'docs', 'commands');
const pages = Object.fromEntries(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.md'))
    .map((f) => [f, readFileSync(join(DIR, f), 'utf8')]),
);

/** The page documenting a command: the one with its `<!-- help: qtool ... -->` block. */
function pageOf(path: string[]): string | undefined {
  const marker = `<!-- help: ${['qtool', ...path].join(' ')} -->`;
  return Object.keys(pages).find((page) => pages[page]!.includes(marker));
}

describe('docs/commands/', () => {
  const tree = commandTree();

  it.each(tree.map((node) => [['qtool', ...node.path].join(' '), node] as const))(
    '%s: documented with its help and every flag',
    (_name, { path, command }) => {
      const page = pageOf(path);
      expect(
        page,
        `no page has <!-- help: qtool ${path.join(' ')} --> (add one, then run scripts/capture-docs.mjs)`,
      ).toBeDefined();
      const text = pages[page!]!;
      if (path.length > 0) expect(text).toMatch(new RegExp(`\\bqtool ${path.join(' ')}\\b`));
      // Flags named in the prose or the tables, outside the captured --help block.
      let prose = text.replace(/<!-- help: [^>]+ -->\n```[a-z]*\n[\s\S]*?```/g, '');
      // failed and retry are explained in full in docs/failed-jobs.md; this page is the summary.
      const guide = join(ROOT, 'docs', 'failed-jobs.md');
      if (['failed', 'retry'].includes(path[0] ?? '') && existsSync(guide)) prose += readFileSync(guide, 'utf8');
      const missing = command.options
        .map((option) => option.long ?? option.short!)
        .filter((flag) => flag !== '--help' && !prose.includes(flag));
      expect(missing, `${page}: flags of qtool ${path.join(' ')} not explained outside its --help block`).toEqual([]);
    },
  );

  it('the captured --help blocks are current (run node scripts/capture-docs.mjs after changing a command)', async () => {
    const { helpText } = await import('../helpers/command-tree.js');
    const stale: string[] = [];
    for (const { path } of tree) {
      const page = pageOf(path);
      if (!page) continue;
      const marker = `<!-- help: ${['qtool', ...path].join(' ')} -->\n\`\`\`text\n`;
      const text = pages[page]!;
      const start = text.indexOf(marker) + marker.length;
      const captured = text.slice(start, text.indexOf('\n```', start));
      if (captured !== (await helpText(path)).trimEnd()) stale.push(`${page}: qtool ${path.join(' ')}`);
    }
    expect(stale).toEqual([]);
  });

  it('every page is linked from docs/commands/README.md', () => {
    const index = pages['README.md']!;
    for (const page of Object.keys(pages)) if (page !== 'README.md') expect(index).toContain(`(${page})`);
  });
});
