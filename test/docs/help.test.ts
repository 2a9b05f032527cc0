// `qtool --help` and `qtool <cmd> --help` for every command, as committed snapshots
// (test/docs/__snapshots__/help/), plus the conventions every help page keeps.
import { describe, expect, it } from 'vitest';
import { tempProject } from '../helpers/cli.js';
import { commandTree, helpText } from '../helpers/command-tree.js';

const tree = commandTree();

describe('help output', () => {
  it.each(tree.map((node) => [node.path.join(' ') || 'qtool', node.path] as const))(
    '%s --help matches its snapshot',
    async (_name, path) => {
      const help = await helpText(path);
      expect(help).not.toContain('\u001b['); // no colours
      expect(help.split('\n').every((line) => line.length <= 100)).toBe(true);
      await expect(help).toMatchFileSnapshot(`__snapshots__/help/${path.join('-') || 'qtool'}.txt`);
    },
  );

  it('the binary prints the same, whatever COLUMNS says', async () => {
    const project = tempProject();
    try {
      const wide = await project.run(['work', '--help'], { env: { COLUMNS: '200' } });
      expect(wide.stdout).toBe(await helpText(['work']));
    } finally {
      await project.cleanup();
    }
  });

  it.each(tree.filter((node) => node.path.length === 1).map((node) => [node.path[0]!] as const))(
    'qtool %s --help has an Examples section with at least two examples',
    async (name) => {
      const help = await helpText([name]);
      const examples = help.split(/^Examples:\n/m)[1];
      expect(examples, `${name} has no "Examples:" section`).toBeDefined();
      const lines = (examples ?? '').split('\n').filter((line) => /^ {2}\$ .*\bqtool /.test(line));
      expect(lines.length).toBeGreaterThanOrEqual(2);
    },
  );

  it('every option with a default shows it', async () => {
    const missing: string[] = [];
    for (const { path, command } of tree) {
      const help = await helpText(path);
      for (const option of command.options) {
        // Negated flags (--no-color) default to true; that is not a value worth printing.
        if (option.negate || option.defaultValue === undefined) continue;
        const line = help.split('\n').find((l) => l.trimStart().startsWith(option.flags));
        const block = line ? help.slice(help.indexOf(line)).split(/\n {2}(?=-)/)[0] : '';
        if (!/\(default: /.test(block ?? '')) missing.push(`${path.join(' ')} ${option.flags}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
