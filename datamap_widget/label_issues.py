"""Rank examples from most to least likely mislabeled, from a run's (held-out) training dynamics.

The score is an estimate of P(the gold label is wrong), built from two things a cross-fitted run
measures (see README, "Finding label errors", for the benchmark behind each choice):

1. **Held-out p(gold) over epochs**, ``p``: the mean over epochs of p(gold) weighted by epoch^2,
   so later (better trained) fold models count most while earlier epochs still average out the
   noise of a single snapshot (measured: above the last epoch alone on digits, above the plain
   mean on text, where held-out accuracy still rises at epoch 10).
2. **A per-class label-noise prior**, ``rho[c]``: the share of examples labelled c that the
   held-out models predict as another class at the latest epoch (Laplace-smoothed). Noise rates
   differ a lot between classes: uniform flips on a 94% / 6% binary task make about half of the
   minority labels wrong but under 1% of the majority ones. Since the disagreement rate also
   counts the model's own errors, its odds are shrunk by a square root before use.

``score = rho'(1 - p) / (rho'(1 - p) + (1 - rho') p)`` with ``rho'`` the shrunk prior: Bayes'
rule with p as the evidence. Computed in probability space, so examples the model rejects with
p ~ 0 tie at 1 (their order is left to p) instead of being reordered by class. ``flagged`` is
``score >= 0.5`` (the evidence says the label is more likely wrong than right) and, for
multiclass, a held-out prediction other than the gold label (something to correct it to).

Measured and left out of the score: the in-sample vs held-out gap. Within each gold class it
never ranked flips better than held-out p alone (its apparent gain on go_emotions came from the
class prior above), so it is reported as a column for the reviewer, not scored.

Everything is O(epochs * N) numpy work on arrays the engine already keeps, so the ranking can be
recomputed after every epoch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["class_noise_rates", "label_issue_scores", "label_issues"]

PRIOR_SHRINK = 0.5  # exponent on the prior odds: 1 = raw disagreement rate, 0 = no class prior


def weighted_confidence(p_gold: np.ndarray) -> np.ndarray:
    """(N,) mean over epochs of p(gold) with weights epoch^2 (later epochs count most)."""
    p_gold = np.asarray(p_gold, np.float64)
    w = np.arange(1, p_gold.shape[0] + 1, dtype=np.float64) ** 2
    return w @ p_gold / w.sum()


def class_noise_rates(gold: np.ndarray, wrong: np.ndarray, n_classes: int) -> np.ndarray:
    """(C,) Laplace-smoothed share of each gold class that the model predicts otherwise."""
    n = np.bincount(gold, minlength=n_classes).astype(np.float64)
    k = np.bincount(gold, weights=wrong.astype(np.float64), minlength=n_classes)
    return (k + 1.0) / (n + 2.0)


def label_issue_scores(p: np.ndarray, gold: np.ndarray, wrong: np.ndarray, n_classes: int,
                       shrink: float = PRIOR_SHRINK):
    """(score, rho') per example: the posterior that the label is wrong (see module docs)."""
    rho = class_noise_rates(gold, wrong, n_classes)
    odds = (rho / (1.0 - rho)) ** shrink
    prior = (odds / (1.0 + odds))[gold]
    evidence_wrong = prior * (1.0 - p)
    evidence_right = (1.0 - prior) * p
    total = evidence_wrong + evidence_right
    score = np.divide(evidence_wrong, total, out=prior.copy(), where=total > 0)
    return score, prior


def _names(td, label, col_names):
    if td.task == "multilabel":
        name = label if isinstance(label, str) else (
            td.label_names[label] if td.label_names is not None else f"label {label}")
        return [f"not {name}", str(name)]
    return col_names


def _check_in_sample(td, in_sample):
    if in_sample is None or in_sample is False:
        return None
    if not (hasattr(in_sample, "gold_probabilities") and hasattr(in_sample, "ids")):
        raise TypeError(f"in_sample must be a TrainingDynamics (the in-sample map of the same "
                        f"run), got {type(in_sample).__name__}")
    same = (in_sample.n_examples == td.n_examples and in_sample.task == td.task
            and np.array_equal(in_sample.ids, td.ids))
    if not same:
        raise ValueError("in_sample must record the same examples (same ids, in the same order) "
                         "and task as this run")
    if in_sample.n_epochs == 0:
        return None
    return in_sample


def label_issues(td, label=None, *, in_sample=None) -> pd.DataFrame:
    """Every example of ``td``, most likely mislabeled first (see the module docstring).

    Columns: score (estimated P(label wrong)), flagged (score >= 0.5; multiclass: and the
    suggestion differs from gold), gold / gold_name,
    suggested / suggested_name (the label the held-out models favour), heldout_confidence (the
    epoch-weighted p(gold) scored), class_noise (the class prior used), confidence, variability,
    correctness, forgetfulness, region, aum (when logits were logged) and, when the in-sample
    map of the same run is known, in_sample_confidence and gap (in-sample minus held-out
    confidence: how much the fold models memorised the example). ``in_sample`` defaults to
    ``td.in_sample`` (set by cross-fitting); pass False to leave it out.
    """
    if td.n_epochs == 0:
        raise ValueError("no epochs logged yet: label_issues() ranks examples by their recorded "
                         "dynamics; log at least one epoch first")
    if in_sample is None:
        in_sample = getattr(td, "in_sample", None)
    in_sample = _check_in_sample(td, in_sample)
    metrics = td.metrics(label=label)  # validates label= (multilabel needs one)
    gold = np.asarray(td.gold(label), np.int64)
    p_gold = td.gold_probabilities(label)
    p = weighted_confidence(p_gold)
    last_pred = td.predictions(label)[-1].astype(np.int64)
    n_classes = 2 if td.task != "multiclass" else td.n_classes
    score, prior = label_issue_scores(p, gold, last_pred != gold, n_classes)
    flagged = score >= 0.5
    if td.task == "multiclass":
        suggested = last_pred
        flagged &= suggested != gold  # something to correct it to
    else:  # two classes: if the label is wrong, the other one is right
        suggested = np.where(flagged, 1 - gold, gold)
    names = _names(td, label, td.label_names)
    cols = {"score": score, "flagged": flagged, "gold": gold}
    if names is not None:
        cols["gold_name"] = np.asarray(names, dtype=object)[gold]
    cols["suggested"] = suggested
    if names is not None:
        cols["suggested_name"] = np.asarray(names, dtype=object)[suggested]
    cols["heldout_confidence"] = p
    cols["class_noise"] = prior
    for name in ("confidence", "variability", "correctness", "forgetfulness", "region", "aum"):
        if name in metrics.columns:
            cols[name] = metrics[name].to_numpy()
    if in_sample is not None:
        inside = in_sample.metrics(epochs=min(in_sample.n_epochs, td.n_epochs),
                                   label=label)["confidence"].to_numpy()
        cols["in_sample_confidence"] = inside
        cols["gap"] = inside - metrics["confidence"].to_numpy()
    out = pd.DataFrame(cols, index=metrics.index, copy=False)
    order = np.lexsort((p, -score))  # most likely wrong first; ties (score 1.0) by lowest p
    return out.iloc[order]
