"""The label-issue score, flags and recommended fix of one run, as plain arrays.

Split from ``label_issues`` (which builds the DataFrame) so the benchmark can score cached runs
under other settings: every constant here was chosen by leave-one-family-out selection on
benchmarks/bench_label_errors.py (README "Finding label errors" has the held-out-family table).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from datamap_widget.engine import _noise_model


class Settings(NamedTuple):
    """The score's choices; the defaults are the ones leave-one-family-out selection made."""

    #: "last": the last epoch's held-out p(gold) (what cleanlab scores); "selected": its mean
    #: over the epochs within one standard error of the best; "blend": "selected", blended
    #: with the in-sample map's by memorisation.
    evidence: str = "selected"
    #: two classes: use free flip rates (one per class) when they raise the log-likelihood by
    #: more than ``asymmetry_gain`` nats per example and the smaller rate is under
    #: ``asymmetry_ratio`` times the larger (one-sided noise); else one symmetric rate.
    asymmetry_gain: float = 0.001
    asymmetry_ratio: float = 0.1
    #: multiclass flip rate: 1 - this quantile of p(gold) where the prediction agrees.
    anchor_quantile: float = 0.9
    #: "expected_f1": flag the top of the ranking that maximises the F1 the scores expect;
    #: "half": flag score >= 0.5.
    flag_rule: str = "expected_f1"
    #: the ``action`` column (what retraining on the fixed labels measured best, README):
    #: "relabel": every flagged example takes the suggested label; "relabel_sure": only those
    #: scored at least ``sure`` (the other flags are kept as they are); "remove": flagged
    #: examples are dropped.
    policy: str = "remove"
    sure: float = 0.9


DEFAULT = Settings()


class Scored(NamedTuple):
    score: np.ndarray  # (N,) estimated P(label wrong)
    flagged: np.ndarray  # (N,) bool
    act: np.ndarray  # (N,) bool: flagged and worth fixing under ``Settings.policy``
    suggested: np.ndarray  # (N,) class index the held-out models favour
    p_gold: np.ndarray  # (N,) the evidence scored
    diagnostics: dict


def best_epochs(correct: np.ndarray) -> np.ndarray:
    """(E,) bool: epochs whose accuracy is within one standard error of the best epoch's.

    Per-epoch accuracy against the given labels (uniform label noise lowers every epoch alike,
    so it still ranks epochs): a plateaued run keeps many epochs to average, one still
    improving keeps only its last few.
    """
    accuracy = correct.mean(axis=1)
    best = accuracy.max()
    se = np.sqrt(best * (1.0 - best) / max(correct.shape[1], 1))
    return accuracy >= best - se


def selected_confidence(p_gold: np.ndarray, correct: np.ndarray) -> np.ndarray:
    """(N,) mean p(gold) over the ``best_epochs``."""
    return np.asarray(p_gold[best_epochs(correct)], np.float64).mean(axis=0)


def memorisation(held_out_correct: np.ndarray, in_sample_correct: np.ndarray) -> float:
    """Share of the examples the held-out models get wrong that the in-sample models get right.

    1: the models fit every label they cannot predict (memorise), so in-sample p(gold) says
    nothing about those labels; 0: in-sample and held-out agree on what they cannot fit.
    """
    wrong = ~held_out_correct
    if not wrong.any():
        return 1.0
    return float((in_sample_correct & wrong).sum() / wrong.sum())


class Run(NamedTuple):
    """What a run recorded for one task: (E, N) held-out arrays, optional in-sample ones."""

    p_gold: np.ndarray
    correct: np.ndarray
    last_prediction: np.ndarray  # (N,) held-out prediction at the last epoch
    gold: np.ndarray
    n_classes: int  # 2 for binary and each multilabel label
    in_sample_p_gold: np.ndarray | None = None
    in_sample_correct: np.ndarray | None = None


def evidence(run: Run, how: str) -> tuple[np.ndarray, np.ndarray, float | None]:
    """(evidence scored, held-out selected p(gold), memorisation or None)."""
    held = selected_confidence(run.p_gold, run.correct)
    memorised = None
    if run.in_sample_p_gold is not None:
        k = run.in_sample_p_gold.shape[0]
        memorised = memorisation(run.correct[k - 1], run.in_sample_correct[-1])
    if how == "last":
        return np.asarray(run.p_gold[-1], np.float64), held, memorised
    if how == "blend" and memorised is not None:
        inside = selected_confidence(run.in_sample_p_gold, run.in_sample_correct)
        return memorised * held + (1.0 - memorised) * inside, held, memorised
    return held, held, memorised


def _two_class(p, gold, settings):
    p1 = np.where(gold == 1, p, 1.0 - p)
    z = _noise_model.evidence_logit(p1)
    counts = _noise_model.histogram(z, gold)
    symmetric = _noise_model.fit_noise(z, gold, symmetric=True, counts=counts)
    free = _noise_model.fit_noise(z, gold, symmetric=False, counts=counts)
    gain = free.log_likelihood - symmetric.log_likelihood
    lo, hi = sorted((free.e0, free.e1))
    one_sided = gain > settings.asymmetry_gain and lo < settings.asymmetry_ratio * hi
    model = free if one_sided else symmetric
    return model.p_wrong(z, gold), {
        "flip_rates": (model.e0, model.e1),
        "calibration": (model.a, model.b),
        "one_sided": bool(one_sided),
    }


def expected_f1_flags(score: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """The most likely wrong eligible examples, as many as maximise the expected F1.

    With calibrated scores, flagging the top k expects sum(top k) true flags out of sum(all)
    flips, so F1 ~ 2 sum(top k) / (k + sum(all)); the k that maximises it is used.
    """
    candidates = np.flatnonzero(eligible)
    flagged = np.zeros(score.shape[0], bool)
    if candidates.size == 0:
        return flagged
    order = candidates[np.argsort(-score[candidates], kind="stable")]
    gained = np.cumsum(score[order])
    f1 = 2.0 * gained / (np.arange(1, order.size + 1) + score.sum())
    k = int(np.argmax(f1)) + 1
    if f1[k - 1] > 0:
        flagged[order[:k]] = True
    return flagged


def score_run(run: Run, settings: Settings = DEFAULT) -> Scored:
    """Score, flags and suggested labels of every example of one task of a run."""
    p, held, memorised = evidence(run, settings.evidence)
    gold = run.gold
    diagnostics = {"memorisation": memorised}
    if run.n_classes == 2:
        score, fitted = _two_class(p, gold, settings)
        diagnostics.update(fitted)
        eligible = held < 0.5  # the held-out models favour the other class
        suggested = np.where(eligible, 1 - gold, gold)
    else:
        suggested = run.last_prediction
        eligible = suggested != gold  # something to correct it to
        rate = _noise_model.anchor_rate(p, run.correct[-1], settings.anchor_quantile)
        score = _noise_model.uniform_flip_posterior(p, rate, run.n_classes)
        diagnostics["flip_rate"] = rate
    half = settings.flag_rule == "half"
    flagged = eligible & (score >= 0.5) if half else expected_f1_flags(score, eligible)
    diagnostics["expected_flips"] = float(score.sum())
    act = flagged & (score >= settings.sure) if settings.policy == "relabel_sure" else flagged
    return Scored(score, flagged, act, suggested, p, diagnostics)
