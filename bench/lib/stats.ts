/** Small statistics helpers for the benchmark report. */

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

export function min(values: number[]): number {
  return Math.min(...values.filter((v) => Number.isFinite(v)));
}

export function max(values: number[]): number {
  return Math.max(...values.filter((v) => Number.isFinite(v)));
}

/** Half the min-max range as a percentage of the median: `±4%`. */
export function spreadPct(values: number[]): number {
  const m = median(values);
  if (!Number.isFinite(m) || m === 0) return NaN;
  return ((max(values) - min(values)) / 2 / m) * 100;
}

/** A number with about three significant digits, thousands separated. */
export function fmt(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (n === 0) return '0';
  const abs = Math.abs(n);
  const decimals = abs >= 10 ** (digits - 1) ? 0 : Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
  return n.toLocaleString('en-US', { minimumFractionDigits: Math.min(decimals, 3), maximumFractionDigits: Math.min(decimals, 3) });
}
