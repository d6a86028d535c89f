"""Rank examples from most to least likely mislabeled, from a run's training dynamics.

The score estimates P(the gold label is wrong). Each ingredient was chosen by measurement on
benchmarks/bench_label_errors.py (digits, go_emotions gratitude, a 6-emotion go_emotions task;
5-20% uniform flips), see README "Finding label errors":

1. **p(gold) over epochs.** Per map, the mean p(gold) over the epochs whose accuracy is within
   one standard error of the best epoch's: a plateaued run averages many epochs (less noise than
   the single last snapshot cleanlab scores), a run still improving keeps its last ones.
2. **Held-out and in-sample evidence, weighed by memorisation.** A cross-fitted run has both
   maps. ``m`` = share of the examples the held-out models get wrong that the in-sample models
   get right. A model that memorises (TF-IDF text: m ~ 0.9) fits wrong labels in-sample, so the
   in-sample map is nearly worthless there; one that cannot (a linear model on digits: m ~ 0.3)
   gives in-sample p(gold) about as good as held-out, and averaging the two (two models per
   example) reduces the noise. So ``p = m * p_heldout + (1 - m) * p_in_sample``: how much the
   two maps disagree sets the weights.
3. **A noise prior.** ``rho``: the Laplace-smoothed share of examples the held-out models
   predict otherwise at the latest epoch; its odds are shrunk by a square root, because the
   rate also counts the model's own errors. Two classes (binary, each multilabel label): one
   rate per gold class. Noise rates differ a lot between the two (uniform flips on a 94% / 6%
   task make about half the minority labels wrong and under 1% of the majority ones): +0.06 to
   +0.22 AP on go_emotions gratitude. Multiclass: one pooled rate for every class, so the prior
   sets where ``flagged`` starts but leaves the order to p. Per-class rates cost 0.004-0.011 AP
   on the 6-emotion task (at 71% held-out accuracy the per-class disagreement is mostly the
   model's own errors), and even the true per-class flip rates, in place of the estimate, did
   not rank better than none there (measured at odds exponents 0.25, 0.5 and 1).

``score = rho'(1 - p) / (rho'(1 - p) + (1 - rho') p)``: Bayes' rule with p as the evidence, in
probability space, so examples rejected with p ~ 0 tie at 1 (ordered by p) instead of being
reordered by class. ``flagged`` = ``score >= 0.5`` (more likely wrong than right) and, for
multiclass, a held-out prediction other than the gold label (something to correct it to).

Measured and not used as a score term (README "Finding label errors" has the figures): the
in-sample minus held-out gap itself (within each gold class it never ranked flips above
held-out p(gold); its apparent gain on go_emotions was the class prior of 3.), so it is a column
for the reviewer; and, on the 6-emotion task where this ranking only ties cleanlab, the held-out
trajectory: variability, held-out correctness over epochs, consistency of the predicted class,
early in-sample confidence (before memorisation) and per-fold recentring all changed AP by
under +0.003 or lowered it; extrapolating the held-out logit trend of a run still improving
gained up to +0.016 there but reversed the ranking of a run whose logits shrink under
regularisation, so it is not used.

All O(epochs * N) numpy on arrays the engine keeps: cheap to recompute after every epoch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "best_epochs",
    "class_noise_rates",
    "label_issue_scores",
    "label_issues",
    "memorisation",
    "selected_confidence",
]

PRIOR_SHRINK = 0.5  # exponent on the prior odds: 1 = raw disagreement rate, 0 = no class prior


def best_epochs(correct: np.ndarray) -> np.ndarray:
    """(E,) bool: epochs whose accuracy is within one standard error of the best epoch's.

    The one-standard-error rule on per-epoch accuracy against the given labels (uniform label
    noise lowers every epoch alike, so it still ranks epochs): a run that has plateaued keeps
    many epochs to average, one still improving keeps only its last few.
    """
    accuracy = correct.mean(axis=1)
    best = accuracy.max()
    se = np.sqrt(best * (1.0 - best) / max(correct.shape[1], 1))
    return accuracy >= best - se


def selected_confidence(p_gold: np.ndarray, correct: np.ndarray) -> np.ndarray:
    """(N,) mean p(gold) over the ``best_epochs``: the evidence the score weighs."""
    keep = best_epochs(correct)
    return np.asarray(p_gold[keep], np.float64).mean(axis=0)


def memorisation(held_out_correct: np.ndarray, in_sample_correct: np.ndarray) -> float:
    """Share of the examples the held-out models get wrong that the in-sample models get right.

    1: the models fit every label they cannot predict (memorise), so in-sample p(gold) says
    nothing about those labels; 0: in-sample and held-out agree on what they cannot fit.
    """
    wrong = ~held_out_correct
    if not wrong.any():
        return 1.0
    return float((in_sample_correct & wrong).sum() / wrong.sum())


def class_noise_rates(
    gold: np.ndarray, wrong: np.ndarray, n_classes: int, per_class: bool = True
) -> np.ndarray:
    """(C,) Laplace-smoothed share of each gold class that the model predicts otherwise.

    ``per_class=False``: the pooled share over all classes, the same for every class.
    """
    n = np.bincount(gold, minlength=n_classes).astype(np.float64)
    k = np.bincount(gold, weights=wrong.astype(np.float64), minlength=n_classes)
    if not per_class:
        n, k = np.full(n_classes, n.sum()), np.full(n_classes, k.sum())
    return (k + 1.0) / (n + 2.0)


def label_issue_scores(
    p: np.ndarray,
    gold: np.ndarray,
    wrong: np.ndarray,
    n_classes: int,
    shrink: float = PRIOR_SHRINK,
    per_class: bool = True,
):
    """(score, rho') per example: the posterior that the label is wrong (see module docs)."""
    rho = class_noise_rates(gold, wrong, n_classes, per_class)
    odds = (rho / (1.0 - rho)) ** shrink
    prior = (odds / (1.0 + odds))[gold]
    evidence_wrong = prior * (1.0 - p)
    evidence_right = (1.0 - prior) * p
    total = evidence_wrong + evidence_right
    score = np.divide(evidence_wrong, total, out=prior.copy(), where=total > 0)
    return score, prior


def _names(td, label, col_names):
    if td.task == "multilabel":
        name = (
            label
            if isinstance(label, str)
            else (td.label_names[label] if td.label_names is not None else f"label {label}")
        )
        return [f"not {name}", str(name)]
    return col_names


def _check_in_sample(td, in_sample):
    if in_sample is None or in_sample is False:
        return None
    if not (hasattr(in_sample, "gold_probabilities") and hasattr(in_sample, "ids")):
        raise TypeError(
            f"in_sample must be a TrainingDynamics (the in-sample map of the same "
            f"run), got {type(in_sample).__name__}"
        )
    same = (
        in_sample.n_examples == td.n_examples
        and in_sample.task == td.task
        and np.array_equal(in_sample.ids, td.ids)
    )
    if not same:
        raise ValueError(
            "in_sample must record the same examples (same ids, in the same order) "
            "and task as this run"
        )
    if in_sample.n_epochs == 0:
        return None
    return in_sample


def label_issues(td, label=None, *, in_sample=None) -> pd.DataFrame:
    """Every example of ``td``, most likely mislabeled first (see the module docstring).

    Columns: score (estimated P(label wrong)), flagged (score >= 0.5; multiclass: and the
    suggestion differs from gold), gold / gold_name, suggested / suggested_name (the label the
    held-out models favour), p_gold (the evidence scored: held-out and in-sample p(gold) weighed
    by memorisation, whose value is in ``df.attrs["memorisation"]``), class_noise (the prior
    used), confidence, variability, correctness, forgetfulness, region, aum (when logits were
    logged) and, when the in-sample map of the same run is known, in_sample_confidence and gap
    (in-sample minus held-out confidence: how much the fold models memorised the example).
    ``in_sample`` defaults to ``td.in_sample`` (set by cross-fitting); pass False to leave it out.
    """
    if td.n_epochs == 0:
        raise ValueError(
            "no epochs logged yet: label_issues() ranks examples by their recorded "
            "dynamics; log at least one epoch first"
        )
    if in_sample is None:
        in_sample = getattr(td, "in_sample", None)
    in_sample = _check_in_sample(td, in_sample)
    metrics = td.metrics(label=label)  # validates label= (multilabel needs one)
    gold = np.asarray(td.gold(label), np.int64)
    held_correct = td.correct(label)
    p = selected_confidence(td.gold_probabilities(label), held_correct)
    memorised = None
    if in_sample is not None:  # blend in the in-sample evidence the model did not memorise away
        k = min(in_sample.n_epochs, td.n_epochs)
        in_correct = in_sample.correct(label)[:k]
        memorised = memorisation(held_correct[k - 1], in_correct[-1])
        p_in = selected_confidence(in_sample.gold_probabilities(label)[:k], in_correct)
        p = memorised * p + (1.0 - memorised) * p_in
    last_pred = td.predictions(label)[-1].astype(np.int64)
    n_classes = 2 if td.task != "multiclass" else td.n_classes
    # multiclass: one pooled prior, since per-class rates cost AP there (module docs, 3.)
    score, prior = label_issue_scores(
        p, gold, last_pred != gold, n_classes, per_class=n_classes == 2
    )
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
    cols["p_gold"] = p
    cols["class_noise"] = prior
    for name in ("confidence", "variability", "correctness", "forgetfulness", "region", "aum"):
        if name in metrics.columns:
            cols[name] = metrics[name].to_numpy()
    if in_sample is not None:
        inside = in_sample.metrics(epochs=min(in_sample.n_epochs, td.n_epochs), label=label)[
            "confidence"
        ].to_numpy()
        cols["in_sample_confidence"] = inside
        cols["gap"] = inside - metrics["confidence"].to_numpy()
    out = pd.DataFrame(cols, index=metrics.index, copy=False)
    out.attrs["memorisation"] = memorised  # None without an in-sample map
    order = np.lexsort((p, -score))  # most likely wrong first; ties (score 1.0) by lowest p
    return out.iloc[order]
