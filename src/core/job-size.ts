import bytes from 'bytes';

/**
 * A size in bytes: a whole number, or text such as '512kb' or '2mb' (1 kb = 1024 bytes); null when
 * it is not one. Kept apart from the zod schemas so that dispatching and working never load zod.
 */
export function parseJobSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null;
  if (typeof value !== 'string') return null;
  const size = bytes.parse(value);
  return size === null || !Number.isFinite(size) || size <= 0 ? null : Math.floor(size);
}

export function jobSizeError(value: unknown): string {
  return `"${String(value)}" is not a size (use bytes, or e.g. 512kb, 2mb)`;
}
