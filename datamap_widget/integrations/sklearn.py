"""scikit-learn: one map epoch per ``partial_fit`` pass, or per stage of a boosted model.

``predict_proba`` is logged when the estimator has it (its probabilities are what it optimises,
e.g. ``SGDClassifier(loss="log_loss")``); otherwise ``decision_function`` is logged as logits
(binary: one score per example -> sigmoid; multiclass: softmax over the scores).
"""

from __future__ import annotations

import numpy as np

from datamap_widget._validation import check_positive_int
from datamap_widget.integrations._sink import GuardedSink, check_sink, dynamics_of

__all__ = ["fit_epochs", "log_staged"]


def _column_order(classes, sink) -> np.ndarray | None:
    """Column permutation from ``estimator.classes_`` to the sink's class indexes (None: as is)."""
    classes = np.asarray(classes)
    td = dynamics_of(sink)
    n = None if td is None else td.n_classes
    if td is not None and td.task == "multilabel":
        return None
    if n is not None and classes.shape[0] != n:
        raise ValueError(f"the estimator knows {classes.shape[0]} classes {classes.tolist()[:10]} "
                         f"but the data map has {n}; pass classes= with every class")
    if classes.dtype.kind in "iub" and np.array_equal(classes, np.arange(classes.shape[0])):
        return None
    names = None if td is None else td.label_names
    if names is not None and set(map(str, classes)) == set(map(str, names)):
        where = {str(c): i for i, c in enumerate(classes)}
        return np.array([where[str(name)] for name in names])
    raise ValueError(f"cannot match the estimator's classes_ {classes.tolist()[:10]} to the data "
                     "map's classes: use labels 0..C-1, or give the map label_names equal to "
                     "the class values")


def _outputs(estimator, X, sink):
    """(outputs, logits) of a fitted estimator for X, columns in the sink's class order."""
    if hasattr(estimator, "predict_proba"):
        out, logits = estimator.predict_proba(X), False
        if isinstance(out, list):  # multi-output (multilabel): one (N, 2) array per label
            return np.column_stack([p[:, -1] for p in out]), False
    elif hasattr(estimator, "decision_function"):
        out, logits = estimator.decision_function(X), True
    else:
        raise TypeError(f"{type(estimator).__name__} has neither predict_proba nor "
                        "decision_function, so it gives no per-example scores to map")
    order = _column_order(estimator.classes_, sink) if hasattr(estimator, "classes_") else None
    return _reorder(np.asarray(out), order, logits), logits


def _reorder(out: np.ndarray, order, logits: bool) -> np.ndarray:
    if order is None:
        return out
    if out.ndim == 1:  # binary score of classes_[1]: flip when that is the map's class 0
        return out if order[1] == 1 else (-out if logits else 1.0 - out)
    return out[:, order]


def _log(sink, ids, outputs, logits) -> None:
    if ids is None:
        sink.log_epoch(outputs, logits=logits)
    else:
        sink.log_batch(ids, outputs, logits=logits)
        sink.end_epoch()


def fit_epochs(estimator, X, y, sink, *, epochs=10, classes=None, ids=None, batch_size=None):
    """Train ``estimator`` with ``partial_fit`` for ``epochs`` passes over (X, y), logging each.

    Rows of X are the sink's examples in order, unless ``ids`` names each row's example id.
    ``batch_size`` splits each pass into ``partial_fit`` calls of that many rows (in order).
    A logging error raises in the first epoch; later ones warn and skip that epoch of the map.
    Returns the estimator.
    """
    guard = GuardedSink(sink, "fit_epochs")
    if not hasattr(estimator, "partial_fit"):
        raise TypeError(f"{type(estimator).__name__} has no partial_fit; use an incremental "
                        "estimator (SGDClassifier, MultinomialNB, MLPClassifier, ...)")
    epochs = check_positive_int(epochs, "epochs")
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    batch_size = check_positive_int(batch_size, "batch_size", allow_none=True)
    y_arr = np.asarray(y)
    if classes is None:  # partial_fit must know every class on its first call
        classes = np.unique(y_arr) if y_arr.ndim == 1 else [np.unique(c) for c in y_arr.T]
    step = n if batch_size is None else int(batch_size)
    for _ in range(epochs):
        for start in range(0, n, step):
            stop = min(start + step, n)
            estimator.partial_fit(X[start:stop], y_arr[start:stop], classes=classes)
        try:
            outputs, logits = _outputs(estimator, X, sink)
        except ValueError as exc:  # classes that do not match the map
            guard.fail(exc)
            continue
        _log(guard, ids, outputs, logits)
    return estimator


def log_staged(estimator, X, sink, *, every=1, ids=None) -> int:
    """Log the stages of a fitted boosted model (``staged_predict_proba``) as map epochs.

    One map epoch per ``every`` stages (stages every, 2*every, ...). Falls back to
    ``staged_decision_function`` as logits. Returns the number of epochs logged.
    """
    check_sink(sink)
    every = check_positive_int(every, "every")
    if hasattr(estimator, "staged_predict_proba"):
        stages, logits = estimator.staged_predict_proba(X), False
    elif hasattr(estimator, "staged_decision_function"):
        stages, logits = estimator.staged_decision_function(X), True
    else:
        raise TypeError(f"{type(estimator).__name__} has no staged_predict_proba or "
                        "staged_decision_function; use e.g. GradientBoostingClassifier, "
                        "HistGradientBoostingClassifier or AdaBoostClassifier")
    order = _column_order(estimator.classes_, sink) if hasattr(estimator, "classes_") else None
    logged = 0
    for stage, out in enumerate(stages, start=1):
        if stage % every:
            continue
        _log(sink, ids, _reorder(np.asarray(out), order, logits), logits)
        logged += 1
    return logged
