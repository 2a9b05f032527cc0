/** Fill `{field}` / `{a.b.c}` placeholders from job data; `{{` and `}}` stay literal braces. */
export function fillTemplate(template: string, data: unknown, encode: (value: string) => string = (v) => v): string {
  return template.replace(/\{\{|\}\}|\{([A-Za-z0-9_.-]+)\}/g, (match, path: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const value = lookup(data, path!);
    if (value === undefined || value === null)
      throw new Error(`template needs data.${path}, which the job does not have`);
    return encode(typeof value === 'object' ? JSON.stringify(value) : String(value));
  });
}

function lookup(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
