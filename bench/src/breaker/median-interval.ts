/**
 * A distribution-free confidence interval of the median: the k-th smallest and k-th largest of n values, with k
 * the largest such that P(Binomial(n, 1/2) < k) <= 2.5% (12 rounds: the 3rd and the 10th). Below 9 values that
 * is min..max, with less confidence.
 */
export function medianInterval(values: readonly number[]): { low: number; high: number } {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { low: Number.NaN, high: Number.NaN };
  let k = 1;
  let below = 0; // P(X <= k - 1) for X ~ Binomial(n, 1/2), growing with k
  let term = 0.5 ** n; // P(X = k - 1)
  for (;;) {
    below += term;
    term = (term * (n - k + 1)) / k; // P(X = k)
    if (below + term > 0.025 || k + 1 > n / 2) break;
    k += 1;
  }
  return { low: sorted[k - 1]!, high: sorted[n - k]! };
}
