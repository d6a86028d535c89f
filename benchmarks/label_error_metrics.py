"""How a label-error score and its flags are judged against the known flips."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

RELIABILITY_BINS = 10
MIN_BIN = 30  # reliability bins with fewer examples are too noisy to judge (and are skipped)


def ranking(flipped: np.ndarray, score: np.ndarray) -> dict:
    """AP, AUROC and precision at k = number of flips, of ``score`` (higher = more likely wrong)."""
    k = int(flipped.sum())
    top = np.argsort(-score, kind="stable")[:k]
    return {
        "ap": average_precision_score(flipped, score),
        "auroc": roc_auc_score(flipped, score),
        "p_at_k": float(flipped[top].mean()),
    }


def flags(flipped: np.ndarray, flagged: np.ndarray) -> dict:
    """Precision, recall and F1 of a set of flags, and how many there are."""
    hits = int((flipped & flagged).sum())
    n = int(flagged.sum())
    precision = hits / n if n else 0.0
    recall = hits / max(int(flipped.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "n_flagged": n}


def calibration(flipped: np.ndarray, score: np.ndarray) -> dict:
    """Is ``score`` a probability of a flip? Sum ratio and the largest binned reliability gap.

    ``sum_ratio``: sum of scores / number of flips (1 = the scores count the flips right).
    ``max_gap``: over 10 equal-width score bins holding at least ``MIN_BIN`` examples, the
    largest |mean score - share flipped|.
    """
    bins = np.minimum((score * RELIABILITY_BINS).astype(int), RELIABILITY_BINS - 1)
    count = np.bincount(bins, minlength=RELIABILITY_BINS)
    mean_score = np.bincount(bins, score, RELIABILITY_BINS) / np.maximum(count, 1)
    share = np.bincount(bins, flipped.astype(float), RELIABILITY_BINS) / np.maximum(count, 1)
    judged = count >= MIN_BIN
    gap = float(np.abs(mean_score - share)[judged].max()) if judged.any() else 0.0
    return {"sum_ratio": float(score.sum() / max(flipped.sum(), 1)), "max_gap": gap}


def test_metrics(y_true: np.ndarray, predicted: np.ndarray) -> dict:
    """Held-out quality of a retrained model: macro F1 (the target) and accuracy."""
    return {
        "macro_f1": f1_score(y_true, predicted, average="macro"),
        "accuracy": float((y_true == predicted).mean()),
    }
