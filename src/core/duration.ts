import parseDurationText from 'parse-duration';

/**
 * Durations are written '30s', '5m', '1h30m' everywhere; a bare number means seconds
 * (Laravel's unit for delays, backoff and timeouts). Returns milliseconds, or throws a
 * RangeError naming the bad text so callers can attach the field name.
 */
export function parseDurationMs(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new RangeError(`invalid duration ${input}: must be >= 0 seconds`);
    return withinLimit(Math.round(input * 1000), input);
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return withinLimit(Math.round(Number(text) * 1000), input);
  if (!/^[0-9.]+\s*[a-zµ]+(\s*[0-9.]+\s*[a-zµ]+)*$/i.test(text)) {
    throw new RangeError(`invalid duration "${input}" (use e.g. 30s, 10m, 1h30m)`);
  }
  const ms = parseDurationText(text);
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`invalid duration "${input}" (use e.g. 30s, 10m, 1h30m)`);
  }
  return withinLimit(Math.round(ms), input);
}

/** Longest duration accepted: past it, times stop being exact in milliseconds and mean nothing for a queue. */
const MAX_DURATION_MS = 100 * 365 * 24 * 3_600_000;

function withinLimit(ms: number, input: string | number): number {
  if (!(ms <= MAX_DURATION_MS))
    throw new RangeError(`invalid duration ${JSON.stringify(input)}: longer than 100 years`);
  return ms;
}

/** Same as parseDurationMs, in whole or fractional seconds. */
export function parseDurationSeconds(input: string | number): number {
  return parseDurationMs(input) / 1000;
}

/** Compact human form: 950ms, 12s, 4m10s, 2h5m, 3d4h. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest}ms`;
  rest = Math.round(rest / 1000);
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return sign + parts.join('');
}
