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
        raise ValueError(
            f"the estimator knows {classes.shape[0]} classes {classes.tolist()[:10]} "
            f"but the data map has {n}; pass classes= with every class"
        )
    if classes.dtype.kind in "iub" and np.array_equal(classes, np.arange(classes.shape[0])):
        return None
    names = None if td is None else td.label_names
    if names is not None and set(map(str, classes)) == set(map(str, names)):
        where = {str(c): i for i, c in enumerate(classes)}
        return np.array([where[str(name)] for name in names])
    raise ValueError(
        f"cannot match the estimator's classes_ {classes.tolist()[:10]} to the data "
        "map's classes: use labels 0..C-1, or give the map label_names equal to "
        "the class values"
    )


def _outputs(estimator, X, sink):
    """(outputs, logits) of a fitted estimator for X, columns in the sink's class order."""
    if hasattr(estimator, "predict_proba"):
        out, logits = estimator.predict_proba(X), False
        if isinstance(out, list):  # multi-output (multilabel): one (N, 2) array per label
            return np.column_stack([p[:, -1] for p in out]), False
    elif hasattr(estimator, "decision_function"):
        out, logits = estimator.decision_function(X), True
    else:
        raise TypeError(
            f"{type(estimator).__name__} has neither predict_proba nor "
            "decision_function, so it gives no per-example scores to map"
        )
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


def _rows(a, rows):
    return None if a is None else a[rows]


def _check_fit_arguments(estimator, X, y, epochs, batch_size, sample_weight):
    if not hasattr(estimator, "partial_fit"):
        raise TypeError(
            f"{type(estimator).__name__} has no partial_fit; use an incremental "
            "estimator (SGDClassifier, MultinomialNB, MLPClassifier, ...)"
        )
    epochs = check_positive_int(epochs, "epochs")
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    batch_size = check_positive_int(batch_size, "batch_size", allow_none=True)
    y_arr = np.asarray(y)
    if y_arr.shape[0] != n:
        raise ValueError(f"X has {n} rows but y has {y_arr.shape[0]}; give one label per row")
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if sample_weight.shape != (n,):
            raise ValueError(
                f"sample_weight must have one weight per row of X, shape ({n},); "
                f"got shape {sample_weight.shape}"
            )
        if not np.isfinite(sample_weight).all() or (sample_weight < 0).any():
            raise ValueError("sample_weight must be finite and non-negative")
    return n, y_arr, sample_weight


def _partial_fit_pass(estimator, X, y, classes, sample_weight, step) -> None:
    n = y.shape[0]
    if step >= n:  # one call: slicing would copy X (a sparse copy costs as much as predicting)
        if sample_weight is None:
            estimator.partial_fit(X, y, classes=classes)
        else:
            estimator.partial_fit(X, y, classes=classes, sample_weight=sample_weight)
        return
    for start in range(0, n, step):
        part = slice(start, min(start + step, n))
        if sample_weight is None:
            estimator.partial_fit(X[part], y[part], classes=classes)
        else:
            estimator.partial_fit(
                X[part], y[part], classes=classes, sample_weight=sample_weight[part]
            )


def fit_epochs(
    estimator,
    X,
    y,
    sink,
    *,
    epochs=10,
    classes=None,
    ids=None,
    batch_size=None,
    sample_weight=None,
    cv=None,
    random_state=None,
    in_sample=None,
):
    """Train ``estimator`` with ``partial_fit`` for ``epochs`` passes over (X, y), logging each.

    Rows of X are the sink's examples in order, unless ``ids`` names each row's example id.
    ``batch_size`` splits each pass into ``partial_fit`` calls of that many rows (in order).
    ``sample_weight`` (one weight per row, e.g. balanced class weights) reaches every
    ``partial_fit`` call. A logging error raises in the first epoch; later ones warn and skip
    that epoch of the map. Returns the estimator.

    ``cv`` (an int K or a scikit-learn splitter) cross-fits: the estimator is cloned per fold
    (``sklearn.base.clone``), the K models train side by side epoch by epoch on all folds but
    their own, and after each epoch every example is logged to ``sink`` with the outputs of the
    model that did not train on it (a held-out map). Folds are shuffled and stratified, seeded
    by ``random_state`` (default 0). The same run's in-sample map (each example scored by the
    next fold's model, which trained on it) goes to ``in_sample``: a sink, or None for a new
    TrainingDynamics attached to the held-out run as ``td.in_sample``, or False for none.
    Returns the list of K fold models. See ``datamap_widget.crossfit``.
    """
    guard = GuardedSink(sink, "fit_epochs")
    n, y_arr, sample_weight = _check_fit_arguments(
        estimator, X, y, epochs, batch_size, sample_weight
    )
    if classes is None:  # partial_fit must know every class on its first call
        classes = np.unique(y_arr) if y_arr.ndim == 1 else [np.unique(c) for c in y_arr.T]
    step = n if batch_size is None else int(batch_size)
    if cv is not None:
        return _fit_cross(
            estimator,
            X,
            y_arr,
            sink,
            epochs,
            classes,
            ids,
            step,
            sample_weight,
            cv,
            random_state,
            in_sample,
        )
    if random_state is not None or in_sample is not None:
        raise ValueError("random_state= and in_sample= only apply to cross-fitting: pass cv=")
    for _ in range(epochs):
        _partial_fit_pass(estimator, X, y_arr, classes, sample_weight, step)
        try:
            outputs, logits = _outputs(estimator, X, sink)
        except ValueError as exc:  # classes that do not match the map
            guard.fail(exc)
            continue
        _log(guard, ids, outputs, logits)
    return estimator


def _fit_cross(
    estimator, X, y, sink, epochs, classes, ids, step, sample_weight, cv, random_state, in_sample
):
    from sklearn import config_context
    from sklearn.base import clone

    from datamap_widget.crossfit import DEFAULT_RANDOM_STATE, CrossFitRouter, fold_assignments

    seed = DEFAULT_RANDOM_STATE if random_state is None else random_state
    folds = fold_assignments(y, cv, random_state=seed, X=X)  # raises before anything trains
    td = dynamics_of(sink)
    positions = np.arange(y.shape[0])
    if ids is not None:  # rows of X -> positions in the map
        if td is None:
            raise ValueError(
                "ids= with cv= needs a sink that knows its ids (a TrainingDynamics "
                "or a DataMapWidget)"
            )
        positions = td.index_of(ids)
        if positions.shape[0] != td.n_examples or np.unique(positions).size != td.n_examples:
            raise ValueError("with cv=, X must hold every example of the map exactly once")
        order = np.argsort(positions)  # the router works in map order
        folds_in_map = np.empty_like(folds)
        folds_in_map[positions] = folds
        folds = folds_in_map
    else:
        order = positions
    router = CrossFitRouter(sink, folds, in_sample=in_sample)
    rows_of = order  # map position p -> row of X
    models = [clone(estimator) for _ in range(router.n_folds)]
    plans = []
    for k in range(router.n_folds):
        train = rows_of[router.training_rows(k)]
        score = router.rows_to_score(k)
        plans.append((X[train], y[train], _rows(sample_weight, train), score, X[rows_of[score]]))
    for epoch in range(epochs):
        # every row of X went through partial_fit's checks in epoch 1: skip them later
        with config_context(assume_finite=epoch > 0):
            for model, (X_train, y_train, w_train, _, _) in zip(models, plans):
                _partial_fit_pass(model, X_train, y_train, classes, w_train, step)
        try:
            with config_context(assume_finite=epoch > 0):
                for k, (model, plan) in enumerate(zip(models, plans)):
                    outputs, logits = _outputs(model, plan[4], sink)
                    router.log_scored(k, outputs, logits)
        except ValueError as exc:  # classes that do not match the map
            router.fail(exc)
            continue
        router.end_epoch()
    return models


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
        raise TypeError(
            f"{type(estimator).__name__} has no staged_predict_proba or "
            "staged_decision_function; use e.g. GradientBoostingClassifier, "
            "HistGradientBoostingClassifier or AdaBoostClassifier"
        )
    order = _column_order(estimator.classes_, sink) if hasattr(estimator, "classes_") else None
    logged = 0
    for stage, out in enumerate(stages, start=1):
        if stage % every:
            continue
        _log(sink, ids, _reorder(np.asarray(out), order, logits), logits)
        logged += 1
    return logged
