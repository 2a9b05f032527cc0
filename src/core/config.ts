import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import type { QtoolConfig } from './define.js';
import { InputError } from './errors.js';
import { describeIssue, durationSchema, jobSizeSchema } from './schema.js';

export const CONFIG_FILES = [
  'qtool.config.ts',
  'qtool.config.mts',
  'qtool.config.mjs',
  'qtool.config.js',
  'qtool.config.cjs',
  'qtool.config.json',
];

export interface LoadedConfig {
  config: QtoolConfig;
  /** null when no config file was found (defaults apply). */
  path: string | null;
  /** Directory that relative paths in the config resolve against. */
  baseDir: string;
}

const isFunction = (value: unknown) => typeof value === 'function';
const durationOrList = z.union([durationSchema, z.array(durationSchema)]);
/** Options every kind of job definition takes. Exported with the schemas below for docs/config.md's test. */
export const commonJobFields = {
  tries: z.number().int().min(0).optional(),
  maxExceptions: z.number().int().min(1).optional(),
  backoff: durationOrList.optional(),
  timeout: durationSchema.optional(),
  failOnTimeout: z.boolean().optional(),
  retryUntil: z.unknown().optional(),
  queue: z.string().min(1).optional(),
  unique: z.unknown().optional(),
  middleware: z.unknown().optional(),
  encrypted: z.boolean().optional(),
};

export const codeJobSchema = z.looseObject({
  handle: z.custom<() => unknown>(isFunction, 'handle must be a function'),
  failed: z.custom<() => unknown>(isFunction, 'failed must be a function').optional(),
  ...commonJobFields,
});
export const commandJobSchema = z.strictObject({
  command: z.array(z.string()).min(1, 'command needs at least the program'),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  ...commonJobFields,
});
export const httpJobSchema = z.strictObject({
  http: z.strictObject({
    url: z.string().min(1),
    method: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.unknown().optional(),
  }),
  ...commonJobFields,
});

export const configSchema = z.looseObject({
  connections: z.record(z.string(), z.string().min(1)).optional(),
  jobs: z.record(z.string(), z.unknown()).optional(),
  limiters: z
    .record(
      z.string(),
      z.looseObject({ max: z.number().int().min(1), per: durationSchema, by: z.custom(isFunction).optional() }),
    )
    .optional(),
  worker: z
    .strictObject({
      tries: z.number().int().min(0).optional(),
      timeout: durationSchema.optional(),
      backoff: durationOrList.optional(),
      lease: durationSchema.optional(),
      concurrency: z.number().int().min(1).optional(),
    })
    .optional(),
  maxJobSize: jobSizeSchema.optional(),
  security: z
    .strictObject({
      key: z.string().min(1).optional(),
      previousKeys: z.array(z.string().min(1)).optional(),
      encrypt: z.boolean().optional(),
    })
    .optional(),
});

/** Find the config: `--config` when given, else the first qtool.config.* in `cwd`. */
export function findConfig(cwd: string, explicit?: string): string | null {
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new InputError(`config file not found: ${explicit}`);
    return path;
  }
  for (const name of CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/** Load and check the config. TypeScript configs load through jiti, without a build step. */
export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig> {
  const path = findConfig(cwd, explicit);
  if (!path) return { config: {}, path: null, baseDir: cwd };
  let raw: unknown;
  try {
    if (path.endsWith('.json')) raw = JSON.parse(await readFile(path, 'utf8'));
    else {
      const { createJiti } = await import('jiti');
      const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false });
      raw = await jiti.import(path, { default: true });
    }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InputError(`cannot load config ${path}: ${message}`, { cause: error });
  }
  return { config: checkConfig(raw, path), path, baseDir: dirname(path) };
}

export function checkConfig(raw: unknown, path: string): QtoolConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(`config ${path}: ${describeIssue(parsed.error)}`);
  for (const [name, definition] of Object.entries(parsed.data.jobs ?? {})) {
    if (
      typeof definition !== 'object' ||
      definition === null ||
      !('handle' in definition || 'command' in definition || 'http' in definition)
    ) {
      throw new InputError(
        `config ${path}: job "${name}": needs handle() (code job), command: [...] (command job) or http: {...} (http job)`,
      );
    }
    const schema = 'handle' in definition ? codeJobSchema : 'command' in definition ? commandJobSchema : httpJobSchema;
    const result = schema.safeParse(definition);
    if (!result.success) throw new InputError(`config ${path}: job "${name}": ${describeIssue(result.error)}`);
  }
  return raw as QtoolConfig;
}
