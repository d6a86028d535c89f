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


def _outputs(estimator, X):
    """(outputs, logits, classes) of a fitted estimator for X, with the class of each column
    (``classes_``; None for multi-output estimators, whose columns follow y's)."""
    if hasattr(estimator, "predict_proba"):
        out, logits = estimator.predict_proba(X), False
        if isinstance(out, list):  # multi-output (multilabel): one (N, 2) array per label
            return np.column_stack([p[:, -1] for p in out]), False, None
    elif hasattr(estimator, "decision_function"):
        out, logits = estimator.decision_function(X), True
    else:
        raise TypeError(
            f"{type(estimator).__name__} has neither predict_proba nor "
            "decision_function, so it gives no per-example scores to map"
        )
    classes = getattr(estimator, "classes_", None)
    if classes is not None and (isinstance(classes, list) or np.ndim(classes) != 1):
        classes = None
    return np.asarray(out), logits, classes


def _sink_classes(classes, td):
    """``classes=`` for the sink: the engine reorders the columns to the map's classes.

    Multilabel: the columns follow y's, which ``_check_y_is_gold`` found to be the map's
    labels in order. A sink that is no TrainingDynamics cannot be told: its classes must be
    0..C-1 already.
    """
    if td is not None:
        return list(range(td.n_classes)) if td.task == "multilabel" else classes
    if classes is not None and not (
        np.asarray(classes).dtype.kind in "iub" and np.array_equal(classes, np.arange(len(classes)))
    ):
        raise ValueError(
            f"cannot match the estimator's classes_ {np.asarray(classes).tolist()[:10]} to "
            "this sink's classes: use labels 0..C-1, or log to a TrainingDynamics or "
            "DataMapWidget (they reorder columns by class)"
        )
    return None


def _log(sink, ids, outputs, logits, classes=None) -> None:
    extra = {} if classes is None else {"classes": classes}
    if ids is None:
        sink.log_epoch(outputs, logits=logits, **extra)
    else:
        sink.log_batch(ids, outputs, logits=logits, **extra)
        sink.end_epoch()


def _take(a, rows):
    """Rows of X, y or weights by position (a DataFrame's ``[]`` would select columns)."""
    if a is None:
        return None
    return a.iloc[rows] if hasattr(a, "iloc") else a[rows]


def _gold_matrix(td) -> np.ndarray:
    if td.task == "multilabel":
        return np.column_stack([td.gold(label=j) for j in range(td.n_classes)]).astype(bool)
    return np.asarray(td.gold())


def _y_as_classes(y: np.ndarray, td) -> np.ndarray:
    """y in the map's class indexes (multilabel: bool multi-hot), or a ValueError."""
    if td.task == "multilabel":
        if y.ndim != 2 or y.shape[1] != td.n_classes:
            raise ValueError(
                f"y has shape {y.shape} but the map is multilabel with {td.n_classes} labels; "
                "give y as an (N, L) multi-hot array in the map's label order"
            )
        return y.astype(bool)
    if y.ndim != 1:
        raise ValueError(f"y must be one class per row (1-D) for a {td.task} map, got {y.shape}")
    from datamap_widget._classes import column_order

    values = np.unique(y)
    order = column_order(
        values, td.task if td.task != "binary" else "multiclass", td.label_names, td.n_classes
    )
    codes = np.searchsorted(values, y)
    return codes if order is None else order[codes]


def _check_y_is_gold(y: np.ndarray, td, ids) -> None:
    """y must be the map's gold labels, row for row: otherwise the map would follow other labels
    than the model trains on, or read its columns as the wrong classes."""
    positions = np.arange(td.n_examples) if ids is None else td.index_of(ids)
    if ids is None and y.shape[0] != td.n_examples:
        raise ValueError(
            f"y has {y.shape[0]} rows but the map has {td.n_examples} examples; pass ids= "
            "with the example id of each row"
        )
    try:
        mine = _y_as_classes(y, td)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"y does not fit the map's classes: {exc}") from None
    gold = _gold_matrix(td)[positions]
    differ = mine != gold if mine.ndim == 1 else (mine != gold).any(axis=1)
    if differ.any():
        rows = np.flatnonzero(differ)[:5]
        shown = (
            np.asarray(td.classes, dtype=object)[gold[rows]].tolist()
            if gold.ndim == 1
            else gold[rows].astype(int).tolist()
        )
        raise ValueError(
            f"{int(differ.sum())} of {y.shape[0]} labels in y differ from the map's gold "
            f"labels (e.g. ids {np.asarray(td.ids)[positions[rows]].tolist()}: y "
            f"{y[rows].tolist()}, map {shown}). y must hold the map's labels in the map's "
            "row order (or pass ids=); integer labels must number the classes as the map "
            "does (td.classes), e.g. y = td.gold(). Nothing was trained"
        )


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
            estimator.partial_fit(_take(X, part), y[part], classes=classes)
        else:
            estimator.partial_fit(
                _take(X, part), y[part], classes=classes, sample_weight=sample_weight[part]
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
    groups=None,
):
    """Train ``estimator`` with ``partial_fit`` for ``epochs`` passes over (X, y), logging each.

    Rows of X (an array, a sparse matrix or a DataFrame: rows are taken by position) are the
    sink's examples in order, unless ``ids`` names each row's example id. ``y`` must be the
    map's gold labels (class names, or indexes numbered as ``td.classes``): a ValueError says
    which rows differ, before anything trains. Output columns are matched to the map's
    classes by the estimator's ``classes_``.
    ``batch_size`` splits each pass into ``partial_fit`` calls of that many rows (in order).
    ``sample_weight`` (one weight per row, e.g. balanced class weights) reaches every
    ``partial_fit`` call. A logging error raises in the first epoch; later ones warn and skip
    that epoch of the map.

    Returns a list of the fitted models whatever ``cv`` is: ``[estimator]`` (trained in
    place) without ``cv``, the K fold models with it. A cross-fitted map has no single model
    behind it, and one return type lets the same code handle both.

    ``cv`` (an int K or a scikit-learn splitter) cross-fits: the estimator is cloned per fold
    (``sklearn.base.clone``), the K models train side by side epoch by epoch on all folds but
    their own, and after each epoch every example is logged to ``sink`` with the outputs of the
    model that did not train on it (a held-out map). Folds are shuffled and stratified, seeded
    by ``random_state`` (default 0). The same run's in-sample map (each example scored by the
    next fold's model, which trained on it) goes to ``in_sample``: a sink, or None for a new
    TrainingDynamics attached to the held-out run as ``td.in_sample``, or False for none.
    ``groups`` (one group per row, e.g. the author of each text) keeps every group within one
    fold (``StratifiedGroupKFold``; multilabel: ``GroupKFold``), so near-duplicates never
    score each other. See ``datamap_widget.crossfit``.
    """
    guard = GuardedSink(sink, "fit_epochs")
    n, y_arr, sample_weight = _check_fit_arguments(
        estimator, X, y, epochs, batch_size, sample_weight
    )
    td = dynamics_of(sink)
    if td is not None:
        _check_y_is_gold(y_arr, td, ids)
    if classes is None:  # partial_fit must know every class on its first call
        classes = np.unique(y_arr) if y_arr.ndim == 1 else [np.unique(c) for c in y_arr.T]
    step = n if batch_size is None else int(batch_size)
    if cv is not None:
        cross = (cv, random_state, in_sample, groups)
        return _fit_cross(
            estimator, X, y_arr, sink, epochs, classes, ids, step, sample_weight, cross
        )
    if random_state is not None or in_sample is not None or groups is not None:
        raise ValueError(
            "random_state=, in_sample= and groups= only apply to cross-fitting: pass cv="
        )
    for _ in range(epochs):
        _partial_fit_pass(estimator, X, y_arr, classes, sample_weight, step)
        try:
            outputs, logits, out_classes = _outputs(estimator, X)
            out_classes = _sink_classes(out_classes, td)
        except ValueError as exc:  # classes that do not match the map
            guard.fail(exc)
            continue
        _log(guard, ids, outputs, logits, out_classes)
    return [estimator]


def _fit_cross(estimator, X, y, sink, epochs, classes, ids, step, sample_weight, cross):
    """``cross``: (cv, random_state, in_sample, groups) of ``fit_epochs``."""
    from sklearn import config_context
    from sklearn.base import clone

    from datamap_widget.crossfit import DEFAULT_RANDOM_STATE, CrossFitRouter, fold_assignments

    cv, random_state, in_sample, groups = cross
    seed = DEFAULT_RANDOM_STATE if random_state is None else random_state
    # raises before anything trains
    folds = fold_assignments(y, cv, random_state=seed, X=X, groups=groups)
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
        plans.append(
            (
                _take(X, train),
                y[train],
                _take(sample_weight, train),
                score,
                _take(X, rows_of[score]),
            )
        )
    for epoch in range(epochs):
        # every row of X went through partial_fit's checks in epoch 1: skip them later
        with config_context(assume_finite=epoch > 0):
            for model, (X_train, y_train, w_train, _, _) in zip(models, plans):
                _partial_fit_pass(model, X_train, y_train, classes, w_train, step)
        try:
            with config_context(assume_finite=epoch > 0):
                for k, (model, plan) in enumerate(zip(models, plans)):
                    outputs, logits, out_classes = _outputs(model, plan[4])
                    router.log_scored(k, outputs, logits, _sink_classes(out_classes, td))
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
    classes = _sink_classes(getattr(estimator, "classes_", None), dynamics_of(sink))
    logged = 0
    for stage, out in enumerate(stages, start=1):
        if stage % every:
            continue
        _log(sink, ids, np.asarray(out), logits, classes)
        logged += 1
    return logged
