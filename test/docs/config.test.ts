// docs/config.md cannot drift from the zod schemas: each table after a `<!-- schema: name -->`
// marker lists exactly the keys that schema accepts (nested objects as dotted paths, record
// entries as `<name>`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import {
  codeJobSchema,
  commandJobSchema,
  commonJobFields,
  configSchema,
  httpJobSchema,
} from '../../src/core/config.js';
import { jobFileEntrySchema, middlewareSpecSchema } from '../../src/core/schema.js';
import { ROOT } from '../helpers/cli.js';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object shapes a schema may take, looking through optional, nullable, unions and pipes. */
function objectShapes(schema: z.ZodType): Record<string, z.ZodType>[] {
  const def = defOf(schema);
  if (def.type === 'object') return [def.shape!];
  if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') return objectShapes(def.innerType!);
  if (def.type === 'union') return def.options!.flatMap(objectShapes);
  if (def.type === 'pipe') return objectShapes(def.in!);
  return [];
}

function recordValue(schema: z.ZodType): z.ZodType | undefined {
  const def = defOf(schema);
  if (def.type === 'optional' || def.type === 'nullable') return recordValue(def.innerType!);
  return def.type === 'record' ? def.valueType : undefined;
}

/** Every key path a schema accepts: `worker`, `worker.tries`, `limiters.<name>.max`… */
function keyPaths(shape: Record<string, z.ZodType>, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [key, schema] of Object.entries(shape)) {
    const path = `${prefix}${key}`;
    paths.push(path);
    for (const nested of objectShapes(schema)) paths.push(...keyPaths(nested, `${path}.`));
    const value = recordValue(schema);
    if (value) for (const nested of objectShapes(value)) paths.push(...keyPaths(nested, `${path}.<name>.`));
  }
  return [...new Set(paths)].sort();
}

const shapeOf = (schema: z.ZodType) => {
  const shapes = objectShapes(schema);
  return Object.assign({}, ...shapes) as Record<string, z.ZodType>;
};
const without = (shape: Record<string, z.ZodType>, common: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(shape).filter(([key]) => !(key in common)));

const SCHEMAS: Record<string, string[]> = {
  config: keyPaths(shapeOf(configSchema)),
  'job-options': keyPaths(commonJobFields as Record<string, z.ZodType>),
  'code-job': keyPaths(without(shapeOf(codeJobSchema), commonJobFields)),
  'command-job': keyPaths(without(shapeOf(commandJobSchema), commonJobFields)),
  'http-job': keyPaths(without(shapeOf(httpJobSchema), commonJobFields)),
  'job-file': keyPaths(shapeOf(jobFileEntrySchema)),
  middleware: keyPaths(shapeOf(middlewareSpecSchema)),
};

const doc = readFileSync(join(ROOT, 'docs', 'config.md'), 'utf8');

/** The keys in the first column of the table after each marker. */
function documented(): Record<string, string[]> {
  const tables: Record<string, string[]> = {};
  for (const match of doc.matchAll(/<!-- schema: ([\w-]+) -->\n((?:\|.*\n)+)/g)) {
    const rows = match[2]!.trim().split('\n').slice(2);
    tables[match[1]!] = rows
      .flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!))
      .sort();
  }
  return tables;
}

describe('docs/config.md', () => {
  const tables = documented();

  it('has a table for every schema, and no table for a schema that does not exist', () => {
    expect(Object.keys(tables).sort()).toEqual(Object.keys(SCHEMAS).sort());
  });

  it.each(Object.keys(SCHEMAS))('the %s table lists exactly the keys of its schema', (name) => {
    const keys = SCHEMAS[name]!;
    const listed = tables[name] ?? [];
    expect({
      undocumented: keys.filter((k) => !listed.includes(k)),
      unknown: listed.filter((k) => !keys.includes(k)),
    }).toEqual({
      undocumented: [],
      unknown: [],
    });
  });

  it('sees nested keys, so the check has teeth', () => {
    expect(SCHEMAS.config).toContain('limiters.<name>.max');
    expect(SCHEMAS.middleware).toContain('withoutOverlapping.releaseAfter');
    expect(SCHEMAS['job-file']).toContain('unique.untilProcessing');
    expect(SCHEMAS['http-job']).toContain('http.url');
  });
});
