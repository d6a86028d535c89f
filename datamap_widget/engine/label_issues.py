"""Rank examples from most to least likely mislabeled, and say what to do about each.

``score`` estimates P(the gold label is wrong), from a cross-fitted run's held-out outputs (a
model that never trained on an example cannot have memorised its label):

- **Two classes** (binary, and each label of a multilabel run): a label-noise model is fitted
  to the run by maximum likelihood (``datamap_widget.engine._noise_model``): the held-out logit,
  recalibrated (``a * z + b``, which undoes class weights and a biased model), gives the clean
  posterior; a flip rate per class gives the noisy labels. Bayes' rule then gives each
  example's posterior of a flip. Flip rates stay one symmetric rate unless free per-class rates
  explain the labels better (by 0.001 nats per example) *and* one class is almost never flipped
  (one-sided noise, e.g. labels only ever missed).
- **Multiclass**: the engine keeps p(gold) and the argmax per epoch, not full probability rows,
  so the per-class recalibration above is not available: the score is the posterior under
  uniform flips, at a rate read off the anchors (1 - the 90th percentile of p(gold) where the
  held-out model agrees with the label). It is monotone in p(gold): the order is cleanlab's
  self-confidence on the chosen evidence.

The evidence is the held-out p(gold) averaged over the epochs within one standard error of the
best (``best_epochs``). Every choice above (evidence, when to use one-sided rates, the anchor
quantile, the flag rule) was made by leave-one-family-out selection on
benchmarks/bench_label_errors.py; ``datamap_widget.engine._issue_score.Settings`` lists them (on all
families the selection preferred the last epoch's p(gold) and free rates at any ratio, by 0.002
AP in its objective: the retraining measurements behind ``action`` were made with these
defaults, so they stay until those are rerun).

``flagged``: among examples the held-out models assign to another class (binary: held-out
p(gold) < 0.5; multiclass: their prediction differs from the gold label), the most likely wrong
ones, as many as maximise the F1 the scores themselves expect. ``action`` is the recommended
fix: "remove" for the flagged examples, "keep" for the others (retraining without the flagged
examples met the issue's retraining targets in more task families than relabeling them; README
"Finding label errors" has the measurements). ``weight`` (1 - score) is the sample weight of
the down-weighting alternative.

All O(epochs * N) numpy plus a fit on a 512-bin histogram: cheap to recompute every epoch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datamap_widget.engine._issue_score import (
    DEFAULT,
    Run,
    Settings,
    best_epochs,
    memorisation,
    score_run,
    selected_confidence,
)

__all__ = [
    "ACTIONS",
    "best_epochs",
    "label_issues",
    "memorisation",
    "recommended_actions",
    "selected_confidence",
]

#: the categories of the ``action`` column
ACTIONS = ("relabel", "remove", "keep")


def recommended_actions(act: np.ndarray, suggested: np.ndarray, gold: np.ndarray, policy: str):
    """(N,) action per example: those to ``act`` on are relabeled to the suggested label (or,
    under the "remove" policy or with no other label to suggest, removed); the others stay."""
    codes = np.full(act.shape[0], ACTIONS.index("keep"), dtype=np.int8)
    relabel = act & (suggested != gold) if policy != "remove" else np.zeros_like(act)
    codes[relabel] = ACTIONS.index("relabel")
    codes[act & ~relabel] = ACTIONS.index("remove")
    return pd.Categorical.from_codes(codes, categories=ACTIONS)


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


def _run_arrays(td, label, in_sample) -> Run:
    correct = td.correct(label)
    inside_p = inside_correct = None
    if in_sample is not None:
        k = min(in_sample.n_epochs, td.n_epochs)
        inside_p = in_sample.gold_probabilities(label)[:k]
        inside_correct = in_sample.correct(label)[:k]
    return Run(
        p_gold=td.gold_probabilities(label),
        correct=correct,
        last_prediction=td.predictions(label)[-1].astype(np.int64),
        gold=np.asarray(td.gold(label), np.int64),
        n_classes=td.n_classes if td.task == "multiclass" else 2,
        in_sample_p_gold=inside_p,
        in_sample_correct=inside_correct,
    )


def label_issues(td, label=None, *, in_sample=None, settings: Settings = DEFAULT) -> pd.DataFrame:
    """Every example of ``td``, most likely mislabeled first (see the module docstring).

    Parameters
    ----------
    td : TrainingDynamics
        A run, ideally cross-fitted (``fit_epochs(..., cv=5)``): its held-out map.
    label : str or int, optional
        Multilabel runs: the label to rank (each label is a two-class problem).
    in_sample : TrainingDynamics or False, optional
        The in-sample map of the same run (default ``td.in_sample``, set by cross-fitting);
        False leaves it out. It adds the ``in_sample_confidence`` and ``gap`` columns.
    settings : Settings, optional
        The score's choices (the benchmark passes others; users need not).

    Returns
    -------
    pandas.DataFrame
        Indexed by example id, sorted by ``score`` (ties by lower ``p_gold``). Columns:
        ``score`` (estimated P(label wrong)), ``flagged`` (bool), ``action`` (Categorical
        "relabel" / "remove" / "keep": the recommended fix; ``DataMapWidget.accept_suggestions``
        records it), ``weight`` (1 - score, a sample weight), ``gold_label`` and
        ``suggested_label`` (Categoricals with the categories of ``td.metrics()["gold_label"]``;
        the suggestion is the class the held-out models favour), ``p_gold`` (the evidence
        scored), the map's ``confidence``, ``variability``, ``correctness``, ``forgetfulness``,
        ``region``, ``aum`` (when logits were logged) and, with an in-sample map,
        ``in_sample_confidence`` and ``gap`` (in-sample minus held-out confidence).
        ``attrs`` carries diagnostics: ``memorisation``, ``expected_flips`` (the sum of the
        scores), and ``flip_rates`` (two classes: P(label 1 | class 0), P(label 0 | class 1))
        and ``one_sided``, or ``flip_rate`` (multiclass).
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
    run = _run_arrays(td, label, in_sample)
    scored = score_run(run, settings)
    dtype = metrics["gold_label"].dtype
    cols = {
        "score": scored.score,
        "flagged": scored.flagged,
        "action": recommended_actions(scored.act, scored.suggested, run.gold, settings.policy),
        "weight": 1.0 - scored.score,
        "gold_label": metrics["gold_label"].array,
        "suggested_label": pd.Categorical.from_codes(scored.suggested, dtype=dtype),
        "p_gold": scored.p_gold,
    }
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
    out.attrs.update(scored.diagnostics)
    order = np.lexsort((scored.p_gold, -scored.score))  # most likely wrong first
    return out.iloc[order]
