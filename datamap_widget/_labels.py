"""Turn user-supplied gold labels and example ids into validated numpy arrays.

Kept apart from the engine so that every way of describing a dataset (arrays, lists, pandas
columns, Hugging Face `datasets` columns of label-index lists) ends up in one canonical form:
binary/multiclass gold as int64 (N,), multilabel gold as bool (N, L).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

TASKS = ("binary", "multiclass", "multilabel")


def _as_int_array(values, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype == bool:
        return arr.astype(np.int64)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "f" and np.isfinite(arr).all() and (arr == np.round(arr)).all():
        return arr.astype(np.int64)
    raise TypeError(f"{what} must be integers or bools, got dtype {arr.dtype}; "
                    "convert them with .astype(int)")


def materialize(values):
    """Array-likes as they are; other sequences as a list (slicing first: a Hugging Face
    `datasets` Column slices to a list in microseconds but iterates row by row)."""
    if hasattr(values, "__array__") or isinstance(values, (list, tuple)):
        return values
    try:
        values = values[:]
    except (TypeError, KeyError, IndexError):
        pass
    return values if isinstance(values, list) or hasattr(values, "__array__") else list(values)


def _names(label_names) -> list[str] | None:
    if label_names is None:
        return None
    if isinstance(label_names, str):
        raise TypeError("label_names must be a sequence of names, not a single string")
    names = [str(n) for n in label_names]
    if len(set(names)) != len(names):
        raise ValueError(f"label_names must be unique, got {names}")
    return names


def _try_array(labels):
    """Return labels as an array, or None when they are ragged (lists of label indexes)."""
    if isinstance(labels, np.ndarray):
        return labels
    try:
        arr = np.asarray(labels)
    except ValueError:  # numpy refuses ragged nested lists
        return None
    return None if arr.dtype == object else arr


def _from_index_lists(labels, names: list[str] | None) -> np.ndarray:
    if names is None:
        raise ValueError("labels look like lists of label indexes (multilabel); pass "
                         "label_names so the number of labels is known")
    rows = [np.atleast_1d(r).tolist() if hasattr(r, "__array__") else r for r in labels]
    lengths = np.fromiter(map(len, rows), np.int64, len(rows))
    try:
        flat = np.fromiter(itertools.chain.from_iterable(rows), np.int64, int(lengths.sum()))
    except (TypeError, ValueError):
        raise TypeError("lists of label indexes must hold integers") from None
    bad = (flat < 0) | (flat >= len(names))
    if bad.any():
        i = int(np.repeat(np.arange(len(rows)), lengths)[np.argmax(bad)])
        raise ValueError(f"labels[{i}] = {list(rows[i])} holds label indexes outside "
                         f"0..{len(names) - 1} (there are {len(names)} label_names)")
    hot = np.zeros((len(rows), len(names)), dtype=bool)
    hot[np.repeat(np.arange(len(rows)), lengths), flat] = True
    return hot


def normalize_labels(labels, task=None, label_names=None, n_classes=None):
    """Return (task, gold, label_names, n_classes) after checking labels against each other."""
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {TASKS} or None (inferred), got {task!r}")
    names = _names(label_names)
    if n_classes is not None and (isinstance(n_classes, bool)
                                  or not isinstance(n_classes, (int, np.integer))):
        raise TypeError(f"n_classes must be an int, got {n_classes!r}")
    if labels is None or isinstance(labels, (str, bytes)):
        raise TypeError("labels must be a sequence of gold labels")
    labels = materialize(labels)
    arr = _try_array(labels)

    if arr is None or (arr.ndim == 2 and task == "multilabel" and names is not None
                       and (arr.shape[1] != len(names) or not np.isin(arr, (0, 1)).all())):
        if task not in (None, "multilabel"):
            raise ValueError(f"task={task!r} needs one label per example, but labels are lists")
        gold = _from_index_lists(labels, names)
        task = "multilabel"
    elif arr.ndim == 2:
        if task not in (None, "multilabel"):
            raise ValueError(f"2-D labels mean multilabel (N x L multi-hot), not task={task!r}")
        values = _as_int_array(arr, "multilabel labels")
        if not np.isin(values, (0, 1)).all():
            raise ValueError("2-D labels must be multi-hot (0/1); for lists of label indexes "
                             "pass task='multilabel' and label_names")
        if names is not None and len(names) != values.shape[1]:
            raise ValueError(f"labels have {values.shape[1]} columns but {len(names)} label_names")
        gold = values.astype(bool)
        task = "multilabel"
    elif arr.ndim == 1:
        gold = _as_int_array(arr, "labels")
        if task == "multilabel":
            raise ValueError("multilabel labels must be N x L multi-hot or lists of label indexes")
        if gold.size and gold.min() < 0:
            raise ValueError(f"labels must be >= 0, found {int(gold.min())}")
        is_01 = bool(np.isin(gold, (0, 1)).all())
        if task is None:
            fits_binary = (names is None or len(names) == 2) and n_classes in (None, 2)
            task = "binary" if is_01 and fits_binary else "multiclass"
        if task == "binary" and not is_01:
            bad = np.unique(gold[~np.isin(gold, (0, 1))])[:5].tolist()
            raise ValueError(f"binary labels must be 0/1 or bools, found {bad}")
    else:
        raise ValueError(f"labels must be 1-D (binary/multiclass) or 2-D (multilabel), "
                         f"got {arr.ndim}-D")

    if gold.shape[0] == 0:
        raise ValueError("labels is empty: a data map needs at least one example")
    if task == "multilabel":
        c = gold.shape[1]
    elif task == "binary":
        c = 2
    else:
        c = len(names) if names is not None else (n_classes or int(gold.max()) + 1)
    if n_classes is not None and n_classes != c:
        raise ValueError(f"n_classes={n_classes} contradicts the labels/label_names ({c} classes)")
    if c < 2 and task != "multilabel":
        raise ValueError("a classification task needs at least 2 classes; pass label_names "
                         "or n_classes")
    if task == "multiclass" and int(gold.max()) >= c:
        raise ValueError(f"labels go up to {int(gold.max())} but there are only {c} classes "
                         "(label_names / n_classes)")
    if names is not None and len(names) != c:
        raise ValueError(f"{task} task has {c} classes but {len(names)} label_names were given")
    return task, gold.copy(), names, c  # never share (or freeze) the caller's array


def normalize_ids(ids, n: int):
    """Return (ids array, pandas Index named 'id'); ids are unique ints or strings."""
    if ids is None:
        return np.arange(n, dtype=np.int64), pd.RangeIndex(n, name="id")
    if isinstance(ids, (str, bytes)):
        raise TypeError("ids must be a sequence of ids, not a single string")
    arr = np.asarray(materialize(ids))
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"ids must be 1-D with one id per example ({n}), got shape {arr.shape}")
    if arr.dtype == object:
        if all(isinstance(v, str) for v in arr):
            arr = arr.astype(str)
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in arr):
            arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuU":
        raise TypeError(f"ids must all be ints or all strings, got dtype {arr.dtype}")
    index = pd.Index(arr, name="id")
    if not index.is_unique:
        dup = index[index.duplicated()].unique()[:5].tolist()
        raise ValueError(f"ids must be unique; repeated: {dup}")
    arr = arr.copy()
    arr.flags.writeable = False
    return arr, index
