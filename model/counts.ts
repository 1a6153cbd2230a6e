/** Counts given as a number (`3`) or a share (`"25%"`). Pure: workflows use it. */
export type CountOrPercent = number | string;

/** The size of `count` out of `total`: at most `total`, at least 1 when `total` > 0. */
export function resolveCount(count: CountOrPercent, total: number): number {
  if (total <= 0) return 0;
  if (typeof count === 'number') return Math.min(count, total);
  return Math.min(total, Math.max(1, Math.ceil((Number(count.slice(0, -1)) / 100) * total)));
}
