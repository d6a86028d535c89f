"""Running per-example statistics and the metrics table built from them.

The statistics are updated once per epoch (Welford mean/M2 in float64, correct counts,
forgetting state), so the map after the latest epoch costs O(N) however many epochs were
logged. Maps of earlier epochs replay the stored history through the same update, which keeps
the live and the replayed numbers identical by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

REGIONS = ("easy-to-learn", "ambiguous", "hard-to-learn")
REGION_DTYPE = pd.CategoricalDtype(list(REGIONS))


class RunningStats:
    def __init__(self, shape):
        self.n = 0
        self.mean = np.zeros(shape)
        self.m2 = np.zeros(shape)
        self.n_correct = np.zeros(shape, np.int32)
        self.n_forgotten = np.zeros(shape, np.int32)
        self.learned = np.zeros(shape, bool)
        self.previous = np.zeros(shape, bool)
        self.margin_sum = None

    def update(self, p_gold: np.ndarray, correct: np.ndarray, margin) -> None:
        self.n += 1
        x = p_gold.astype(np.float64)
        delta = x - self.mean  # Welford: (p - old mean) * (p - new mean) adds to M2
        self.mean += delta / self.n
        x -= self.mean
        x *= delta
        self.m2 += x
        self.n_correct += correct
        forgotten = ~correct
        forgotten &= self.previous  # correct at e-1, wrong at e (Toneva et al.)
        self.n_forgotten += forgotten
        self.learned |= correct
        self.previous = correct
        if margin is not None:
            if self.margin_sum is None:
                self.margin_sum = np.zeros(self.mean.shape)
            self.margin_sum += margin


def quantile_codes(
    confidence: np.ndarray, variability: np.ndarray, fraction: float = 1 / 3
) -> np.ndarray:
    """Region codes by the paper's rank-based subsets (0 easy, 1 ambiguous, 2 hard, -1 none).

    The most variable ``fraction`` is ambiguous; of the rest, the least confident ``fraction``
    (of all examples) is hard-to-learn and the most confident easy-to-learn. Ranks (stable
    sorts), not quantile values, so ties such as an all-zero variability after one epoch still
    give subsets of the stated size.
    """
    n = confidence.shape[0]
    k = round(fraction * n)
    codes = np.full(n, -1, np.int8)
    by_conf = np.argsort(confidence, kind="stable")
    codes[by_conf[n - k :]] = 0
    codes[by_conf[:k]] = 2
    codes[np.argsort(-variability, kind="stable")[:k]] = 1
    return codes


def metrics_frame(
    stats: RunningStats,
    index: pd.Index,
    variability_threshold: float,
    confidence_threshold: float,
    column=None,
    regions: str = "thresholds",
) -> pd.DataFrame:
    """Data-map columns for every example; `column` picks one label of a multilabel task."""

    def pick(a):
        return a if column is None else a[:, column]

    n = stats.n
    size = len(index)
    if n == 0:
        nan = np.full(size, np.nan)
        cols = {
            name: nan.copy()
            for name in (
                "confidence",
                "variability",
                "correctness",
                "forgetfulness",
                "threshold_closeness",
            )
        }
        cols["region"] = pd.Categorical.from_codes(np.full(size, -1, np.int8), dtype=REGION_DTYPE)
        return pd.DataFrame(cols, index=index, copy=False)

    confidence = np.array(pick(stats.mean))
    variability = np.divide(pick(stats.m2), n)
    np.sqrt(variability, out=variability)
    correctness = np.divide(pick(stats.n_correct), n)
    forgetfulness = np.where(pick(stats.learned), pick(stats.n_forgotten), np.inf)
    if regions == "quantiles":
        codes = quantile_codes(confidence, variability)
    else:
        ambiguous = variability >= variability_threshold
        hard = confidence < confidence_threshold
        hard &= ~ambiguous
        codes = ambiguous.view(np.int8) + 2 * hard.view(np.int8)  # 0 easy, 1 ambiguous, 2 hard
    closeness = 1.0 - confidence
    closeness *= confidence
    cols = {
        "confidence": confidence,
        "variability": variability,
        "correctness": correctness,
        "forgetfulness": forgetfulness,
        "threshold_closeness": closeness,
        "region": pd.Categorical.from_codes(codes, dtype=REGION_DTYPE),
    }
    if stats.margin_sum is not None:
        cols["aum"] = pick(stats.margin_sum) / n
    return pd.DataFrame(cols, index=index, copy=False)
