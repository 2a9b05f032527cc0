import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCRIPTS } from '../../src/drivers/redis/scripts.generated.js';

const common = readFileSync('src/drivers/redis/lua/includes/common.lua', 'utf8');
const helpers = [...common.matchAll(/^local (?:function )?(\w+)/gm)].map((m) => m[1]!);
const code = (text: string) => text.replace(/(^|\s)--.*$/gm, '$1');

describe('embedded Redis scripts', () => {
  it('are what scripts/embed-lua.mjs makes of the .lua files today', () => {
    const fresh = execFileSync(process.execPath, ['scripts/embed-lua.mjs', '--stdout'], { encoding: 'utf8' });
    expect(fresh).toBe(readFileSync('src/drivers/redis/scripts.generated.ts', 'utf8'));
  });

  it.each(Object.keys(SCRIPTS))('%s defines every common helper it uses, once, before its first use', (name) => {
    const source = code(SCRIPTS[name as keyof typeof SCRIPTS]);
    for (const helper of helpers) {
      const definition = new RegExp(`^local (?:function )?${helper}\\b`, 'gm');
      const defined = [...source.matchAll(definition)];
      const uses = [...source.matchAll(new RegExp(`\\b${helper}\\b`, 'g'))].length;
      if (uses === 0) continue;
      expect(defined, `${helper} in ${name}`).toHaveLength(1);
      expect(source.search(new RegExp(`\\b${helper}\\b`)), `${helper} in ${name}`).toBe(
        defined[0]!.index! + defined[0]![0].indexOf(helper),
      );
    }
  });

  it('leave out the helpers a script does not use', () => {
    expect(SCRIPTS.pushOne).not.toMatch(/^local function parse_state/m);
    expect(SCRIPTS.pushOne).toMatch(/^local function now_ms/m);
    expect(SCRIPTS.beat).not.toMatch(/^local function (?!now_ms)/m);
  });
});
