import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from '../../src/core/duration.js';
import { InputError } from '../../src/core/errors.js';
import { readJobFile } from '../../src/core/jobfile.js';

const fromStdin = (text: string) => readJobFile('-', { stdin: Readable.from([text]) });

/** A job entry with any of the fields a job file may hold, each with valid or invalid values. */
const jobEntry = fc.record(
  {
    job: fc.oneof(fc.constantFrom('Send', 'Process'), fc.string(), fc.integer(), fc.constant(null)),
    data: fc.jsonValue(),
    queue: fc.oneof(fc.constantFrom('default', 'high'), fc.string(), fc.integer()),
    delay: fc.oneof(fc.constantFrom('10s', '1h30m', 5), fc.string(), fc.double(), fc.boolean()),
    tries: fc.oneof(fc.integer({ min: -3, max: 10 }), fc.double(), fc.string()),
    backoff: fc.oneof(fc.constantFrom('10,60', [1, 2]), fc.string(), fc.array(fc.integer({ min: -5, max: 5 }))),
    timeout: fc.oneof(fc.constantFrom('30s', 10), fc.string(), fc.integer({ min: -10, max: 10 })),
    at: fc.oneof(fc.constant('2030-01-01T00:00:00Z'), fc.string()),
    colour: fc.string(),
  },
  { requiredKeys: [] },
);

/** Either a clean list of jobs or a clear InputError naming where: never a crash or a partial list. */
async function parsesCleanly(text: string, count: number) {
  try {
    const parsed = await fromStdin(text);
    expect(parsed.entries).toHaveLength(count);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message.length).toBeGreaterThan(0);
    return message;
  }
}

describe('property: job files', () => {
  it('any array or NDJSON of job-like objects parses whole or fails with one line naming the job and field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jobEntry, { minLength: 1, maxLength: 6 }), fc.boolean(), async (entries, ndjson) => {
        const text = ndjson ? entries.map((e) => JSON.stringify(e)).join('\n') : JSON.stringify(entries);
        const outcome = await parsesCleanly(text, entries.length);
        if (outcome !== 'ok') expect(outcome).toMatch(/(index|line) \d+|stdin:/);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary text never crashes the reader', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        await parsesCleanly(text, -1).catch((error) => {
          // A parse that succeeded on arbitrary text is fine; only the count check may fail.
          if (!String(error).includes('toHaveLength')) throw error;
        });
      }),
      { numRuns: 300 },
    );
  });

  it('one bad line anywhere in a valid NDJSON stream rejects the whole stream and names that line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 40 }),
        fc.nat(),
        fc.constantFrom('{"job": oops}', '{"job":"A","tries":-1}', '{"job":"A","delay":"soon"}', '[1,2]', '"text"'),
        async (count, at, bad) => {
          const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ job: 'A', data: { i } }));
          const index = at % count;
          lines[index] = bad;
          const message = await parsesCleanly(lines.join('\n'), count);
          expect(message).not.toBe('ok');
          expect(message).toContain(`line ${index + 1}`);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('property: durations', () => {
  it('any text is a non-negative finite number of seconds or a RangeError of one line', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^\d{1,4}(ms|s|m|h|d)(\d{1,3}(s|m))?$/), fc.double(), fc.integer()),
        (input) => {
          try {
            const seconds = parseDurationSeconds(input);
            expect(Number.isFinite(seconds)).toBe(true);
            expect(seconds).toBeGreaterThanOrEqual(0);
          } catch (error) {
            // RangeError: callers add the flag or field name and turn it into an InputError.
            expect(error).toBeInstanceOf(RangeError);
            expect((error as Error).message).not.toContain('\n');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('whole durations written with units read back as the same number of seconds', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(59), (hours, minutes) => {
        expect(parseDurationSeconds(`${hours}h${minutes}m`)).toBe(hours * 3600 + minutes * 60);
      }),
    );
  });
});
