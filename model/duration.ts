/** Durations in runbooks are strings such as `500ms`, `30s`, `5m`, `1h30m`, `2d`. Pure: workflows use it. */

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const durationPattern = /^(?:\d+(?:ms|s|m|h|d))+$/;
const partPattern = /(\d+)(ms|s|m|h|d)/g;

/** Milliseconds in a duration string; throws a RangeError for anything else. */
export function durationMs(text: string): number {
  if (!durationPattern.test(text)) {
    throw new RangeError(`expected a duration like 30s, 5m or 1h30m, got "${text}"`);
  }
  let total = 0;
  for (const match of text.matchAll(partPattern)) {
    total += Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  }
  return total;
}

/** Human form of a duration in milliseconds, e.g. `1m05s`, `350ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  if (minutes < 60) return `${minutes}m${rest}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
