"""Cross-fitted (out-of-fold) training dynamics: every example scored by a model that never saw it.

An in-sample data map scores each example with the model that trains on it, so a model that can
memorise learns a wrong label and stops flagging it. Cross-fitting trains K models side by side on
K folds, epoch by epoch; after each epoch, example i is scored by the model of its own fold, the
one model that did not train on it (the *held-out* map). The same fold models give an *in-sample*
map of the same run for free: example i is also scored by one model that did train on it (the
next fold's model, ``(fold + 1) % K``), so the two maps differ only by whether the scorer saw the
example. Their gap measures how much the model memorised each example.

Framework-free: ``fold_assignments`` picks the folds (with clear errors for folds a classifier
cannot train on) and ``CrossFitRouter`` sends each fold model's outputs to the held-out and
in-sample sinks. ``integrations.sklearn.fit_epochs(..., cv=5)`` runs the whole thing for
``partial_fit`` estimators; a PyTorch loop uses the router directly (see ``integrations.torch``).
"""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np

from datamap_widget.integrations._sink import GuardedSink, check_sink, dynamics_of, to_numpy

__all__ = [
    "DEFAULT_RANDOM_STATE",
    "CrossFitRouter",
    "fold_assignments",
    "in_sample_scorer",
    "mirror_dynamics",
]

#: Seed of the shuffled stratified folds when none is given: the same data gives the same folds.
DEFAULT_RANDOM_STATE = 0


def _describe(values, counts, limit=10) -> str:
    pairs = [
        f"{v!r}: {c}"
        for v, c in zip(np.asarray(values)[:limit].tolist(), np.asarray(counts)[:limit].tolist())
    ]
    more = "" if len(values) <= limit else f", ... ({len(values) - limit} more)"
    return "{" + ", ".join(pairs) + more + "}"


def _check_n_folds(cv, n: int) -> int:
    if isinstance(cv, bool) or not isinstance(cv, numbers.Integral):
        raise TypeError(
            f"cv must be an int (number of folds), a scikit-learn splitter or None, got {cv!r}"
        )
    if cv < 2:
        raise ValueError(
            f"cv={cv}: cross-fitting needs at least 2 folds (each example is scored "
            "by a model trained on the other folds); use cv=5, or cv=None for "
            "in-sample dynamics"
        )
    if cv > n:
        raise ValueError(f"cv={cv} folds but only {n} examples; use cv={max(2, n)} or fewer")
    return int(cv)


def fold_assignments(y, cv=5, *, random_state=DEFAULT_RANDOM_STATE, X=None, groups=None):
    """(N,) int fold of every example: the fold whose model must not train on it.

    ``y``: class labels (N,) or multilabel multi-hot (N, L). ``cv``: number of folds (shuffled
    ``StratifiedKFold`` seeded with ``random_state``; multilabel: shuffled ``KFold``) or any
    scikit-learn splitter (``split(X, y, groups)``; each example must be in exactly one test
    fold). ``groups`` (one per example) with an int ``cv`` keeps each group in one fold
    (shuffled ``StratifiedGroupKFold``; multilabel: ``GroupKFold``). Raises a ValueError,
    before anything trains, when a fold's training set would miss a class (or, multilabel, a
    label's positives or negatives), with the counts and the fix.
    """
    from sklearn.model_selection import (
        GroupKFold,
        KFold,
        StratifiedGroupKFold,
        StratifiedKFold,
    )

    y = to_numpy(y)
    if y.ndim not in (1, 2) or y.shape[0] == 0:
        raise ValueError(
            f"y must be (N,) class labels or (N, L) multi-hot labels with N > 0, "
            f"got shape {y.shape}"
        )
    n = y.shape[0]
    groups = _check_groups(groups, n)
    if hasattr(cv, "split"):
        folds = _folds_from_splitter(cv, X, y, groups, n)
    elif groups is not None:
        k = _check_n_folds(cv, n)
        n_groups = np.unique(groups).size
        if n_groups < k:
            raise ValueError(
                f"cv={k} folds with groups= need at least {k} distinct groups, got {n_groups}; "
                f"use cv={max(2, n_groups)} or fewer"
            )
        if y.ndim == 1:
            splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=random_state)
        else:
            splitter = GroupKFold(n_splits=k)
        folds = _folds_from_splitter(splitter, None, y, groups, n)
    else:
        k = _check_n_folds(cv, n)
        if y.ndim == 1:
            values, counts = np.unique(y, return_counts=True)
            if counts.min() < k:
                rare = values[counts < k]
                raise ValueError(
                    f"cv={k} folds need at least {k} examples of every class, but "
                    f"{rare.size} classes have fewer (counts: {_describe(values, counts)}). Use "
                    f"cv={max(int(counts.min()), 2)} or fewer, or merge or drop the rare classes "
                    f"{rare[:5].tolist()}"
                )
            splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state)
        else:
            splitter = KFold(n_splits=k, shuffle=True, random_state=random_state)
        folds = np.empty(n, np.int64)
        for fold, (_, test) in enumerate(splitter.split(np.zeros((n, 1)), y)):
            folds[test] = fold
    _check_training_sets(folds, y)
    return folds


def _check_groups(groups, n: int):
    if groups is None:
        return None
    groups = to_numpy(groups)
    if groups.shape != (n,):
        raise ValueError(
            f"groups must hold one group per example, shape ({n},), got shape {groups.shape}"
        )
    if groups.dtype == object and any(g is None for g in groups.tolist()):
        raise ValueError("groups has missing values (None); give every example a group")
    if groups.dtype.kind == "f" and np.isnan(groups).any():
        raise ValueError("groups has missing values (NaN); give every example a group")
    return groups


def _folds_from_splitter(splitter, X, y, groups, n) -> np.ndarray:
    folds = np.full(n, -1, np.int64)
    repeated = 0
    data = np.zeros((n, 1)) if X is None else X
    for fold, (_, test) in enumerate(splitter.split(data, y, groups)):
        test = np.asarray(test)
        repeated += int((folds[test] >= 0).sum())
        folds[test] = fold
    n_folds = int(folds.max()) + 1
    if n_folds < 2:
        raise ValueError(
            f"the splitter {splitter!r} made {n_folds} fold; cross-fitting needs at least 2"
        )
    missing = np.flatnonzero(folds < 0)
    if repeated or missing.size:
        raise ValueError(
            f"the splitter {splitter!r} must put every example in exactly one test "
            f"fold (a partition such as KFold/StratifiedKFold/GroupKFold); "
            f"{missing.size} examples are in none (e.g. rows {missing[:5].tolist()}) "
            f"and {repeated} test rows repeat an example"
        )
    return folds


def _check_training_sets(folds: np.ndarray, y: np.ndarray) -> None:
    """Every fold model must see every class (each label's 0 and 1) or it cannot score them."""
    n_folds = int(folds.max()) + 1
    for fold in range(n_folds):
        train = folds != fold
        if not train.any():
            raise ValueError(
                f"fold {fold} holds every example, so its model has nothing to "
                "train on; use a splitter with at least 2 non-empty folds"
            )
        if y.ndim == 1:
            values, counts = np.unique(y, return_counts=True)
            seen = np.isin(values, y[train])
            if not seen.all():
                raise ValueError(
                    f"the training set of fold {fold} (all folds but {fold}) has no example of "
                    f"classes {values[~seen][:5].tolist()} (total counts "
                    f"{_describe(values[~seen], counts[~seen])}): its model could never predict "
                    "them. Use stratified folds (cv=int), fewer folds, or drop those classes"
                )
        else:
            positives = y[train].sum(axis=0)
            bad = np.flatnonzero((positives == 0) | (positives == train.sum()))
            if bad.size:
                raise ValueError(
                    f"the training set of fold {fold} has only one value (all 0 or all 1) for "
                    f"labels {bad[:5].tolist()} (positives in the whole data: "
                    f"{y[:, bad[:5]].sum(axis=0).tolist()}): its model cannot learn them. Use "
                    "fewer folds or drop those labels"
                )


def in_sample_scorer(folds: np.ndarray) -> np.ndarray:
    """(N,) the fold model that scores each example in-sample: ``(fold + 1) % K``.

    That model trained on the example (it holds out another fold), so the in-sample map costs
    one more prediction per example and epoch, exactly like the held-out one.
    """
    folds = np.asarray(folds)
    return (folds + 1) % (int(folds.max()) + 1)


def mirror_dynamics(td):
    """A TrainingDynamics with the same examples, labels, task and thresholds as td, for its
    in-sample map: empty, or, next to an on-disk run, on disk in the run's ``in_sample/``
    folder (resumed with the run)."""
    from datamap_widget import persistence
    from datamap_widget.dynamics import TrainingDynamics

    gold = (
        np.column_stack([td.gold(label=i) for i in range(td.n_classes)])
        if td.task == "multilabel"
        else td.gold()
    )
    path = getattr(td, "path", None)
    return TrainingDynamics(
        gold,
        ids=td.ids,
        label_names=td.label_names,
        task=td.task,
        n_classes=td.n_classes if td.task == "multiclass" else None,
        variability_threshold=td.variability_threshold,
        confidence_threshold=td.confidence_threshold,
        path=None if path is None else Path(path) / persistence.IN_SAMPLE,
        _unsorted_names=getattr(td, "_unsorted_names", False),
    )


class CrossFitRouter:
    """Sends each fold model's outputs to the sinks they belong to, keyed by example position.

    For every epoch, give each fold model ``k`` the rows ``rows_to_score(k)`` (its held-out fold
    plus the examples it scores in-sample) and pass its outputs to ``log(k, positions, outputs)``
    (positions are row numbers in the map's order; any subset, in any order, several calls per
    fold are fine). Rows of fold ``k`` go to the held-out ``sink``; rows whose in-sample scorer is
    ``k`` go to ``in_sample``; any other row is refused, so an example is never scored in the
    held-out map by a model that trained on it. ``end_epoch()`` closes the epoch in both sinks.

    ``in_sample=None`` makes a TrainingDynamics mirroring the sink's; it is attached to the
    held-out run as ``td.in_sample`` (what ``td.label_issues()`` compares with) at the first
    finished epoch. Pass
    ``in_sample=False`` to record only the held-out map.
    """

    def __init__(self, sink, folds, *, in_sample=None):
        self.sink = check_sink(sink)
        td = dynamics_of(sink)
        folds = to_numpy(folds)
        if folds.ndim != 1 or folds.dtype.kind not in "iu" or folds.size == 0:
            raise ValueError(
                f"folds must be a non-empty 1-D int array (one fold per example), "
                f"got shape {folds.shape} dtype {folds.dtype}"
            )
        if td is not None and folds.shape[0] != td.n_examples:
            raise ValueError(
                f"{folds.shape[0]} fold assignments for a map of {td.n_examples} "
                "examples; give one fold per example, in the map's order"
            )
        n_folds = int(folds.max()) + 1
        if folds.min() < 0 or np.unique(folds).size != n_folds or n_folds < 2:
            raise ValueError(
                f"folds must number the folds 0..K-1 with K >= 2, each non-empty; "
                f"got values {np.unique(folds)[:10].tolist()}"
            )
        if in_sample is None:
            in_sample = mirror_dynamics(td) if td is not None else False
        if in_sample is not False:
            check_sink(in_sample)
        self.folds = folds
        self.n_folds = n_folds
        self.scorer = in_sample_scorer(folds)
        self.in_sample = None if in_sample is False else in_sample
        self._ids = None if td is None else np.asarray(td.ids)
        n = folds.shape[0]
        self._held = _EpochBuffer(GuardedSink(sink, "cross-fit (held-out)"), n)
        self._ins = (
            None
            if self.in_sample is None
            else _EpochBuffer(GuardedSink(self.in_sample, "cross-fit (in-sample)"), n)
        )
        self._td = td

    def rows_to_score(self, fold: int) -> np.ndarray:
        """Positions model ``fold`` scores each epoch: its held-out rows, then in-sample ones."""
        held = np.flatnonzero(self.folds == fold)
        if self.in_sample is None:
            return held
        return np.concatenate([held, np.flatnonzero(self.scorer == fold)])

    def log_scored(self, fold: int, outputs, logits=False, classes=None) -> None:
        """Outputs of model ``fold`` for exactly ``rows_to_score(fold)``, in that order.

        The fast path of ``log`` (no per-row routing checks: the rows are the router's own).
        ``classes``: the class of each output column (e.g. the fold model's ``classes_``).
        """
        outputs = to_numpy(outputs)
        held = np.flatnonzero(self.folds == fold)
        ins = np.flatnonzero(self.scorer == fold) if self._ins is not None else held[:0]
        if outputs.ndim == 0 or outputs.shape[0] != held.size + ins.size:
            raise ValueError(
                f"model {fold} scores {held.size + ins.size} rows "
                f"(rows_to_score({fold})), got outputs of shape {outputs.shape}"
            )
        self._held.add(held, outputs[: held.size], logits, classes)
        if ins.size:
            self._ins.add(ins, outputs[held.size :], logits, classes)

    def training_rows(self, fold: int) -> np.ndarray:
        """Positions fold model ``fold`` trains on (every fold but its own)."""
        return np.flatnonzero(self.folds != fold)

    def log(self, fold: int, positions, outputs, logits=False, classes=None) -> None:
        """Outputs of fold model ``fold`` for the examples at ``positions`` (map order).

        ``classes``: the class of each output column, as for ``TrainingDynamics.log_epoch``.
        """
        positions = to_numpy(positions).astype(np.int64, copy=False).reshape(-1)
        outputs = to_numpy(outputs)
        if positions.size and (positions.min() < 0 or positions.max() >= self.folds.shape[0]):
            raise ValueError(f"positions must lie in 0..{self.folds.shape[0] - 1}")
        held = self.folds[positions] == fold
        ins = (self.scorer[positions] == fold) if self._ins is not None else np.zeros_like(held)
        stray = ~(held | ins)
        if stray.any():
            raise ValueError(
                f"fold model {fold} was given {int(stray.sum())} rows it neither "
                f"holds out nor scores in-sample (e.g. positions "
                f"{positions[stray][:5].tolist()}); score rows_to_score({fold})"
            )
        if held.any():
            self._held.add(positions[held], outputs[held], logits, classes)
        if ins.any():
            self._ins.add(positions[ins], outputs[ins], logits, classes)

    def fail(self, exc: Exception) -> None:
        """A fold model could not be scored: drop this epoch from both maps; raise in the first."""
        if self._ins is not None:
            self._ins.clear()
        self._held.clear()
        guard = self._held.guard
        guard.fail(exc)
        guard.broken_epoch = False

    def end_epoch(self) -> None:
        """Hand the epoch to both sinks: one ``log_epoch`` each when every example was scored."""
        self._held.flush(self._ids)
        if self._ins is not None:
            self._ins.flush(self._ids)
            if self._td is not None:  # attached once an epoch is in: a failed start leaves none
                mark = getattr(self._td, "_mark_cross_fitted", None)
                if mark is not None:
                    mark(dynamics_of(self.in_sample))
                else:
                    self._td.in_sample = dynamics_of(self.in_sample)
        elif self._td is not None and hasattr(self._td, "_mark_cross_fitted"):
            self._td._mark_cross_fitted(None)


class _EpochBuffer:
    """One epoch's outputs by map position; handed over whole (no id lookups, one conversion)."""

    def __init__(self, guard: GuardedSink, n: int):
        self.guard = guard
        self.n = n
        self.clear()

    def clear(self) -> None:
        self.outputs = None
        self.seen = np.zeros(self.n, bool)
        self.count = 0
        self.logits = None
        self.classes = None

    def add(self, positions: np.ndarray, outputs: np.ndarray, logits, classes=None) -> None:
        if outputs.ndim == 0 or outputs.shape[0] != positions.shape[0]:
            raise ValueError(
                f"{positions.shape[0]} positions but outputs of shape "
                f"{outputs.shape}; give one output row per position"
            )
        classes = None if classes is None else np.asarray(classes).tolist()
        if self.outputs is None:
            self.outputs = np.zeros((self.n, *outputs.shape[1:]), np.float32)  # as stored
            self.logits = bool(logits)
            self.classes = classes
        elif (
            outputs.shape[1:] != self.outputs.shape[1:]
            or bool(logits) != self.logits
            or classes != self.classes
        ):
            raise ValueError(
                f"every fold model must give outputs of the same kind: got shape "
                f"{outputs.shape[1:]} logits={logits} classes={classes} after "
                f"{self.outputs.shape[1:]} logits={self.logits} classes={self.classes}"
            )
        again = positions[self.seen[positions]]
        if again.size:
            raise ValueError(
                f"{again.size} positions were already scored this epoch (e.g. "
                f"{again[:5].tolist()}); score each example once per epoch"
            )
        self.seen[positions] = True  # all new: a repeat within the batch shows in the count
        count = self.count + positions.size
        if int(self.seen.sum()) != count:
            self.seen[positions] = False
            raise ValueError(
                "the same position appears twice in this call; score each example once per epoch"
            )
        self.count = count
        self.outputs[positions] = outputs

    def flush(self, ids) -> None:
        outputs, seen, logits, classes = self.outputs, self.seen, self.logits, self.classes
        self.clear()
        if outputs is None:
            raise ValueError(
                "no outputs were logged this epoch; call log() for every fold "
                "model before end_epoch()"
            )
        if seen.all():
            self.guard.log_epoch(outputs, logits, classes)
            return
        keys = np.flatnonzero(seen) if ids is None else ids[seen]
        try:  # the engine names the missing ones; the router keeps no half epoch
            self.guard.log_batch(keys, outputs[seen], logits, classes)
            self.guard.end_epoch()
        except Exception:
            self.guard._discard()
            raise
