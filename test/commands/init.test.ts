import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Project, ROOT, tempProject } from '../helpers/cli.js';

let project: Project;
beforeEach(() => {
  project = tempProject();
});
afterEach(() => project.cleanup());

describe('qtool init', () => {
  it('writes a working JavaScript config and example, and refuses to overwrite without --force', async () => {
    const init = await project.run(['init', '--js']);
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/wrote qtool\.config\.mjs and examples\/hello\.json/);
    const config = readFileSync(join(project.dir, 'qtool.config.mjs'), 'utf8');
    expect(config).toMatch(/sqlite:\.qtool\/qtool\.db/);
    expect(config).toMatch(/redis:\/\/127\.0\.0\.1:6379\/0/);
    expect(config).toMatch(/command: \['ffmpeg'/);
    await project.run(['dispatch', 'examples/hello.json']);
    const work = await project.run(['work', '--stop-when-empty', '--sleep', '100ms']);
    expect(work.stdout).toMatch(/Hello\s+\S+ DONE/);
    const again = await project.run(['init', '--js']);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(
      'qtool: qtool.config.mjs and examples/hello.json already exist (use --force to overwrite)',
    );
    expect((await project.run(['init', '--js', '--force'])).code).toBe(0);
  });

  it('writes a TypeScript config that loads without a build step when qtool is installed', async () => {
    mkdirSync(join(project.dir, 'node_modules'));
    symlinkSync(ROOT, join(project.dir, 'node_modules', 'qtool'), 'dir');
    expect((await project.run(['init'])).code).toBe(0);
    expect(readFileSync(join(project.dir, 'qtool.config.ts'), 'utf8')).toMatch(/defineJob<\{ name: string \}>/);
    await project.run(['dispatch', 'examples/hello.json']);
    const work = await project.run(['work', '--stop-when-empty', '--sleep', '100ms', '--json']);
    expect(JSON.parse(work.stdout.trim())).toMatchObject({ job: 'Hello', status: 'completed' });
  });
});
