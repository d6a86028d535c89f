// @ts-check
// Data-map coordinates of every example after the first k epochs (cumulative, as the engine does).

export const REGIONS = ["easy-to-learn", "ambiguous", "hard-to-learn"];

/** Running sums over epochs 1..k: what the map after k epochs is computed from. */
export function emptySums(n) {
  return { k: 0, sum: new Float64Array(n), sumSq: new Float64Array(n), hits: new Float64Array(n) };
}

/** Add epochs sums.k+1..k to `sums` (in place): O(N) per added epoch. */
export function accumulate(sums, history, k) {
  const { n, rows } = history;
  const { sum, sumSq, hits } = sums;
  for (let e = sums.k; e < k; e++) {
    const { pGold, correct } = rows[e];
    for (let i = 0; i < n; i++) {
      const p = pGold[i];
      sum[i] += p;
      sumSq[i] += p * p;
      hits[i] += correct[i];
    }
  }
  sums.k = Math.max(sums.k, k);
  return sums;
}

/**
 * confidence = mean p(gold), variability = population std of p(gold) (ddof 0),
 * correctness = fraction of epochs predicted correctly; all over epochs 1..sums.k.
 * Returns {x: variability, y: confidence, color: correctness} as new Float32Arrays
 * (new arrays every call: bqplot-gl keeps the previous ones as animation start). An example
 * with a NaN p(gold) (one a compared run lacks) gets NaN everywhere: no place on the map.
 */
export function mapFromSums(sums, n) {
  const { k, sum, sumSq, hits } = sums;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const color = new Float32Array(n);
  if (k <= 0) return { x, y, color };
  for (let i = 0; i < n; i++) {
    const mean = sum[i] / k;
    const variance = sumSq[i] / k - mean * mean;
    const absent = Number.isNaN(mean); // not in this run (a compared run that lacks it)
    x[i] = variance > 0 ? Math.sqrt(variance) : absent ? Number.NaN : 0;
    y[i] = mean;
    color[i] = absent ? Number.NaN : hits[i] / k;
  }
  return { x, y, color };
}

/** The map after the first k epochs, from scratch: O(k N). */
export function mapAtEpoch(history, k) {
  return mapFromSums(accumulate(emptySums(history.n), history, k), history.n);
}

/** Region name from the engine's rule: variability first, then confidence. */
export function regionOf(confidence, variability, meta) {
  if (variability >= meta.variability_threshold) return "ambiguous";
  return confidence >= meta.confidence_threshold ? "easy-to-learn" : "hard-to-learn";
}
