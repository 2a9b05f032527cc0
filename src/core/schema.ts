import * as z from 'zod';
import { parseDurationSeconds } from './duration.js';
import { jobSizeError, parseJobSize } from './job-size.js';

/** A duration as users write it: '30s', '5m', '1h30m', or a number of seconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    return parseDurationSeconds(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** A size in bytes: a whole number, or text such as '512kb' or '2mb' (1 kb = 1024 bytes). */
export const jobSizeSchema = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  const size = parseJobSize(value);
  if (size === null) {
    ctx.addIssue({ code: 'custom', message: jobSizeError(value) });
    return z.NEVER;
  }
  return size;
});

/** Backoff: seconds or durations, as a number, a list, or the text "10,60". */
export const backoffSchema = z.union([durationSchema, z.array(durationSchema).min(1)]).or(
  z.string().transform((value, ctx) => {
    const parts = value.split(',').map((part) => part.trim());
    try {
      const list = parts.map((part) => parseDurationSeconds(part));
      return list.length === 1 ? list[0]! : list;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
);

export const queueNameSchema = z
  .string()
  .min(1, 'queue name is empty')
  .max(200)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'queue names use letters, digits, _ . : -');

export const jobNameSchema = z.string().min(1, 'job name is empty').max(200);

const triesSchema = z.number().int('must be a whole number').min(0, 'must be 0 (unlimited) or more');

const withoutOverlappingSchema = z.strictObject({
  key: z.string().min(1),
  releaseAfter: durationSchema.optional(),
  dontRelease: z.boolean().optional(),
  expireAfter: durationSchema.nullable().optional(),
  shared: z.boolean().optional(),
});

const throttlesExceptionsSchema = z.strictObject({
  maxExceptions: z.number().int().min(1).optional(),
  decay: durationSchema.optional(),
  backoff: durationSchema.optional(),
  by: z.string().min(1).optional(),
  byJob: z.boolean().optional(),
});

export const middlewareSpecSchema = z.union([
  z.strictObject({ withoutOverlapping: withoutOverlappingSchema }),
  z.strictObject({ throttlesExceptions: throttlesExceptionsSchema }),
  z.strictObject({
    rateLimited: z.union([
      z
        .string()
        .min(1)
        .transform((name) => ({ name })),
      z.strictObject({ name: z.string().min(1), dontRelease: z.boolean().optional() }),
    ]),
  }),
  z.strictObject({ skipIf: z.boolean() }),
  z.strictObject({ skipUnless: z.boolean() }),
]);

export const uniqueSchema = z.union([
  z
    .string()
    .min(1)
    .transform((key) => ({ key, for: null as number | null, untilProcessing: false })),
  z.strictObject({
    key: z.string().min(1),
    for: durationSchema.nullable().optional(),
    untilProcessing: z.boolean().optional(),
  }),
]);

/** A point in time: ISO-8601 text or epoch milliseconds. */
export const instantSchema = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `invalid date "${value}" (use ISO-8601, e.g. 2026-01-31T09:00:00Z)` });
    return z.NEVER;
  }
  return ms;
});

/** One job in a job file (the user-facing part of an envelope). Unknown fields are rejected. */
export const jobFileEntrySchema = z.strictObject({
  job: jobNameSchema,
  data: z.unknown().optional(),
  queue: queueNameSchema.optional(),
  connection: z.string().min(1).optional(),
  delay: durationSchema.optional(),
  at: instantSchema.optional(),
  tries: triesSchema.optional(),
  maxExceptions: z.number().int().min(1).optional(),
  backoff: backoffSchema.optional(),
  timeout: durationSchema.optional(),
  failOnTimeout: z.boolean().optional(),
  retryUntil: z.union([durationSchema, instantSchema]).optional(),
  middleware: z.array(middlewareSpecSchema).optional(),
  unique: uniqueSchema.optional(),
  idempotencyKey: z.string().min(1).max(500).optional(),
  tags: z.array(z.string().min(1)).optional(),
});

export type JobFileEntry = z.output<typeof jobFileEntrySchema>;

/** Describe the first problem of a failed parse as `field 'x': reason`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? ` in '${issue.path.join('.')}'` : '';
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}${where}`;
  }
  const field = issue.path.length ? `field '${issue.path.join('.')}': ` : '';
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${field}is required`;
  if (issue.code === 'invalid_union') {
    // Name the most specific nested problem rather than zod's generic "invalid input".
    const nested = issue.errors.flat().sort((a, b) => b.path.length - a.path.length)[0];
    if (nested) return describeIssue(new z.ZodError([{ ...nested, path: [...issue.path, ...nested.path] }]));
  }
  return `${field}${issue.message}`;
}
