import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { resolveConnection } from '../../src/core/connection.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qtool-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('config loading', () => {
  it('loads a TypeScript config without a build step', async () => {
    writeFileSync(
      join(dir, 'qtool.config.ts'),
      `interface Data { n: number }
       export default { jobs: { Add: { tries: 2, handle(data: Data): number { return data.n + 1; } } } };`,
    );
    const loaded = await loadConfig(dir);
    expect(loaded.path).toBe(join(dir, 'qtool.config.ts'));
    const add = loaded.config.jobs?.Add as { handle(d: { n: number }): number };
    expect(add.handle({ n: 1 })).toBe(2);
  });

  it('loads .mjs without importing qtool, .json, and an explicit --config path', async () => {
    writeFileSync(join(dir, 'qtool.config.mjs'), 'export default { jobs: { A: { handle() {} } } };');
    expect(Object.keys((await loadConfig(dir)).config.jobs ?? {})).toEqual(['A']);
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ jobs: { Cmd: { command: ['echo', '{x}'] } } }));
    expect(Object.keys((await loadConfig(dir, 'other.json')).config.jobs ?? {})).toEqual(['Cmd']);
  });

  it('names the job and the problem of a bad definition', async () => {
    writeFileSync(join(dir, 'qtool.config.json'), JSON.stringify({ jobs: { Cmd: { command: 'echo hi' } } }));
    await expect(loadConfig(dir)).rejects.toThrow(/job "Cmd": field 'command'/);
    writeFileSync(join(dir, 'qtool.config.json'), JSON.stringify({ jobs: { H: { http: { url: 'x' }, tries: -1 } } }));
    await expect(loadConfig(dir)).rejects.toThrow(/job "H": field 'tries'/);
  });

  it('reports a config that does not load in one line', async () => {
    writeFileSync(join(dir, 'qtool.config.mjs'), 'export default {{;');
    await expect(loadConfig(dir)).rejects.toThrow(/cannot load config/);
    await expect(loadConfig(dir, 'missing.ts')).rejects.toThrow(/config file not found: missing\.ts/);
  });

  it('chooses the connection: flag, then environment, then config default, then SQLite', () => {
    const loaded = {
      config: { connections: { default: 'redis://a:6379/0', other: 'sqlite:x.db' } },
      path: null,
      baseDir: dir,
    };
    expect(resolveConnection(loaded, 'other', {}).url).toBe('sqlite:x.db');
    expect(resolveConnection(loaded, undefined, { QTOOL_CONNECTION: 'memory:' }).url).toBe('memory:');
    expect(resolveConnection(loaded, undefined, {}).url).toBe('redis://a:6379/0');
    expect(resolveConnection({ config: {}, path: null, baseDir: dir }, undefined, {}).url).toBe(
      'sqlite:.qtool/qtool.db',
    );
    expect(() => resolveConnection(loaded, 'nope', {})).toThrow(
      /unknown connection "nope" \(config has: default, other\)/,
    );
  });
});

describe('redis URLs', () => {
  it('take a prefix and, with several hosts, select Redis Cluster', async () => {
    const { parseRedisUrl } = await import('../../src/core/connection.js');
    expect(parseRedisUrl('redis://127.0.0.1:6379/2?prefix=app:')).toEqual({
      url: 'redis://127.0.0.1:6379/2',
      prefix: 'app:',
    });
    expect(parseRedisUrl('rediss://u:p@a:7000,b:7001,c/0')).toEqual({
      url: 'rediss://u:p@a:7000/0',
      prefix: undefined,
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
        { host: 'c', port: 6379 },
      ],
    });
    expect(() => parseRedisUrl('redis://a:1,b:x')).toThrow(/invalid Redis node "b:x"/);
  });
});
