/** Summaries of run times: the median, and nearest-rank percentiles (every such figure is a measured run). */

function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new RangeError('no samples to summarize');
  return [...samples].sort((a, b) => a - b);
}

export function median(samples: readonly number[]): number {
  const ordered = sorted(samples);
  const middle = Math.floor(ordered.length / 2);
  const upper = ordered[middle] as number;
  return ordered.length % 2 === 1 ? upper : ((ordered[middle - 1] as number) + upper) / 2;
}

/** The smallest sample that at least `p`% of the samples do not exceed (p90 of 10 runs = the 9th fastest). */
export function percentile(samples: readonly number[], p: number): number {
  const ordered = sorted(samples);
  const rank = Math.max(1, Math.ceil((p / 100) * ordered.length));
  return ordered[rank - 1] as number;
}

export function round(value: number, decimals = 2): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
