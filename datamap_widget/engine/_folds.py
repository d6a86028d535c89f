"""Which fold's model must not train on each example: the folds of cross-fitting, checked.

Every fold model must be able to score every class, so folds a classifier cannot train on (a
class, or a multilabel label's positives or negatives, missing from a training set) raise before
anything trains, with the counts and the fix.
"""

from __future__ import annotations

import numbers

import numpy as np

from datamap_widget.engine._sink import to_numpy

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
