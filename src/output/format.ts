import { formatDuration } from '../core/duration.js';

/** '12s ago' / 'in 4m10s' relative to now. */
export function relativeTime(at: number, now = Date.now()): string {
  const delta = at - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** Local ISO-like timestamp without milliseconds: 2026-11-25 02:11:25. */
export function timestamp(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function clockTime(at: number): string {
  return timestamp(at).slice(11);
}
