import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readJobFile } from '../../src/core/jobfile.js';

const fromStdin = (text: string) => readJobFile('-', { stdin: Readable.from([text]) });

describe('job files', () => {
  it('reads one object, a pretty-printed object, an array and NDJSON', async () => {
    expect((await fromStdin('{"job":"A"}')).entries).toHaveLength(1);
    expect((await fromStdin('{\n  "job": "A",\n  "data": {"x": 1}\n}\n')).entries[0]?.data).toEqual({ x: 1 });
    expect((await fromStdin('[{"job":"A"},{"job":"B","delay":"10s"}]')).entries[1]?.delay).toBe(10);
    const nd = await fromStdin('{"job":"A"}\n\n{"job":"B"}\n{"job":"C"}\n');
    expect(nd.format).toBe('ndjson');
    expect(nd.entries.map((e) => e.job)).toEqual(['A', 'B', 'C']);
  });

  it('names the NDJSON line of bad JSON', async () => {
    await expect(fromStdin('{"job":"A"}\n{"job":"B"}\n{"job": oops}\n')).rejects.toThrow(/stdin line 3: invalid JSON/);
  });

  it('names the index and field of an invalid job in an array', async () => {
    await expect(fromStdin('[{"job":"A"},{"job":"B","tries":-1}]')).rejects.toThrow(/index 1: field 'tries'/);
    await expect(fromStdin('[{"job":"A","colour":"red"}]')).rejects.toThrow(/index 0: unknown field 'colour'/);
    await expect(fromStdin('{"job":"A","delay":"soon"}')).rejects.toThrow(/field 'delay': invalid duration "soon"/);
  });

  it('refuses empty input and non-objects', async () => {
    await expect(fromStdin('')).rejects.toThrow(/no jobs found/);
    await expect(fromStdin('[]')).rejects.toThrow(/holds no jobs/);
    await expect(fromStdin('[1]')).rejects.toThrow(/index 0: expected a job object/);
  });

  it('says when the file does not exist', async () => {
    await expect(readJobFile('/nonexistent/jobs.json')).rejects.toThrow(/cannot read job file/);
  });
});
