// Data-map coordinates of every example after the first k epochs (cumulative, as the engine does).

export const REGIONS = ["easy-to-learn", "ambiguous", "hard-to-learn"];

/**
 * confidence = mean p(gold), variability = population std of p(gold) (ddof 0),
 * correctness = fraction of epochs predicted correctly; all over epochs 1..k.
 * Returns {x: variability, y: confidence, color: correctness} as new Float32Arrays
 * (new arrays every call: bqplot-gl keeps the previous ones as animation start).
 */
export function mapAtEpoch(history, k) {
  const { n, pGold, correct } = history;
  const sum = new Float64Array(n);
  const sumSq = new Float64Array(n);
  const hits = new Float64Array(n);
  for (let e = 0; e < k; e++) {
    const row = e * n;
    for (let i = 0; i < n; i++) {
      const p = pGold[row + i];
      sum[i] += p;
      sumSq[i] += p * p;
      hits[i] += correct[row + i];
    }
  }
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const color = new Float32Array(n);
  if (k <= 0) return { x, y, color };
  for (let i = 0; i < n; i++) {
    const mean = sum[i] / k;
    const variance = sumSq[i] / k - mean * mean;
    x[i] = variance > 0 ? Math.sqrt(variance) : 0;
    y[i] = mean;
    color[i] = hits[i] / k;
  }
  return { x, y, color };
}

/** Region name from the engine's rule: variability first, then confidence. */
export function regionOf(confidence, variability, meta) {
  if (variability >= meta.variability_threshold) return "ambiguous";
  return confidence >= meta.confidence_threshold ? "easy-to-learn" : "hard-to-learn";
}
