"""Which class each column of a model's outputs is: ``classes=`` resolved to the map's classes.

The map's class i is ``label_names[i]`` (or index i). A model's columns may follow another order:
scikit-learn's ``predict_proba`` follows ``clf.classes_``, which is sorted, so string labels with
``label_names=["other", "gratitude"]`` would read every probability from the wrong column.
``classes=`` names the class of each column (class names or class indexes, e.g.
``clf.classes_``); this module turns it into a permutation once, checking it, and the engine
reorders the columns. Runs whose labels were class names in an order that is not sorted refuse
outputs without ``classes=``: either order is a plausible guess, and a wrong guess inverts the map.
"""

from __future__ import annotations

import numbers

import numpy as np


def column_order(classes, task: str, names, n_classes: int):
    """(k,) int64 map class of each output column, or None when column i is class i.

    ``classes``: one class per output column, as class names (strings, matched to ``names``)
    or class indexes (ints or bools). Single-label runs may give a subset of the classes (a
    model that never saw some class); multilabel runs need every label exactly once.
    """
    values = np.asarray(classes.detach().cpu().numpy() if hasattr(classes, "detach") else classes)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"classes must be a 1-D sequence with the class of each output column (e.g. "
            f"clf.classes_), got shape {values.shape}"
        )
    what = "labels" if task == "multilabel" else "classes"
    listed = values.tolist()
    if all(isinstance(v, str) for v in listed):
        if names is None:
            raise ValueError(
                f"classes holds names {listed[:5]} but this run has no class names; give "
                f"class indexes 0..{n_classes - 1}, or build the run with label_names="
            )
        where = {name: i for i, name in enumerate(names)}
        order = np.array([where.get(v, -1) for v in listed], np.int64)
        unknown = [v for v, i in zip(listed, order.tolist()) if i < 0]
        if unknown:
            raise ValueError(
                f"classes holds {len(unknown)} names that are not {what} of this run: "
                f"{unknown[:5]}; its {what} are {list(names)}"
            )
    elif all(
        isinstance(v, (numbers.Integral, np.bool_))
        or (isinstance(v, float) and float(v).is_integer())
        for v in listed
    ):
        order = np.asarray(values, dtype=np.float64).astype(np.int64)
        bad = (order < 0) | (order >= n_classes)
        if bad.any():
            raise ValueError(
                f"classes holds class indexes outside 0..{n_classes - 1}: "
                f"{np.unique(order[bad])[:5].tolist()} (this run has {n_classes} {what})"
            )
    else:
        raise TypeError(
            f"classes must be class names (strings) or class indexes (ints), got {listed[:5]}"
        )
    counts = np.bincount(order, minlength=n_classes)
    if (counts > 1).any():
        twice = np.flatnonzero(counts > 1)
        shown = [names[i] for i in twice] if names is not None else twice.tolist()
        raise ValueError(
            f"classes= names {shown[:5]} more than once; give each column's class once"
        )
    if task == "multilabel" and order.size != n_classes:
        raise ValueError(
            f"classes gives {order.size} labels but this run has {n_classes}; a multilabel "
            "model has one column per label"
        )
    if task == "binary" and order.size != 2:
        raise ValueError(
            f"a binary run needs classes= with both classes (the class of each of the 2 "
            f"columns, or of p(class 1) for one column), got {listed}"
        )
    if order.size == n_classes and (order == np.arange(n_classes)).all():
        return None
    return order


def in_map_order(x: np.ndarray, order, task: str, n_classes: int, logits: bool) -> np.ndarray:
    """The outputs ``x`` with column j moved to class ``order[j]`` (classes never named get
    probability 0). Binary one-column outputs (p or the logit of ``classes[1]``) are flipped
    when ``classes[1]`` is the map's class 0."""
    if order is None:
        return x
    if task == "binary" and (x.ndim == 1 or (x.ndim == 2 and x.shape[1] == 1)):
        if order[1] == 1:
            return x
        return -x if logits else 1.0 - x
    if x.ndim != 2 or x.shape[1] != order.size:
        raise ValueError(
            f"outputs have shape {x.shape} but classes= names {order.size} columns; give "
            "the class of every output column"
        )
    if order.size == n_classes:
        out = np.empty_like(x)
        out[:, order] = x
        return out
    if logits:
        raise ValueError(
            f"classes= names {order.size} of the {n_classes} classes: logits for a subset "
            "cannot be completed (the missing classes have no logit). Log probabilities "
            "(missing classes get 0), or a model that knows every class "
            "(e.g. partial_fit(..., classes=every class))"
        )
    out = np.zeros((x.shape[0], n_classes), x.dtype)
    out[:, order] = x
    return out


def ambiguous_order_error(names, where: str) -> ValueError:
    """The error for outputs logged without ``classes=`` on a run whose class order was given."""
    return ValueError(
        f"which class is each output column? This run's labels are class names and its "
        f"class order {list(names)} ({where}) is not sorted, while scikit-learn's "
        f"predict_proba columns follow the sorted clf.classes_ = {sorted(names)}. Pass "
        "classes= with the class of each column: log_epoch(p, classes=clf.classes_), or "
        "classes=td.classes if column i is class td.classes[i] (a model trained on "
        "td.gold()); set td.output_classes once for loops that log through another object. "
        "Nothing was recorded"
    )
