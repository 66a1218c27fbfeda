/** Small statistics over repeated measurements (the bench reports medians and percentiles, never single samples). */

/** The median of the finite values, or null when there are none. */
export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}

/** Nearest-rank-with-interpolation percentile (p in 0..100) of the finite values, or null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}
